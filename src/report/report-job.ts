import { dailyChartSpec } from '../charts/daily-chart.js';
import { renderPng } from '../charts/render-png.js';
import { queryDailyReport, type DailyReport } from '../daily/daily-report.js';
import type { Logger } from '../log/logger.js';
import type { Locale } from '../metrics/locale.js';
import { deliver, retryUndelivered, type Delivery } from '../notify/delivery.js';
import type { Notification } from '../notify/notifier.js';
import { explainSourceFailure } from '../sources/source-check.js';
import type { Sources } from '../sources/sources.js';
import type { IsoDate } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { renderReportText } from './report-text.js';

export interface ReportDeps {
  readonly warehouse: Warehouse;
  readonly delivery: Delivery;
  readonly logger: Logger;
}

export interface ReportSettings {
  readonly sources: Sources;
  readonly timezone: string;
  readonly locale: Locale;
}

export interface ReportResult {
  readonly report: DailyReport;
  readonly notification: Notification;
  /** Why the picture is missing, if it is (the text went out without it). */
  readonly imageError?: string;
}

/** SPEC §4 for day D: two queries over D−7 … D, the text, the 7-day picture, delivery. */
export async function runReport(deps: ReportDeps, settings: ReportSettings, day: IsoDate): Promise<ReportResult> {
  await retryUndelivered(deps.delivery);
  const report = await queryReport(deps.warehouse, settings, day);
  const text = renderReportText(report, settings.locale);

  let image: Notification['image'];
  let imageError: string | undefined;
  try {
    image = { png: (await renderPng(dailyChartSpec(report, settings.locale))).png, filename: `report-${day}.png` };
  } catch (error) {
    imageError = error instanceof Error ? error.message : String(error);
    deps.logger.error(`report: the picture could not be made (${imageError}); sending the text alone`);
  }
  const notification: Notification = { kind: 'report', key: day, text, ...(image ? { image } : {}) };
  await deliver(deps.delivery, notification);
  return { report, notification, ...(imageError === undefined ? {} : { imageError }) };
}

/** The report's numbers: D and the seven days before it. A missing source table names its config key. */
export async function queryReport(warehouse: Warehouse, settings: ReportSettings, day: IsoDate): Promise<DailyReport> {
  try {
    return await queryDailyReport(warehouse, { sources: settings.sources, timezone: settings.timezone, day, back: 7 });
  } catch (error) {
    throw await explainSourceFailure(warehouse, settings.sources, error);
  }
}
