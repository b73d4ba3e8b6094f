import type { Verdict } from '../detect/detector.js';
import type { Logger } from '../log/logger.js';
import type { AlertMetric } from '../metrics/metrics.js';
import { destinationsFor, dispatch, type Delivery, type DeliveryOutcome } from '../notify/dispatch.js';
import { NotificationJournal } from '../notify/journal.js';
import { notificationId, type Notification } from '../notify/notifier.js';
import { explainSourceFailure } from '../sources/source-check.js';
import { SOURCE_NAMES } from '../sources/sources.js';
import { ensureVigilTables } from '../tables/vigil-tables.js';
import { forgetEnsured } from '../warehouse/ensure-once.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { isMissingTable } from '../warehouse/warehouse-error.js';
import { sliceSeries } from '../windows/window-counts.js';
import { evaluatedWindow, historyFrom, historyStart, WINDOW_MS, windowStarts } from '../windows/windows.js';
import { composeNotifications, type Composed } from './alert-compose.js';
import { decide, decisionKey, NO_DATA, nextState, type SourceStatus } from './alert-decide.js';
import { newestEvent, readAlertInputs, readAlertState, saveWindows, type AlertInputs } from './alert-inputs.js';
import { judge, type JudgementStatus } from './alert-judge.js';
import type { AlertMemory } from './alert-memory.js';
import { journalEntries, quietEntries, recordEvaluations } from './alert-record.js';
import { applySilences, type Quieted } from './alert-silence.js';
import type { AlertSettings } from './alert-settings.js';
import type { AlertState, NotificationKind } from './alert-state.js';

/**
 * A window's events count as arrived when the sources have events from its last minute: a live
 * source's newest event is always a moment behind the clock.
 */
const ARRIVAL_GRACE_MS = 60_000;

export interface AlertDeps {
  readonly warehouse: Warehouse;
  /** Where notifications go; a dry run has none. */
  readonly delivery: Delivery | undefined;
  readonly logger: Logger;
  /** Kept across the runs of a long-running process (`vigil serve`); one-off runs have none. */
  readonly memory?: AlertMemory | undefined;
}

export interface AlertRun {
  /** The evaluation time. */
  readonly at: Date;
  /** Judge and compose, but write nothing and send nothing. */
  readonly dryRun?: boolean;
}

export interface MetricOutcome {
  readonly metric: AlertMetric;
  /** '' for the whole product, else `attribute=value`, e.g. `os=iOS`. */
  readonly slice: string;
  readonly status: JudgementStatus;
  /** The detector's verdict; `alert` is true only if it also passed the noise gate. */
  readonly verdict: Verdict;
  /** The detector alone said alert, but the deviation was within noise: not notified. */
  readonly gated: boolean;
  /** Anomalous, but not yet for alerts.metrics.<metric>.pendingWindows windows: not notified yet. */
  readonly pending: boolean;
  /** What kept its notification quiet: a silence (its id) or a mute timing. */
  readonly silenced?: string;
  readonly notification?: NotificationKind;
  /** The notification's key: its outbox files are `alert-<key>.txt` and `.png`. */
  readonly key?: string;
  /** Why the notification did not go out, or went without its picture. */
  readonly problem?: string;
}

export interface SourceOutcome extends SourceStatus {
  readonly notification?: NotificationKind;
  readonly problem?: string;
}

export interface AlertResult {
  /** Start of the evaluated window. */
  readonly window: Date;
  readonly windows: number;
  readonly outcomes: readonly MetricOutcome[];
  readonly sources: readonly SourceOutcome[];
  /** Every notification this run decided, in order. */
  readonly notifications: readonly Notification[];
  /** Deliveries made by this run, its own and earlier ones'. */
  readonly deliveries: readonly DeliveryOutcome[];
}

/**
 * SPEC §5 at time t, as a pipeline: read the inputs (one query), build every series, judge them,
 * decide what to notify, compose the notifications, record them ahead of sending (with the
 * evaluations and the settled windows), and deliver. A dry run stops before the record.
 */
export async function runAlert(deps: AlertDeps, settings: AlertSettings, run: AlertRun): Promise<AlertResult> {
  try {
    return await evaluate(deps, settings, run);
  } catch (error) {
    if (!isMissingTable(error)) {
      throw error;
    }
    const explained = await explainSourceFailure(deps.warehouse, settings.sources, error);
    if (explained !== error) throw explained;
    // vigil's tables were dropped behind this process's back (sources simulated afresh by another
    // one): make them again, and forget what was counted from the old events. Whatever failed
    // came before anything was recorded or sent.
    forgetEnsured(deps.warehouse);
    deps.memory?.clear();
    return evaluate(deps, settings, run);
  }
}

async function evaluate(
  deps: AlertDeps,
  settings: AlertSettings,
  { at, dryRun = false }: AlertRun,
): Promise<AlertResult> {
  const { warehouse, memory } = deps;
  const window = evaluatedWindow(at, settings.lagMs);
  // The original's detector reads since the day before (SPEC §2); a seasonal one, weeks.
  const seasonal = settings.metrics.some((m) => m.detector.name !== 'iqr');
  const from = seasonal ? historyFrom(at, settings.timezone, settings.historyMs) : historyStart(at, settings.timezone);
  const end = window.getTime() + WINDOW_MS;
  await ensureVigilTables(warehouse, settings.tables);

  // 1. Inputs. A remembered quiet state (no incident open) settles every verdict but an alert.
  const remembered = memory?.quietState();
  const inputs = await readAlertInputs(warehouse, {
    sources: settings.sources,
    slices: settings.slices,
    tables: settings.tables,
    at,
    from,
    window,
    recountMs: settings.recountMs,
    freshFrom: new Date(Math.min(window.getTime(), at.getTime() - (settings.noDataMs ?? 0)) - WINDOW_MS),
    memory: memory?.windows,
    withState: remembered === undefined,
  });
  const arrival = arrivalOf(inputs, at, settings);
  // 2. Series: windows whose events have not arrived are unknown, not zero.
  const windows = windowStarts(from.getTime(), end);
  const arrivedUntil = { feed: arrival.judgeUntil, messages: arrival.judgeUntil };
  const series = sliceSeries(windows, inputs.windows, settings.slices, arrivedUntil);
  const arrived = new Set(end <= arrival.judgeUntil ? SOURCE_NAMES : []);
  const held = new Set(arrival.sources.filter((s) => s.stale).map((s) => s.source));
  // 3. Judgements, within each open incident; for an alert the warehouse has the last word on the state.
  let state: AlertState = inputs.state ?? remembered ?? new Map();
  let judgements = judge(series, settings.metrics, { state, held, arrived, past: inputs.pastIncidents });
  if (!inputs.state && (held.size > 0 || judgements.some((j) => j.verdict.alert))) {
    state = await readAlertState(warehouse, settings.tables);
    judgements = judge(series, settings.metrics, { state, held, arrived, past: inputs.pastIncidents });
  }
  // 4. Decisions.
  const decisions = decide(judgements, arrival.sources, state, window, settings.repeatMs);
  const sources = await Promise.all(
    decisions
      .flatMap((d) => (d.type === 'source' ? [d] : []))
      .map(async (d) => ({ ...d, status: await withNewest(warehouse, settings, d.status, d.kind, at) })),
  );
  const decided = [...sources, ...decisions.filter((d) => d.type === 'metric')];
  // Silences and mute timings: judged and recorded, not notified.
  const { all, quiet } = await applySilences(warehouse, settings, at, decided);
  // 5. The notifications.
  const composed = await composeNotifications(settings, window, all, deps.logger);
  const result = (deliveries: readonly DeliveryOutcome[]) =>
    describe(window, windows.length, all, composed, deliveries, quiet);
  const { delivery } = deps;
  if (dryRun || !delivery) return result([]);

  // 6. The record, ahead of any send: a crash from here on loses nothing.
  const destinations = (c: Composed) =>
    destinationsFor(
      delivery,
      'alert',
      c.decisions.map((d) => (d.type === 'metric' ? d.judgement.metric : NO_DATA)),
    );
  const journal = new NotificationJournal(warehouse, settings.tables);
  await journal.write(
    [...journalEntries(composed, window, destinations), ...quietEntries(quiet, window)],
    delivery.now(),
  );
  memory?.rememberState(state);
  for (const decision of [...all, ...quiet.filter((q) => q.decision.kind === 'resolved').map((q) => q.decision)]) {
    const next = nextState(decision, window);
    if (next) memory?.noteNotification(decisionKey(decision), next);
  }
  await recordEvaluations(warehouse, settings.tables, { at, window, judgements });
  await saveWindows(warehouse, settings.tables, inputs, {
    settledUntil: arrival.cacheUntil,
    from: from.getTime(),
    memory: memory?.windows,
  });
  // 7. Delivery: this run's notifications first, then any kept from earlier runs.
  const own = composed.map((c) => ({ notification: c.notification, destinations: destinations(c) }));
  return result(await dispatch(delivery, journal, own, inputs.pending));
}

/** What went wrong with this run's notifications, one line each (empty when nothing did). */
export function alertProblems(result: AlertResult): string[] {
  return [
    ...result.sources.flatMap((s) => (s.problem === undefined ? [] : [`no data ${s.source}: ${s.problem}`])),
    ...result.outcomes.flatMap((o) =>
      o.problem === undefined ? [] : [`${o.metric}${o.slice === '' ? '' : ` ${o.slice}`}: ${o.problem}`],
    ),
  ];
}

/**
 * Up to when the windows' events have arrived, from the sources' newest events: for judging, the
 * newest event of either source (a source that stops while the other flows is an outage, seen at
 * once); for the cache, of both (a window is frozen only when every source has passed it), and
 * never later than at − lag. And each source's freshness: stale when it has had no event for
 * alerts.noData.
 */
function arrivalOf(inputs: AlertInputs, at: Date, settings: AlertSettings) {
  const newest = SOURCE_NAMES.map((name) => inputs.freshness[name].newest ?? Number.NEGATIVE_INFINITY);
  const sources = SOURCE_NAMES.map((source): SourceStatus => {
    const before = inputs.freshness[source].newestBefore;
    const stale =
      settings.noDataMs !== undefined && (before === undefined || before < at.getTime() - settings.noDataMs);
    return { source, newest: before, stale };
  });
  return {
    judgeUntil: Math.max(...newest) + ARRIVAL_GRACE_MS,
    cacheUntil: Math.min(Math.min(...newest) + ARRIVAL_GRACE_MS, at.getTime() - settings.lagMs),
    sources,
  };
}

/** A source's newest event for its "no data" message, looked up beyond the freshness horizon when needed. */
async function withNewest(
  warehouse: Warehouse,
  settings: AlertSettings,
  status: SourceStatus,
  kind: NotificationKind | undefined,
  at: Date,
): Promise<SourceStatus> {
  if (kind === undefined || kind === 'resolved' || status.newest !== undefined) return status;
  return { ...status, newest: await newestEvent(warehouse, settings.sources[status.source], at) };
}

function describe(
  window: Date,
  windows: number,
  decisions: ReturnType<typeof decide>,
  composed: readonly Composed[],
  deliveries: readonly DeliveryOutcome[],
  quiet: readonly Quieted[],
): AlertResult {
  const silencedBy = new Map(quiet.map((q) => [decisionKey(q.decision), q.reason]));
  const byDecision = new Map(composed.flatMap((c) => c.decisions.map((d) => [decisionKey(d), c] as const)));
  const problemOf = (c: Composed | undefined) => {
    if (!c) return undefined;
    const failed = deliveries.find(
      (d) => d.id === notificationId(c.notification) && !d.sent && d.elsewhere === undefined,
    );
    return failed ? (failed.error ?? 'not delivered before the run ended; kept for the next run') : c.problem;
  };
  const outcomes: MetricOutcome[] = [];
  const sources: SourceOutcome[] = [];
  for (const decision of decisions) {
    const c = byDecision.get(decisionKey(decision));
    const problem = problemOf(c);
    const notified = { ...(c ? { notification: decision.kind } : {}), ...(problem === undefined ? {} : { problem }) };
    if (decision.type === 'source') {
      sources.push({ ...decision.status, ...notified });
      continue;
    }
    const { metric, slice, status, verdict, gated, pending } = decision.judgement;
    const key = c ? { key: c.notification.key } : {};
    const silenced = silencedBy.get(decisionKey(decision));
    outcomes.push({
      metric,
      slice,
      status,
      verdict,
      gated,
      pending,
      ...notified,
      ...key,
      ...(silenced === undefined ? {} : { silenced }),
    });
  }
  return { window, windows, outcomes, sources, notifications: composed.map((c) => c.notification), deliveries };
}
