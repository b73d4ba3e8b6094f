import type { Decided, JournalEntry } from '../notify/journal.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { toSqlDateTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Composed } from './alert-compose.js';
import { NO_DATA } from './alert-decide.js';
import type { Judgement } from './alert-judge.js';
import type { Quieted } from './alert-silence.js';

/** The journal entries of a run's notifications: each decided subject with the message announcing it. */
export function journalEntries(
  composed: readonly Composed[],
  window: Date,
  destinationsOf: (composed: Composed) => readonly string[],
): JournalEntry[] {
  return composed.map((c) => ({
    decisions: c.decisions.map((decision): Decided =>
      decision.type === 'metric'
        ? {
            subject: decision.judgement.metric,
            slice: decision.judgement.slice,
            kind: decision.kind,
            window,
            value: decision.judgement.verdict.value,
            low: decision.judgement.verdict.low,
            up: decision.judgement.verdict.up,
          }
        : { subject: NO_DATA, slice: decision.status.source, kind: decision.kind, window },
    ),
    notification: c.notification,
    destinations: destinationsOf(c),
  }));
}

/**
 * The journal entries of decisions kept quiet: a silenced start or repeat as `silenced` (the state
 * does not change), a quiet resolution as `resolved` (the incident closes); no message.
 */
export function quietEntries(quiet: readonly Quieted[], window: Date): JournalEntry[] {
  return quiet.map(({ decision }) => ({
    decisions: [
      {
        subject: decision.judgement.metric,
        slice: decision.judgement.slice,
        kind: decision.kind === 'resolved' ? 'resolved' : 'silenced',
        window,
        value: decision.judgement.verdict.value,
        low: decision.judgement.verdict.low,
        up: decision.judgement.verdict.up,
      },
    ],
    notification: undefined,
    destinations: [],
  }));
}

/** Every evaluation of the run: each judged metric's value, band, the detector's verdict and the gate's. */
export async function recordEvaluations(
  warehouse: Warehouse,
  tables: VigilTables,
  run: { at: Date; window: Date; judgements: readonly Judgement[] },
): Promise<void> {
  const window = toSqlDateTime(run.window);
  const judged = run.judgements.filter((j) => j.status === 'judged');
  if (judged.length === 0) return;
  await warehouse.insert(
    tables.evaluations,
    judged.map(({ metric, slice, raw, verdict }) => ({
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
