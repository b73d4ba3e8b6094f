import type { ChartSpec } from '../charts/chart-spec.js';
import { dailyChartSpec } from '../charts/daily-chart.js';
import { windowChartSpec } from '../charts/window-chart.js';
import { queryDailyReport } from '../daily/daily-report.js';
import { watchWith, type DetectorSpec } from '../detect/detectors.js';
import type { Locale } from '../metrics/locale.js';
import { METRICS, type AlertMetric } from '../metrics/metrics.js';
import type { Sources, UserAttribute } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { addDays, daysBetween, fromSqlDateTime, toSqlDateTime, type IsoDate } from '../time/time.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { whenMissing } from '../warehouse/warehouse-error.js';
import { readWindowHistory } from '../windows/window-history.js';
import { evaluatedWindow, historyFrom, historyStart, WINDOW_MS } from '../windows/windows.js';

export interface DashboardSettings {
  readonly sources: Sources;
  readonly target: TableName;
  readonly tables: VigilTables;
  readonly timezone: string;
  readonly locale: Locale;
  readonly lagMs: number;
  /** How far back the alert reads windows for its detectors, and so does the band drawn here. */
  readonly historyMs: number;
  readonly detectorOf: (metric: AlertMetric) => DetectorSpec;
  /** The ETL's dimensions, for the slice page's choice. */
  readonly dimensions: readonly string[];
}

/** A metric's windows since the start of the day before `at`, with its band and the alerts sent. */
export async function metricView(
  warehouse: Warehouse,
  settings: DashboardSettings,
  metric: AlertMetric,
  slice: { attribute: UserAttribute; value: string } | undefined,
  at: Date,
) {
  const window = evaluatedWindow(at, settings.lagMs);
  // The chart shows since the day before; the band is judged from the detector's whole history.
  const from = historyStart(at, settings.timezone);
  const to = new Date(window.getTime() + WINDOW_MS);
  const params = { from: toSqlDateTime(from), to: toSqlDateTime(to) };
  const spec = settings.detectorOf(metric);
  const history = await readWindowHistory(warehouse, {
    sources: settings.sources,
    windowsTable: settings.tables.windows,
    slice,
    from: (spec.name === 'iqr' ? from : historyFrom(at, settings.timezone, settings.historyMs)).getTime(),
    rawFrom: from.getTime(),
    to: to.getTime(),
  });
  const shown = history.windows.findIndex((w) => w >= from.getTime());
  const windows = history.windows.slice(shown);
  const values = history.series[metric].slice(shown);
  const judge = watchWith(spec, METRICS[metric].kind).detector.prepare(history.series[metric]);
  const bands = windows.map((_, i) => {
    const { low, up } = judge(shown + i);
    return { low, up };
  });
  const sliceKey = slice ? `${slice.attribute}=${slice.value}` : '';
  const alerts = await warehouse
    .query<{ window: string; kind: string; value: number | null; low: number | null; up: number | null }>(
      `SELECT toString(window_start) AS window, kind, value, low, up FROM ${settings.tables.notifications.sql}
       WHERE entry = 'decided' AND subject = {metric:String} AND slice = {slice:String}
         AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
       ORDER BY window_start`,
      { params: { metric, slice: sliceKey, ...params } },
    )
    .catch(whenMissing([]));
  const marks = alerts.filter((a) => a.kind !== 'resolved').map((a) => fromSqlDateTime(a.window).getTime());
  const chart: ChartSpec = windowChartSpec({
    metric,
    windows,
    values,
    bands,
    marks,
    timezone: settings.timezone,
    locale: settings.locale,
    title: `${metric}${sliceKey === '' ? '' : `, ${sliceKey}`}`,
  });
  return {
    metric,
    slice: sliceKey,
    timezone: settings.timezone,
    window: window.toISOString(),
    points: windows.map((w, i) => ({
      window: new Date(w).toISOString(),
      value: values[i] ?? null,
      // The detector's band may reach below zero; no count does.
      low: floorAtZero(metric, bands[i]?.low) ?? null,
      up: bands[i]?.up ?? null,
    })),
    alerts: alerts.map((a) => ({ ...a, window: fromSqlDateTime(a.window).toISOString() })),
    spec: chart,
  };
}

/** The report's numbers of each day of [until − count + 1, until] (null without events), and its 7-day chart. */
export async function dailyView(warehouse: Warehouse, settings: DashboardSettings, until: IsoDate, count: number) {
  const report = await queryDailyReport(warehouse, {
    sources: settings.sources,
    timezone: settings.timezone,
    day: until,
    back: count - 1,
  });
  // The report's own picture of the last 7 of these days, as the browser draws it.
  const spec = dailyChartSpec(report, settings.locale);
  const days = daysBetween(addDays(until, -(count - 1)), until).map((day) => {
    const metrics = report.days.find((d) => d.day === day)?.metrics;
    return { day, metrics: metrics ? { ...metrics, ctr: metrics.ctr ?? null } : null };
  });
  return { days, spec };
}

/** The ETL's rows of a day and dimension. */
export async function slicesView(warehouse: Warehouse, settings: DashboardSettings, day: IsoDate, dimension: string) {
  return warehouse.query(
    `SELECT dimension_value, views, likes, messages_sent, messages_received, users_sent, users_received
     FROM ${settings.target.sql} WHERE event_date = {day:Date} AND dimension = {dimension:String}
     ORDER BY dimension_value`,
    { params: { day, dimension } },
  );
}

/** The latest notifications, newest first. */
export async function alertHistory(warehouse: Warehouse, settings: DashboardSettings, limit: number) {
  const journal = settings.tables.notifications.sql;
  const rows = await warehouse
    .query<{ window: string; metric: string; slice: string; kind: string; value: number | null; delivered: number }>(
      `SELECT toString(window_start) AS window, subject AS metric, slice, kind, value,
         message IN (SELECT message FROM ${journal} WHERE entry = 'sent') AS delivered
       FROM ${journal}
       WHERE entry = 'decided' AND kind IN ('started', 'repeated', 'resolved')
       ORDER BY window_start DESC LIMIT {limit:UInt32}`,
      { params: { limit } },
    )
    .catch(whenMissing([]));
  return rows.map((r) => ({ ...r, window: fromSqlDateTime(r.window).toISOString(), delivered: r.delivered === 1 }));
}

function floorAtZero(metric: AlertMetric, low: number | undefined): number | undefined {
  return low === undefined || METRICS[metric].kind === 'ratio' ? low : Math.max(0, low);
}
