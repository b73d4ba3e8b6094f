import type { Config, Locale } from '../config/schema.js';
import type { EtlSources } from '../etl/etl-queries.js';
import { sourcesFrom } from '../etl/etl-settings.js';
import type { Logger } from '../log/logger.js';
import { renderPng } from '../charts/render-png.js';
import { deliver, retryUndelivered, type Delivery } from '../notify/delivery.js';
import type { Notification } from '../notify/notifier.js';
import { addDays, startOfDay, toSqlDateTime, type IsoDate } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { buildReport, type ActivityRow, type DailyReport } from './report-data.js';
import { dailyActivitySql, dailyReceiversSql } from './report-queries.js';
import { reportChartSpec } from './report-chart.js';
import { renderReportText } from './report-text.js';

export interface ReportDeps {
  readonly warehouse: Warehouse;
  readonly delivery: Delivery;
  readonly logger: Logger;
}

export interface ReportSettings {
  readonly sources: EtlSources;
  readonly timezone: string;
  readonly locale: Locale;
}

export interface ReportResult {
  readonly report: DailyReport;
  readonly notification: Notification;
  /** Why the picture is missing, if it is (the text went out without it). */
  readonly imageError?: string;
}

/** The report's settings from the configuration. */
export function reportSettingsFrom(config: Config): ReportSettings {
  return { sources: sourcesFrom(config), timezone: config.timezone, locale: config.report.locale };
}

/** SPEC §4 for day D: two queries over D−7 … D, the text, the 7-day picture, delivery. */
export async function runReport(deps: ReportDeps, settings: ReportSettings, day: IsoDate): Promise<ReportResult> {
  await retryUndelivered(deps.delivery);
  const report = await queryReport(deps.warehouse, settings, day);
  const text = renderReportText(report, settings.locale);

  let image: Notification['image'];
  let imageError: string | undefined;
  try {
    image = { png: (await renderPng(reportChartSpec(report, settings.locale))).png, filename: `report-${day}.png` };
  } catch (error) {
    imageError = error instanceof Error ? error.message : String(error);
    deps.logger.error(`report: the picture could not be made (${imageError}); sending the text alone`);
  }
  const notification: Notification = { kind: 'report', key: day, text, ...(image ? { image } : {}) };
  await deliver(deps.delivery, notification);
  return { report, notification, ...(imageError === undefined ? {} : { imageError }) };
}

/** The report's numbers, computed in ClickHouse: a few rows per day reach Node. */
export async function queryReport(warehouse: Warehouse, settings: ReportSettings, day: IsoDate): Promise<DailyReport> {
  const params = {
    from: toSqlDateTime(startOfDay(addDays(day, -7), settings.timezone)),
    to: toSqlDateTime(startOfDay(addDays(day, 1), settings.timezone)),
    tz: settings.timezone,
  };
  const activity = await warehouse.query<ActivityRow>(dailyActivitySql(settings.sources), { params });
  const receivers = await warehouse.query<{ day: string; receivers: number }>(dailyReceiversSql(settings.sources), { params });
  return buildReport(day, activity, receivers);
}
