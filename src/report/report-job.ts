import { dailyChartSpec } from '../charts/daily-chart.js';
import { renderPng } from '../charts/render-png.js';
import { queryDailyReport, type DailyReport } from '../daily/daily-report.js';
import type { Logger } from '../log/logger.js';
import type { Locale } from '../metrics/locale.js';
import { destinationsFor, dispatch, type Delivery, type DeliveryOutcome } from '../notify/dispatch.js';
import { NotificationJournal } from '../notify/journal.js';
import { notificationId, type Notification } from '../notify/notifier.js';
import { explainSourceFailure } from '../sources/source-check.js';
import type { Sources } from '../sources/sources.js';
import { ensureVigilTables, type VigilTables } from '../tables/vigil-tables.js';
import { startOfDay, type IsoDate } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { renderReportText } from './report-text.js';
import { whenMissing } from '../warehouse/warehouse-error.js';

export interface ReportDeps {
  readonly warehouse: Warehouse;
  /** Where the report goes; a dry run has none. */
  readonly delivery: Delivery | undefined;
  readonly logger: Logger;
}

export interface ReportSettings {
  readonly sources: Sources;
  readonly tables: VigilTables;
  readonly timezone: string;
  readonly locale: Locale;
}

export interface ReportRun {
  readonly day: IsoDate;
  /** Send again to destinations that already have the day's report. */
  readonly force?: boolean;
  /** Compose, but write nothing and send nothing. */
  readonly dryRun?: boolean;
}

export interface ReportResult {
  readonly report: DailyReport;
  readonly notification: Notification;
  /** Why the picture is missing, if it is (the text went out without it). */
  readonly imageError?: string;
  /** Destinations that had the day's report before this run: nothing went to them (unless forced). */
  readonly alreadyDelivered: readonly string[];
  /** Deliveries made by this run: the report, then what earlier runs kept. */
  readonly deliveries: readonly DeliveryOutcome[];
}

/**
 * SPEC §4 for day D: two queries over D−7 … D, the text, the 7-day picture, and delivery once per
 * day and destination: the report is recorded in the journal before it is sent, and a destination
 * that has the day's report gets it again only when forced.
 */
export async function runReport(deps: ReportDeps, settings: ReportSettings, run: ReportRun): Promise<ReportResult> {
  const { day } = run;
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
  const result = { report, notification, ...(imageError === undefined ? {} : { imageError }) };
  const { delivery } = deps;
  if (run.dryRun || !delivery) {
    // A dry run reads (never creates) the journal, to say truly whether a real run would send.
    const sent = await new NotificationJournal(deps.warehouse, settings.tables)
      .sentTo([notificationId(notification)])
      .catch(whenMissing(new Map<string, Set<string>>()));
    return { ...result, alreadyDelivered: [...(sent.get(notificationId(notification)) ?? [])], deliveries: [] };
  }

  await ensureVigilTables(deps.warehouse, settings.tables);
  const journal = new NotificationJournal(deps.warehouse, settings.tables);
  const id = notificationId(notification);
  const destinations = destinationsFor(delivery, 'report', ['report']);
  const sent = (await journal.sentTo([id])).get(id) ?? new Set<string>();
  const alreadyDelivered = destinations.filter((d) => sent.has(d));
  const targets = run.force ? destinations : destinations.filter((d) => !sent.has(d));
  if (targets.length > 0) {
    const decided = { subject: 'report', slice: '', kind: 'report', window: startOfDay(day, settings.timezone) };
    await journal.write([{ decisions: [decided], notification, destinations: targets }], delivery.now());
  }
  const deliveries = await dispatch(
    delivery,
    journal,
    targets.length > 0 ? [{ notification, destinations: targets }] : [],
    undefined,
    { resend: run.force },
  );
  return { ...result, alreadyDelivered, deliveries };
}

/** Why the day's own report did not reach a destination in this run, if it did not. */
export function undelivered(result: ReportResult): string | undefined {
  const id = notificationId(result.notification);
  const failed = result.deliveries.filter((d) => d.id === id && !d.sent && d.elsewhere === undefined);
  if (failed.length === 0) return undefined;
  const reasons = failed.map((d) => `${d.destination}: ${d.error ?? 'the run ended before its turn'}`).join('; ');
  return `report ${result.notification.key} was not delivered (${reasons}); it is kept and sent on the next run`;
}

/** The report's numbers: D and the seven days before it. A missing source table names its config key. */
export async function queryReport(warehouse: Warehouse, settings: ReportSettings, day: IsoDate): Promise<DailyReport> {
  try {
    return await queryDailyReport(warehouse, { sources: settings.sources, timezone: settings.timezone, day, back: 7 });
  } catch (error) {
    throw await explainSourceFailure(warehouse, settings.sources, error);
  }
}
