import { evaluatedWindow, historyStart } from '../alert/alert-job.js';
import { alertChartSpec } from '../alert/alert-chart.js';
import { feedWindowsSql, messengerWindowsSql } from '../alert/alert-queries.js';
import { buildHistory, byWindowStart, WINDOW_MS, windowStarts, type FeedWindowRow, type MessengerWindowRow } from '../alert/alert-series.js';
import type { ChartSpec } from '../charts/chart-spec.js';
import type { AlertMetric, Locale, UserAttribute } from '../config/schema.js';
import { iqrDetector } from '../detect/iqr-detector.js';
import type { EtlSources } from '../etl/etl-queries.js';
import { buildReport, type ActivityRow } from '../report/report-data.js';
import { reportChartSpec } from '../report/report-chart.js';
import { dailyActivitySql, dailyReceiversSql } from '../report/report-queries.js';
import { addDays, daysBetween, fromSqlDateTime, startOfDay, toSqlDateTime, type IsoDate } from '../time/time.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';

export interface DashboardSettings {
  readonly sources: EtlSources;
  readonly target: TableName;
  readonly timezone: string;
  readonly locale: Locale;
  readonly lagMs: number;
  readonly metricOptions: (metric: AlertMetric) => { a: number; n: number };
  readonly notifications: TableName;
  /** The ETL's dimensions, for the slice page's choice. */
  readonly dimensions: readonly string[];
}

/** A metric's windows since the start of the day before `at`, with its band and the alerts sent. */
export async function metricView(warehouse: Warehouse, settings: DashboardSettings, metric: AlertMetric, slice: { attribute: UserAttribute; value: string } | undefined, at: Date) {
  const window = evaluatedWindow(at, settings.lagMs);
  const from = historyStart(at, settings.timezone);
  const to = new Date(window.getTime() + WINDOW_MS);
  const params = { from: toSqlDateTime(from), to: toSqlDateTime(to) };
  const keep = <Row extends { slice_value: string }>(rows: Row[]) => rows.filter((r) => r.slice_value === (slice?.value ?? ''));
  const feed = keep(await warehouse.query<FeedWindowRow>(feedWindowsSql(settings.sources, slice?.attribute), { params }));
  const messenger = keep(await warehouse.query<MessengerWindowRow>(messengerWindowsSql(settings.sources, slice?.attribute), { params }));
  const windows = windowStarts(from.getTime(), to.getTime());
  const values = buildHistory(windows, byWindowStart(feed), byWindowStart(messenger)).series[metric];
  const bands = iqrDetector(settings.metricOptions(metric)).bands(values);
  const sliceKey = slice ? `${slice.attribute}=${slice.value}` : '';
  const alerts = await warehouse.query<{ window: string; kind: string; value: number | null; low: number | null; up: number | null }>(
    `SELECT toString(window_start) AS window, kind, value, low, up FROM ${settings.notifications.sql}
     WHERE metric = {metric:String} AND slice = {slice:String} AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
     ORDER BY window_start`,
    { params: { metric, slice: sliceKey, ...params } },
  ).catch(emptyIfNoTable);
  const marks = alerts.filter((a) => a.kind !== 'resolved').map((a) => fromSqlDateTime(a.window).getTime());
  const spec: ChartSpec = alertChartSpec({ metric, windows, values, bands, marks, timezone: settings.timezone, locale: settings.locale, title: `${metric}${sliceKey === '' ? '' : `, ${sliceKey}`}` });
  return {
    metric,
    slice: sliceKey,
    timezone: settings.timezone,
    window: window.toISOString(),
    points: windows.map((w, i) => ({ window: new Date(w).toISOString(), value: values[i] ?? null, low: bands[i]?.low ?? null, up: bands[i]?.up ?? null })),
    alerts: alerts.map((a) => ({ ...a, window: fromSqlDateTime(a.window).toISOString() })),
    spec,
  };
}

/** The report's numbers for each day of [until − count + 1, until] (null without events), and the report's 7-day chart. */
export async function dailyView(warehouse: Warehouse, settings: DashboardSettings, until: IsoDate, count: number) {
  const from = addDays(until, -(count - 1));
  const params = { from: toSqlDateTime(startOfDay(from, settings.timezone)), to: toSqlDateTime(startOfDay(addDays(until, 1), settings.timezone)), tz: settings.timezone };
  const activity = await warehouse.query<ActivityRow>(dailyActivitySql(settings.sources), { params });
  const receivers = await warehouse.query<{ day: string; receivers: number }>(dailyReceiversSql(settings.sources), { params });
  // The report's own picture of the last 7 of these days, as the browser draws it.
  const spec = reportChartSpec(buildReport(until, activity, receivers), settings.locale);
  const days = daysBetween(from, until).map((day) => {
    const row = activity.find((r) => r.day === day);
    if (!row) return { day, metrics: null };
    const metrics = Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'day'));
    const views = row.views;
    return { day, metrics: { ...metrics, receivers: receivers.find((r) => r.day === day)?.receivers ?? 0, ctr: views > 0 ? row.likes / views : null } };
  });
  return { days, spec };
}

/** The ETL's rows of a day and dimension. */
export async function slicesView(warehouse: Warehouse, settings: DashboardSettings, day: IsoDate, dimension: string) {
  return warehouse.query(
    `SELECT dimension_value, views, likes, messages_sent, messages_received, users_sent, users_received
     FROM ${settings.target.sql} WHERE event_date = {day:Date} AND dimension = {dimension:String} ORDER BY dimension_value`,
    { params: { day, dimension } },
  );
}

/** The latest notifications, newest first. */
export async function alertHistory(warehouse: Warehouse, settings: DashboardSettings, limit: number) {
  const rows = await warehouse.query<{ window: string; metric: string; slice: string; kind: string; value: number | null; delivered: number }>(
    `SELECT toString(window_start) AS window, metric, slice, kind, value, delivered FROM ${settings.notifications.sql} ORDER BY window_start DESC LIMIT {limit:UInt32}`,
    { params: { limit } },
  ).catch(emptyIfNoTable);
  return rows.map((r) => ({ ...r, window: fromSqlDateTime(r.window).toISOString(), delivered: r.delivered === 1 }));
}

/** Before the first alert run there is no notifications table: that means no alerts, not an error. */
function emptyIfNoTable(error: unknown): never[] {
  if (error instanceof WarehouseError && (error.type === 'UNKNOWN_TABLE' || error.type === 'UNKNOWN_DATABASE')) return [];
  throw error;
}
