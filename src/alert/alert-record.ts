import type { VigilTables } from '../tables/vigil-tables.js';
import { toSqlDateTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Judgement } from './alert-judge.js';
import type { SentNotification } from './alert-notify.js';

/** Step 6 of a run: every notification decided (and whether it went out) and every evaluation. */
export async function recordRun(
  warehouse: Warehouse,
  tables: VigilTables,
  run: { at: Date; window: Date; judgements: readonly Judgement[]; sent: readonly SentNotification[] },
): Promise<void> {
  const window = toSqlDateTime(run.window);
  if (run.sent.length > 0) {
    await warehouse.insert(
      tables.notifications,
      run.sent.map(({ decision: { kind, judgement }, delivered, text }) => ({
        window_start: window,
        metric: judgement.metric,
        slice: judgement.slice,
        kind,
        value: judgement.verdict.value ?? null,
        low: judgement.verdict.low ?? null,
        up: judgement.verdict.up ?? null,
        delivered: delivered ? 1 : 0,
        text,
      })),
    );
  }
  await warehouse.insert(
    tables.evaluations,
    run.judgements.map(({ metric, slice, raw, verdict }) => ({
      evaluated_at: toSqlDateTime(run.at),
      window_start: window,
      metric,
      slice,
      value: raw.value ?? null,
      low: raw.low ?? null,
      up: raw.up ?? null,
      alert: raw.alert ? 1 : 0,
      notified: verdict.alert ? 1 : 0,
    })),
  );
}
