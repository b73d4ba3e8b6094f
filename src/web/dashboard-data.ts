import { dailyChartSpec } from '../charts/daily-chart.js';
import { queryDailyReport } from '../daily/daily-report.js';
import type { DetectorSpec } from '../detect/detectors.js';
import type { Locale } from '../metrics/locale.js';
import { isAlertMetric, metricName, type AlertMetric } from '../metrics/metrics.js';
import type { Sources } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { addDays, daysBetween, fromSqlDateTime, type IsoDate } from '../time/time.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { whenMissing } from '../warehouse/warehouse-error.js';

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
  /** The metrics the alert watches, in order. */
  readonly metrics: readonly AlertMetric[];
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
  return rows.map((r) => ({
    ...r,
    // A source without data is its subject; a metric has a name people read.
    name: isAlertMetric(r.metric)
      ? metricName(r.metric, settings.locale)
      : r.metric === 'no_data'
        ? 'no data'
        : r.metric,
    window: fromSqlDateTime(r.window).toISOString(),
    delivered: r.delivered === 1,
  }));
}
