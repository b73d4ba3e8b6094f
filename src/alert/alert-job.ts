import { renderPng } from '../charts/render-png.js';
import { ALERT_METRICS, type AlertMetric, type Locale } from '../config/schema.js';
import { iqrDetector, type IqrOptions } from '../detect/iqr-detector.js';
import type { Verdict } from '../detect/detector.js';
import type { EtlSources } from '../etl/etl-queries.js';
import type { Logger } from '../log/logger.js';
import { deliver, retryUndelivered, UndeliveredError, type Delivery } from '../notify/delivery.js';
import type { Notification } from '../notify/notifier.js';
import { addDays, dayOf, floorToMinutes, fromSqlDateTime, startOfDay, toSqlDateTime } from '../time/time.js';
import { quoteIdentifier, tableName, type TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { alertChartSpec } from './alert-chart.js';
import { metricName, renderAlertText } from './alert-message.js';
import {
  cachedWindowsSql,
  createEvaluationsTableSql,
  createNotificationsTableSql,
  createWindowsTableSql,
  feedWindowsSql,
  lastNotificationsSql,
  messengerWindowsSql,
} from './alert-queries.js';
import { buildHistory, type AlertHistory, type FeedWindowRow, type MessengerWindowRow } from './alert-series.js';
import { decideNotification, type LastNotification, type NotificationKind } from './alert-state.js';
import { worthNotifying } from './noise-gate.js';

export interface AlertDeps {
  readonly warehouse: Warehouse;
  readonly delivery: Delivery;
  readonly logger: Logger;
}

export interface AlertSettings {
  readonly sources: EtlSources;
  readonly timezone: string;
  readonly locale: Locale;
  /** Database of the evaluation and notification tables. */
  readonly database: string;
  readonly lagMs: number;
  readonly repeatMs: number;
  readonly dashboardUrl: string | undefined;
  /** The metrics watched, each with its detector options and its noise gate. */
  readonly metrics: readonly { readonly metric: AlertMetric; readonly options: IqrOptions; readonly minChange: number }[];
}

export interface MetricOutcome {
  readonly metric: AlertMetric;
  /** The detector's verdict; `alert` is true only if it also passed the noise gate. */
  readonly verdict: Verdict;
  /** The detector alone said alert, but the deviation was within noise: not notified. */
  readonly gated: boolean;
  readonly notification?: NotificationKind;
  /** Why the notification did not go out, or went without its picture. */
  readonly problem?: string;
}

export interface AlertResult {
  /** Start of the evaluated window. */
  readonly window: Date;
  readonly windows: number;
  readonly outcomes: readonly MetricOutcome[];
}

const WINDOW_MS = 15 * 60_000;

/** The evaluated window for an evaluation time: the last complete one before at − lag (SPEC §2). */
export function evaluatedWindow(at: Date, lagMs: number): Date {
  return new Date(floorToMinutes(new Date(at.getTime() - lagMs), 15).getTime() - WINDOW_MS);
}

export function alertTables(database: string): { evaluations: TableName; notifications: TableName; windows: TableName } {
  return {
    evaluations: tableName(`${database}.alert_evaluations`),
    notifications: tableName(`${database}.alert_notifications`),
    windows: tableName(`${database}.alert_windows`),
  };
}

/** Forgets every evaluation and notification, for when the sources were replaced wholesale. */
export async function discardAlertState(warehouse: Warehouse, database: string): Promise<void> {
  const tables = alertTables(database);
  await warehouse.command(`DROP TABLE IF EXISTS ${tables.evaluations.sql}`, { idempotent: true });
  await warehouse.command(`DROP TABLE IF EXISTS ${tables.notifications.sql}`, { idempotent: true });
  await warehouse.command(`DROP TABLE IF EXISTS ${tables.windows.sql}`, { idempotent: true });
}

/** Windows recomputed from raw events on every run: the evaluated one and the one before it. */
const FRESH_WINDOWS = 2;

/**
 * Every window from `from` to the evaluated one. Older windows come from the window cache; the
 * last FRESH_WINDOWS, and any the cache lacks, are computed from raw events (one query per source,
 * empty windows as 0) and cached. A window keeps being recomputed for half an hour, so events that
 * land in it a little late (a live source's last minute) are still counted; events later than that
 * (or than alerts.lag) are not seen by later evaluations.
 */
async function windowHistory(warehouse: Warehouse, settings: AlertSettings, cache: TableName, from: Date, window: Date): Promise<AlertHistory> {
  const sources = `${settings.sources.feed.sql}|${settings.sources.messages.sql}`;
  const to = new Date(window.getTime() + WINDOW_MS);
  const freshFrom = new Date(Math.max(from.getTime(), to.getTime() - FRESH_WINDOWS * WINDOW_MS));
  const cached = await warehouse.query<FeedWindowRow & MessengerWindowRow>(cachedWindowsSql(cache), {
    params: { sources, from: toSqlDateTime(from), to: toSqlDateTime(freshFrom) },
  });
  // Reuse the cache up to its first gap; compute everything after it.
  let reusable = 0;
  while (reusable < cached.length && cached[reusable]?.window === toSqlDateTime(new Date(from.getTime() + reusable * WINDOW_MS))) reusable++;
  const computeFrom = new Date(from.getTime() + reusable * WINDOW_MS);
  const params = { from: toSqlDateTime(computeFrom), to: toSqlDateTime(to) };
  const feed = await warehouse.query<FeedWindowRow>(feedWindowsSql(settings.sources), { params });
  const messenger = await warehouse.query<MessengerWindowRow>(messengerWindowsSql(settings.sources), { params });
  const messengerByWindow = new Map(messenger.map((row) => [row.window, row]));
  const computed = feed.map((row) => ({ ...row, senders: messengerByWindow.get(row.window)?.senders ?? 0, messages: messengerByWindow.get(row.window)?.messages ?? 0 }));
  await warehouse.insert(cache, computed.map(({ window: start, ...metrics }) => ({ sources, window_start: start, ...metrics })), { idempotent: true });
  const rows = [...cached.slice(0, reusable), ...computed];
  const history = buildHistory(rows, rows);
  if (history.windows.length === 0 || history.windows.at(-1) !== window.getTime() || history.windows[0] !== from.getTime()) {
    throw new Error(`the windows run from ${String(history.windows[0])} to ${String(history.windows.at(-1))}, not ${from.toISOString()} to ${window.toISOString()}`);
  }
  return history;
}

/**
 * SPEC §5 at time t: every window from the start of the day before t's day to the evaluated one
 * (one query per source, empty windows as 0), the detector per metric, the state decides who
 * hears about it, and every evaluation and notification is recorded.
 */
export async function runAlert(deps: AlertDeps, settings: AlertSettings, at: Date): Promise<AlertResult> {
  const { warehouse, logger } = deps;
  await retryUndelivered(deps.delivery);
  const window = evaluatedWindow(at, settings.lagMs);
  const from = startOfDay(addDays(dayOf(at, settings.timezone), -1), settings.timezone);
  const tables = alertTables(settings.database);
  await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(settings.database)}`, { idempotent: true });
  await warehouse.command(createEvaluationsTableSql(tables.evaluations), { idempotent: true });
  await warehouse.command(createNotificationsTableSql(tables.notifications), { idempotent: true });
  await warehouse.command(createWindowsTableSql(tables.windows), { idempotent: true });
  const history = await windowHistory(warehouse, settings, tables.windows, from, window);

  const state = new Map(
    (await warehouse.query<{ metric: string; slice: string; last_window: string; last_kind: NotificationKind; started: string }>(lastNotificationsSql(tables.notifications)))
      .filter((row) => row.slice === '')
      .map((row): [string, LastNotification] => [row.metric, { kind: row.last_kind, window: fromSqlDateTime(row.last_window).getTime(), started: fromSqlDateTime(row.started).getTime() }]),
  );

  const outcomes: MetricOutcome[] = [];
  const evaluations: Record<string, unknown>[] = [];
  for (const { metric, options, minChange } of settings.metrics) {
    const detector = iqrDetector(options);
    const values = history.series[metric];
    const raw = detector.judgeLast(values);
    const gated = raw.alert && !worthNotifying(metric, values, raw, { minChange, n: options.n });
    const verdict = gated ? { ...raw, alert: false } : raw;
    evaluations.push({
      evaluated_at: toSqlDateTime(at), window_start: toSqlDateTime(window), metric, slice: '',
      value: raw.value ?? null, low: raw.low ?? null, up: raw.up ?? null, alert: raw.alert ? 1 : 0, notified: verdict.alert ? 1 : 0,
    });
    const last = state.get(metric);
    const kind = decideNotification(last, verdict, window.getTime(), settings.repeatMs);
    if (!kind) {
      outcomes.push({ metric, verdict, gated });
      continue;
    }
    const started = kind === 'started' ? window : last ? new Date(last.started) : undefined;
    const text = renderAlertText({
      kind, metric, verdict, previous: values.at(-2), window, started,
      timezone: settings.timezone, locale: settings.locale, dashboardUrl: settings.dashboardUrl,
    });
    const key = `${metric}-${toSqlDateTime(window).replace(' ', 'T').replaceAll(':', '')}-${kind}`;
    let problem: string | undefined;
    let image: Notification['image'];
    try {
      const chart = alertChartSpec({
        metric, windows: history.windows, values, bands: detector.bands(values), timezone: settings.timezone, locale: settings.locale,
        title: `${metricName(metric, settings.locale)} · ${new Intl.DateTimeFormat('en-CA', { timeZone: settings.timezone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(window)}`,
      });
      image = { png: (await renderPng(chart)).png, filename: `alert-${key}.png` };
    } catch (error) {
      problem = `the picture could not be made (${error instanceof Error ? error.message : String(error)}); the text went alone`;
      logger.error(`alert ${metric}: ${problem}`);
    }
    let delivered = true;
    try {
      await deliver(deps.delivery, { kind: 'alert', key, text, ...(image ? { image } : {}) });
    } catch (error) {
      if (!(error instanceof UndeliveredError)) throw error;
      delivered = false;
      problem = error.message;
    }
    await warehouse.insert(tables.notifications, [
      { window_start: toSqlDateTime(window), metric, slice: '', kind, value: verdict.value ?? null, low: verdict.low ?? null, up: verdict.up ?? null, delivered: delivered ? 1 : 0, text },
    ]);
    outcomes.push({ metric, verdict, gated, notification: kind, ...(problem === undefined ? {} : { problem }) });
  }
  await warehouse.insert(tables.evaluations, evaluations);
  return { window, windows: history.windows.length, outcomes };
}

/** The watched metrics from config: all of SPEC §5's, minus those switched off. */
export function alertMetricsFrom(configured: Partial<Record<AlertMetric, { enabled: boolean; a: number; n: number; minChange: number }>>): AlertSettings['metrics'] {
  return ALERT_METRICS.flatMap((metric) => {
    const settings = configured[metric] ?? { enabled: true, a: 4, n: 5, minChange: 0.2 };
    return settings.enabled ? [{ metric, options: { a: settings.a, n: settings.n }, minChange: settings.minChange }] : [];
  });
}
