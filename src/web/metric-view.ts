import { readAlertState } from '../alert/alert-inputs.js';
import { isOpen, stateKey, type AlertState } from '../alert/alert-state.js';
import { watchWith } from '../detect/detectors.js';
import { metricName, METRICS, type AlertMetric } from '../metrics/metrics.js';
import { covers, SilenceStore } from '../silence/silences.js';
import type { UserAttribute } from '../sources/sources.js';
import { fromSqlDateTime, toSqlDateTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { whenMissing } from '../warehouse/warehouse-error.js';
import type { MetricSeries } from '../windows/window-counts.js';
import { readWindowHistory } from '../windows/window-history.js';
import { evaluatedWindow, historyFrom, historyStart, WINDOW_MS } from '../windows/windows.js';
import { RANGES, type MetricResponse, type RangeName } from './api-types.js';
import type { DashboardSettings } from './dashboard-data.js';
import { incidentView } from './incident-view.js';
import { silenceEnd, silenceView } from './silence-view.js';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 86_400_000;

export interface MetricViewRequest {
  readonly metric: AlertMetric;
  readonly slice: { readonly attribute: UserAttribute; readonly value: string } | undefined;
  readonly range: RangeName;
  /** Centre the view on this instant's window (an alert's link); undefined: end at the last evaluated window. */
  readonly at: Date | undefined;
  readonly now: Date;
}

/**
 * A metric's windows over a range with the detector's band, the same windows a week earlier, the
 * alerts decided, the silences that cover it and its open incident. An alert's `at` centres the
 * range on its window (never past the last evaluated one).
 */
export async function metricView(
  warehouse: Warehouse,
  settings: DashboardSettings,
  request: MetricViewRequest,
): Promise<MetricResponse> {
  const { metric, slice, now } = request;
  const latest = evaluatedWindow(now, settings.lagMs).getTime();
  const span = RANGES[request.range] * HOUR_MS;
  const centre = request.at === undefined ? latest : Math.min(evaluatedWindow(request.at, 0).getTime(), latest);
  const to = Math.min(centre + span / 2, latest) + WINDOW_MS;
  const from = to - span;
  const spec = settings.detectorOf(metric);
  // Enough history before the range for the detector's band and for last week's line.
  const readFrom = Math.min(
    from - WEEK_MS,
    spec.name === 'iqr'
      ? historyStart(new Date(from), settings.timezone).getTime()
      : historyFrom(new Date(from), settings.timezone, settings.historyMs).getTime(),
  );
  const history = await readWindowHistory(warehouse, {
    sources: settings.sources,
    windowsTable: settings.tables.windows,
    slice,
    from: readFrom,
    // Recent windows from raw events (late ones included), older ones from the alert's cache.
    rawFrom: Math.max(readFrom, historyStart(new Date(to - WINDOW_MS), settings.timezone).getTime()),
    to,
  });
  // Before the sources' first event the zeros are no history, not an outage (as the detectors read them).
  const started = firstActiveWindow(history.series);
  const series = history.series[metric].map((v, i) => (i < started ? undefined : v));
  const judge = watchWith(spec, METRICS[metric].kind).detector.prepare(series);
  const first = history.windows.findIndex((w) => w >= from);
  const weekBack = WEEK_MS / WINDOW_MS;
  const sliceKey = slice ? `${slice.attribute}=${slice.value}` : '';
  // The band each window was judged against when the alert judged it; recomputed for the others.
  const judged = await judgedBands(warehouse, settings, metric, sliceKey, from, to);
  const points = history.windows.slice(first).map((window, offset) => {
    const i = first + offset;
    const { low, up } = judged.get(window) ?? judge(i);
    return {
      window: new Date(window).toISOString(),
      value: series[i] ?? null,
      // The detector's band may reach below zero; no count does.
      low: floorAtZero(metric, low) ?? null,
      up: up ?? null,
      lastWeek: i >= weekBack ? (series[i - weekBack] ?? null) : null,
    };
  });

  const alerts = await warehouse
    .query<{ window: string; kind: string; value: number | null; low: number | null; up: number | null }>(
      `SELECT toString(window_start) AS window, kind, value, low, up FROM ${settings.tables.notifications.sql}
       WHERE entry = 'decided' AND subject = {metric:String} AND slice = {slice:String}
         AND kind IN ('started', 'repeated', 'resolved', 'silenced')
         AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
       ORDER BY window_start`,
      {
        params: {
          metric,
          slice: sliceKey,
          from: toSqlDateTime(new Date(from)),
          to: toSqlDateTime(new Date(to)),
        },
      },
    )
    .catch(whenMissing([]));
  // The silences that cover the metric now or will (scheduled ones): the one in force holds its incident.
  const silences = (
    await new SilenceStore(warehouse, settings.tables).current(now.getTime()).catch(whenMissing([]))
  ).filter((s) => covers(s, metric, sliceKey, Math.max(s.startsAt, now.getTime())));
  const inForce = silences.find((s) => covers(s, metric, sliceKey, now.getTime()));
  const last = (await readAlertState(warehouse, settings.tables).catch(whenMissing(new Map() as AlertState))).get(
    stateKey(metric, sliceKey),
  );
  const incident = isOpen(last)
    ? incidentView(metric, sliceKey, last, points.at(-1), silenceEnd(inForce), settings.locale)
    : null;
  return {
    metric,
    name: metricName(metric, settings.locale),
    kind: METRICS[metric].kind,
    slice: sliceKey,
    timezone: settings.timezone,
    range: request.range,
    window: new Date(centre).toISOString(),
    pinned: request.at !== undefined,
    points,
    alerts: alerts.map((a) => ({ ...a, window: fromSqlDateTime(a.window).toISOString() })),
    silences: silences.map(silenceView),
    incident,
  };
}

/** The latest evaluation's band of each window of [from, to) the alert judged. */
async function judgedBands(
  warehouse: Warehouse,
  settings: DashboardSettings,
  metric: AlertMetric,
  slice: string,
  from: number,
  to: number,
): Promise<Map<number, { low: number | undefined; up: number | undefined }>> {
  const rows = await warehouse
    .query<{ window: string; low: number | null; up: number | null }>(
      `SELECT toString(window_start) AS window, argMax(low, evaluated_at) AS low, argMax(up, evaluated_at) AS up
       FROM ${settings.tables.evaluations.sql}
       WHERE metric = {metric:String} AND slice = {slice:String}
         AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
       GROUP BY window_start`,
      { params: { metric, slice, from: toSqlDateTime(new Date(from)), to: toSqlDateTime(new Date(to)) } },
    )
    .catch(whenMissing([]));
  return new Map(
    rows.map((r) => [fromSqlDateTime(r.window).getTime(), { low: r.low ?? undefined, up: r.up ?? undefined }]),
  );
}

export function floorAtZero(metric: AlertMetric, low: number | undefined): number | undefined {
  return low === undefined || METRICS[metric].kind === 'ratio' ? low : Math.max(0, low);
}

/** The index of the first window with any event, by its metrics; the length when there is none. */
export function firstActiveWindow(series: MetricSeries): number {
  const counts = Object.values(series);
  const length = counts[0]?.length ?? 0;
  for (let i = 0; i < length; i++) if (counts.some((values) => (values[i] ?? 0) > 0)) return i;
  return length;
}
