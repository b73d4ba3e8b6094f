import type { Verdict } from '../detect/detector.js';
import type { Logger } from '../log/logger.js';
import type { AlertMetric } from '../metrics/metrics.js';
import { retryUndelivered, type Delivery } from '../notify/delivery.js';
import { explainSourceFailure } from '../sources/source-check.js';
import { ensureVigilTables } from '../tables/vigil-tables.js';
import { forgetEnsured } from '../warehouse/ensure-once.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { sliceSeries } from '../windows/window-counts.js';
import { evaluatedWindow, historyStart, windowStarts, WINDOW_MS } from '../windows/windows.js';
import { decide, nextState } from './alert-decide.js';
import { readAlertInputs, readAlertState } from './alert-inputs.js';
import { judge } from './alert-judge.js';
import type { AlertMemory } from './alert-memory.js';
import { notifyDecisions } from './alert-notify.js';
import { recordRun } from './alert-record.js';
import type { AlertSettings } from './alert-settings.js';
import { stateKey, type LastNotification, type NotificationKind } from './alert-state.js';

export interface AlertDeps {
  readonly warehouse: Warehouse;
  readonly delivery: Delivery;
  readonly logger: Logger;
  /** Kept across the runs of a long-running process (`vigil serve`); one-off runs have none. */
  readonly memory?: AlertMemory | undefined;
}

export interface MetricOutcome {
  readonly metric: AlertMetric;
  /** '' for the whole product, else `attribute=value`, e.g. `os=iOS`. */
  readonly slice: string;
  /** The detector's verdict; `alert` is true only if it also passed the noise gate. */
  readonly verdict: Verdict;
  /** The detector alone said alert, but the deviation was within noise: not notified. */
  readonly gated: boolean;
  readonly notification?: NotificationKind;
  /** The notification's key: its outbox files are `alert-<key>.txt` and `.png`. */
  readonly key?: string;
  /** Why the notification did not go out, or went without its picture. */
  readonly problem?: string;
}

export interface AlertResult {
  /** Start of the evaluated window. */
  readonly window: Date;
  readonly windows: number;
  readonly outcomes: readonly MetricOutcome[];
}

/**
 * SPEC §5 at time t, as a pipeline: read the inputs (one query), build every series, judge them,
 * decide what to notify, deliver, and record what was judged and sent.
 */
export async function runAlert(deps: AlertDeps, settings: AlertSettings, at: Date): Promise<AlertResult> {
  await retryUndelivered(deps.delivery);
  try {
    return await evaluate(deps, settings, at);
  } catch (error) {
    if (!(error instanceof WarehouseError) || (error.type !== 'UNKNOWN_TABLE' && error.type !== 'UNKNOWN_DATABASE'))
      throw error;
    const explained = await explainSourceFailure(deps.warehouse, settings.sources, error);
    if (explained !== error) throw explained;
    // vigil's tables were dropped behind this process's back (sources simulated afresh by another
    // one): make them again, and forget what was counted from the old events. Whatever failed
    // came before any notification went out: the state is read before deciding one.
    forgetEnsured(deps.warehouse);
    deps.memory?.clear();
    return evaluate(deps, settings, at);
  }
}

async function evaluate(deps: AlertDeps, settings: AlertSettings, at: Date): Promise<AlertResult> {
  const { warehouse, memory } = deps;
  const window = evaluatedWindow(at, settings.lagMs);
  const from = historyStart(at, settings.timezone);
  await ensureVigilTables(warehouse, settings.tables);

  // 1. Inputs. A remembered quiet state settles every verdict but an alert;
  // for an alert the warehouse has the last word.
  const remembered = memory?.quietState();
  const inputs = await readAlertInputs(warehouse, {
    sources: settings.sources,
    slices: settings.slices,
    tables: settings.tables,
    from,
    window,
    memory: memory?.windows,
    withState: remembered === undefined,
  });
  // 2. Series, 3. judgements.
  const windows = windowStarts(from.getTime(), window.getTime() + WINDOW_MS);
  const judgements = judge(sliceSeries(windows, inputs.windows, settings.slices), settings.metrics);
  let state = inputs.state ?? remembered ?? new Map<string, LastNotification>();
  if (!inputs.state && judgements.some((j) => j.verdict.alert))
    state = await readAlertState(warehouse, settings.tables);
  memory?.rememberState(state);
  // 4. Decisions.
  const decisions = decide(judgements, state, window, settings.repeatMs);
  for (const decision of decisions) {
    const next = nextState(decision, window);
    if (next) memory?.noteNotification(stateKey(decision.judgement.metric, decision.judgement.slice), next);
  }
  // 5. Delivery, 6. the record.
  const sent = await notifyDecisions(deps, settings, window, decisions);
  await recordRun(warehouse, settings.tables, { at, window, judgements, sent });

  const sentBy = new Map(sent.map((s) => [s.decision.judgement, s]));
  const outcomes = judgements.map((judgement): MetricOutcome => {
    const { metric, slice, verdict, gated } = judgement;
    const notified = sentBy.get(judgement);
    return {
      metric,
      slice,
      verdict,
      gated,
      ...(notified ? { notification: notified.decision.kind, key: notified.key } : {}),
      ...(notified?.problem === undefined ? {} : { problem: notified.problem }),
    };
  });
  return { window, windows: windows.length, outcomes };
}
