import { readAlertState, newestEvent } from '../alert/alert-inputs.js';
import { NO_DATA } from '../alert/alert-decide.js';
import { isOpen, stateKey, type AlertState } from '../alert/alert-state.js';
import { isAlertMetric, metricName, METRICS, type AlertMetric } from '../metrics/metrics.js';
import type { JobName } from '../schedule/jobs.js';
import type { RunLedger, RunRecord } from '../schedule/run-ledger.js';
import { covers, SilenceStore, type Silence } from '../silence/silences.js';
import { parseSlice, SOURCE_NAMES } from '../sources/sources.js';
import { addDays, dayOf, fromSqlDateTime, startOfDay } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { whenMissing } from '../warehouse/warehouse-error.js';
import { readWindowHistory } from '../windows/window-history.js';
import { evaluatedWindow, WINDOW_MS } from '../windows/windows.js';
import type { IncidentView, JobRun, OverviewResponse, SparkPoint, Tile, TileState } from './api-types.js';
import type { DashboardSettings } from './dashboard-data.js';
import { incidentView } from './incident-view.js';
import { firstActiveWindow, floorAtZero } from './metric-view.js';
import { silenceEnd, silenceView } from './silence-view.js';

interface Evaluation {
  readonly metric: string;
  readonly slice: string;
  readonly window: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly up: number | null;
  readonly alert: number;
  readonly notified: number;
  readonly evaluated: string;
}

export interface OverviewDeps {
  readonly warehouse: Warehouse;
  readonly settings: DashboardSettings;
  readonly ledger: RunLedger;
  /** This process's last runs, newer than the ledger may be. */
  readonly lastRuns: () => ReadonlyMap<JobName, RunRecord>;
}

/**
 * What an on-call person needs first: every watched metric (and slice) with its last window's
 * value, band and state, today against last week; the open incidents; the sources' newest events;
 * the last run of each job; the silences in force.
 */
export async function overviewView(deps: OverviewDeps, now: Date): Promise<OverviewResponse> {
  const { warehouse, settings } = deps;
  const evaluations = await latestEvaluations(warehouse, settings);
  const state = await readAlertState(warehouse, settings.tables).catch(whenMissing(new Map() as AlertState));
  const silences = await new SilenceStore(warehouse, settings.tables).current(now.getTime()).catch(whenMissing([]));
  const at = now.getTime();
  const noData = new Map(
    [...state]
      .filter(([key, last]) => key.startsWith(`${NO_DATA}|`) && isOpen(last))
      .map(([key, last]) => [key.slice(NO_DATA.length + 1), last.started] as const),
  );

  const subjects = [
    ...settings.metrics.map((metric) => ({ metric, slice: '' })),
    ...[...evaluations.values()]
      .filter((e) => e.slice !== '' && isAlertMetric(e.metric) && settings.metrics.includes(e.metric))
      .map((e) => ({ metric: e.metric as AlertMetric, slice: e.slice }))
      .sort(
        (a, b) =>
          a.slice.localeCompare(b.slice) || settings.metrics.indexOf(a.metric) - settings.metrics.indexOf(b.metric),
      ),
  ];
  const sparks = await sparklines(warehouse, settings, now, [...new Set(subjects.map((s) => s.slice))]);

  const tiles = subjects.map(({ metric, slice }): Tile => {
    const key = stateKey(metric, slice);
    const evaluation = evaluations.get(key);
    const last = state.get(key);
    const silence = silences.find((s) => covers(s, metric, slice, at));
    const spark = sparks.get(slice);
    return {
      metric,
      slice,
      name: metricName(metric, settings.locale),
      kind: METRICS[metric].kind,
      state: tileState(evaluation, isOpen(last) ? last : undefined, noData.has(METRICS[metric].source), silence),
      window: evaluation ? fromSqlDateTime(evaluation.window).toISOString() : null,
      value: evaluation?.value ?? null,
      low: evaluation ? (floorAtZero(metric, evaluation.low ?? undefined) ?? null) : null,
      up: evaluation?.up ?? null,
      evaluatedAt: evaluation ? fromSqlDateTime(evaluation.evaluated).toISOString() : null,
      since: isOpen(last) ? new Date(last.started).toISOString() : null,
      silencedUntil: silenceEnd(silence),
      today: spark?.today[metric] ?? [],
      lastWeek: spark?.lastWeek[metric] ?? [],
    };
  });

  const incidents = [...state]
    .filter(([key, last]) => isOpen(last) && !key.startsWith(`${NO_DATA}|`))
    .flatMap(([key, last]): IncidentView[] => {
      const [metric = '', slice = ''] = key.split('|');
      if (!isAlertMetric(metric)) return [];
      const evaluation = evaluations.get(key);
      const latest = evaluation && {
        value: evaluation.value,
        low: floorAtZero(metric, evaluation.low ?? undefined) ?? null,
        up: evaluation.up,
      };
      const silence = silences.find((s) => covers(s, metric, slice, at));
      return [incidentView(metric, slice, last, latest, silenceEnd(silence), settings.locale)];
    })
    .sort((a, b) => a.since.localeCompare(b.since));

  return {
    now: now.toISOString(),
    timezone: settings.timezone,
    tiles,
    incidents,
    noData: [...noData].map(([source, since]) => ({ source, since: new Date(since).toISOString() })),
    sources: await freshness(warehouse, settings, now),
    jobs: await lastJobRuns(deps),
    silences: silences.map(silenceView),
  };
}

/** Worst first: a state hides the ones below it. */
function tileState(
  evaluation: Evaluation | undefined,
  incident: { acknowledged?: boolean } | undefined,
  noData: boolean,
  silence: Silence | undefined,
): TileState {
  if (noData) return 'no data';
  if (evaluation === undefined && incident === undefined) return 'not yet evaluated';
  if (silence) return 'silenced';
  if (incident) return incident.acknowledged === true ? 'acknowledged' : 'anomalous';
  return evaluation?.alert === 1 && evaluation.notified === 1 ? 'anomalous' : 'ok';
}

/** The newest evaluation of each metric and slice. */
async function latestEvaluations(warehouse: Warehouse, settings: DashboardSettings) {
  const rows = await warehouse
    .query<Evaluation>(
      `SELECT metric, slice, toString(max(window_start)) AS window,
         argMax(value, (window_start, evaluated_at)) AS value, argMax(low, (window_start, evaluated_at)) AS low,
         argMax(up, (window_start, evaluated_at)) AS up, argMax(alert, (window_start, evaluated_at)) AS alert,
         argMax(notified, (window_start, evaluated_at)) AS notified, toString(max(evaluated_at)) AS evaluated
       FROM ${settings.tables.evaluations.sql} GROUP BY metric, slice`,
    )
    .catch(whenMissing([]));
  return new Map(rows.map((row) => [stateKey(row.metric, row.slice), row]));
}

interface Sparks {
  readonly today: Record<string, SparkPoint[]>;
  readonly lastWeek: Record<string, SparkPoint[]>;
}

/** Each slice's metrics since local midnight, and over the same day a week earlier. */
async function sparklines(
  warehouse: Warehouse,
  settings: DashboardSettings,
  now: Date,
  slices: readonly string[],
): Promise<Map<string, Sparks>> {
  const today = dayOf(now, settings.timezone);
  const midnight = startOfDay(today, settings.timezone).getTime();
  const weekAgo = startOfDay(addDays(today, -7), settings.timezone).getTime();
  const to = evaluatedWindow(now, settings.lagMs).getTime() + WINDOW_MS;
  const result = new Map<string, Sparks>();
  for (const slice of slices) {
    const history = await readWindowHistory(warehouse, {
      sources: settings.sources,
      windowsTable: settings.tables.windows,
      slice: parseSlice(slice),
      from: weekAgo,
      rawFrom: midnight,
      to,
    });
    const sparks: Sparks = { today: {}, lastWeek: {} };
    // Before a source's first event the zeros are no history, not an outage (as the detectors read them).
    const started = firstActiveWindow(history.series);
    for (const metric of settings.metrics) {
      const points = (start: number, end: number) =>
        history.windows.flatMap((window, i) =>
          window >= start && window < end
            ? [
                {
                  minute: Math.round((window - start) / 60_000),
                  value: i < started ? null : (history.series[metric][i] ?? null),
                },
              ]
            : [],
        );
      sparks.today[metric] = points(midnight, to);
      sparks.lastWeek[metric] = points(weekAgo, startOfDay(addDays(today, -6), settings.timezone).getTime());
    }
    result.set(slice, sparks);
  }
  return result;
}

/** Each source's newest event; a source that cannot be read says why instead of failing the page. */
async function freshness(warehouse: Warehouse, settings: DashboardSettings, now: Date) {
  return Promise.all(
    SOURCE_NAMES.map(async (source) => {
      const table = settings.sources[source];
      try {
        const newest = await newestEvent(warehouse, table, new Date(now.getTime() + 60_000));
        return {
          source,
          table: `${table.database}.${table.table}`,
          newest: newest === undefined ? null : new Date(newest).toISOString(),
        };
      } catch (error) {
        return {
          source,
          table: `${table.database}.${table.table}`,
          newest: null,
          error: (error as Error).message.split('\n')[0] ?? '',
        };
      }
    }),
  );
}

/** The last attempt of each job, from the ledger and this process. */
async function lastJobRuns(deps: OverviewDeps): Promise<JobRun[]> {
  const latest = new Map<string, RunRecord>();
  for (const run of await deps.ledger.recent({ limit: 200 }).catch(whenMissing([]))) {
    if (!latest.has(run.job)) latest.set(run.job, run);
  }
  for (const [job, run] of deps.lastRuns()) {
    const known = latest.get(job);
    if (!known || known.finishedAt < run.finishedAt) latest.set(job, run);
  }
  return [...latest.values()].map((run) => ({
    job: run.job,
    logical: run.logical,
    status: run.status,
    attempt: run.attempt,
    finishedAt: run.finishedAt.toISOString(),
    error: run.error,
  }));
}
