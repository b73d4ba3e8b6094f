import { renderPng } from '../charts/render-png.js';
import { ALERT_METRICS, type AlertMetric, type Config, type Locale, type UserAttribute } from '../config/schema.js';
import { iqrDetector, type IqrOptions } from '../detect/iqr-detector.js';
import type { Detector, Verdict } from '../detect/detector.js';
import type { EtlSources } from '../etl/etl-queries.js';
import { sourcesFrom } from '../etl/etl-settings.js';
import type { Logger } from '../log/logger.js';
import { deliver, retryUndelivered, UndeliveredError, type Delivery } from '../notify/delivery.js';
import type { Notification } from '../notify/notifier.js';
import { addDays, dayOf, floorToMinutes, startOfDay, toSqlDateTime } from '../time/time.js';
import { quoteIdentifier, tableName, type TableName } from '../warehouse/identifiers.js';
import { ensureOnce, forgetEnsured } from '../warehouse/ensure-once.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { alertChartSpec } from './alert-chart.js';
import { metricName, renderAlertText } from './alert-message.js';
import { readAlertInputs, readAlertState } from './alert-inputs.js';
import type { AlertMemory } from './alert-memory.js';
import { createEvaluationsTableSql, createNotificationsTableSql, createWindowsTableSql } from './alert-queries.js';
import { WINDOW_MS, type AlertHistory } from './alert-series.js';
import { decideNotification, type AlertState, type LastNotification, type NotificationKind } from './alert-state.js';
import { worthNotifying } from './noise-gate.js';

export interface AlertDeps {
  readonly warehouse: Warehouse;
  readonly delivery: Delivery;
  readonly logger: Logger;
  /** Kept across the runs of a long-running process (`vigil serve`); one-off runs have none. */
  readonly memory?: AlertMemory | undefined;
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
  /** Attributes whose every value is also watched on its own (alerts.slices). */
  readonly slices: readonly UserAttribute[];
  /** The metrics watched, each with its detector options and its noise gate. */
  readonly metrics: readonly { readonly metric: AlertMetric; readonly options: IqrOptions; readonly minChange: number }[];
}

export interface MetricOutcome {
  readonly metric: AlertMetric;
  /** '' for the whole product, else `attribute=value`, e.g. `os=iOS`. */
  readonly slice: string;
  /** The detector's verdict; `alert` is true only if it also passed the noise gate. */
  readonly verdict: Verdict;
  /** The detector alone said alert, but the deviation was within noise: not notified. */
  readonly gated: boolean;
  readonly notification?: NotificationKind;
  /** The notification's key: its outbox files are `alert-<key>.txt` and `.png`. */
  readonly key?: string;
  /** Why the notification did not go out, or went without its picture. */
  readonly problem?: string;
}

export interface AlertResult {
  /** Start of the evaluated window. */
  readonly window: Date;
  readonly windows: number;
  readonly outcomes: readonly MetricOutcome[];
}

/** The evaluated window for an evaluation time: the last complete one before at − lag (SPEC §2). */
export function evaluatedWindow(at: Date, lagMs: number): Date {
  return new Date(floorToMinutes(new Date(at.getTime() - lagMs), 15).getTime() - WINDOW_MS);
}

/** The first window of the history judged at `at`: the start of the day before at's day (SPEC §2). */
export function historyStart(at: Date, timezone: string): Date {
  return startOfDay(addDays(dayOf(at, timezone), -1), timezone);
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
  forgetEnsured(warehouse);
}

/**
 * SPEC §5 at time t: every window from the start of the day before t's day to the evaluated one
 * (empty windows as 0), the detector per metric, the state decides who hears about it, and every
 * evaluation and notification is recorded.
 */
export async function runAlert(deps: AlertDeps, settings: AlertSettings, at: Date): Promise<AlertResult> {
  await retryUndelivered(deps.delivery);
  try {
    return await evaluate(deps, settings, at);
  } catch (error) {
    if (!(error instanceof WarehouseError) || (error.type !== 'UNKNOWN_TABLE' && error.type !== 'UNKNOWN_DATABASE')) throw error;
    // vigil's tables were dropped behind this process's back (sources simulated afresh by another
    // one): make them again, and forget what was counted from the old events. Whatever failed
    // came before any notification went out: the state is read before deciding one.
    forgetEnsured(deps.warehouse);
    deps.memory?.clear();
    return evaluate(deps, settings, at);
  }
}

async function evaluate(deps: AlertDeps, settings: AlertSettings, at: Date): Promise<AlertResult> {
  const { warehouse } = deps;
  const window = evaluatedWindow(at, settings.lagMs);
  const from = historyStart(at, settings.timezone);
  const tables = alertTables(settings.database);
  await ensureOnce(warehouse, [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(settings.database)}`,
    createEvaluationsTableSql(tables.evaluations),
    createNotificationsTableSql(tables.notifications),
    createWindowsTableSql(tables.windows),
  ]);
  const remembered = deps.memory?.quietState();
  const inputs = await readAlertInputs(warehouse, {
    sources: settings.sources, slices: settings.slices, tables, from, window, memory: deps.memory?.windows, withState: remembered === undefined,
  });

  const assessments = inputs.histories.flatMap(({ slice, history }) => settings.metrics.map((watched) => assess(slice, history, watched)));
  // A remembered quiet state settles every verdict but an alert; for an alert the warehouse has the last word.
  let state = inputs.state ?? remembered ?? new Map<string, LastNotification>();
  if (!inputs.state && assessments.some((a) => a.verdict.alert)) state = await readAlertState(warehouse, tables.notifications);
  deps.memory?.rememberState(state);

  const outcomes: MetricOutcome[] = [];
  for (const assessment of assessments) outcomes.push(await notifyIfDue({ deps, settings, tables, state, window, assessment }));
  await warehouse.insert(
    tables.evaluations,
    assessments.map(({ metric, slice, raw, verdict }) => ({
      evaluated_at: toSqlDateTime(at), window_start: toSqlDateTime(window), metric, slice,
      value: raw.value ?? null, low: raw.low ?? null, up: raw.up ?? null, alert: raw.alert ? 1 : 0, notified: verdict.alert ? 1 : 0,
    })),
  );
  return { window, windows: inputs.histories[0]?.history.windows.length ?? 0, outcomes };
}

interface Assessment {
  readonly metric: AlertMetric;
  readonly slice: string;
  readonly history: AlertHistory;
  readonly detector: Detector;
  /** The detector's verdict, and the one after the noise gate. */
  readonly raw: Verdict;
  readonly verdict: Verdict;
  readonly gated: boolean;
}

/** The detector and the noise gate on one metric of one slice. */
function assess(slice: string, history: AlertHistory, { metric, options, minChange }: AlertSettings['metrics'][number]): Assessment {
  const values = history.series[metric];
  const detector = iqrDetector(options);
  const raw = detector.judgeLast(values);
  const gated = raw.alert && !worthNotifying(metric, values, raw, { minChange, n: options.n });
  return { metric, slice, history, detector, raw, verdict: gated ? { ...raw, alert: false } : raw, gated };
}

/** The state's decision on one assessment, and the notification it calls for. */
async function notifyIfDue(input: {
  deps: AlertDeps;
  settings: AlertSettings;
  tables: ReturnType<typeof alertTables>;
  state: AlertState;
  window: Date;
  assessment: Assessment;
}): Promise<MetricOutcome> {
  const { deps, settings, tables, window } = input;
  const { metric, slice, history, detector, verdict, gated } = input.assessment;
  const values = history.series[metric];
  const last = input.state.get(`${metric}|${slice}`);
  const kind = decideNotification(last, verdict, window.getTime(), settings.repeatMs);
  if (!kind) return { metric, slice, verdict, gated };

  const started = kind === 'started' ? window : last ? new Date(last.started) : undefined;
  deps.memory?.noteNotification(`${metric}|${slice}`, { kind, window: window.getTime(), started: (started ?? window).getTime() });
  const text = renderAlertText({
    kind, metric, slice, verdict, previous: values.at(-2), window, started,
    timezone: settings.timezone, locale: settings.locale, dashboardUrl: settings.dashboardUrl,
  });
  const stamp = toSqlDateTime(window).replace(' ', 'T').replaceAll(':', '');
  const key = `${metric}${slice === '' ? '' : `-${slice}`}-${stamp}-${kind}`.replace(/[^\w.-]+/g, '_');
  let problem: string | undefined;
  let image: Notification['image'];
  try {
    const when = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timezone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(window);
    const chart = alertChartSpec({
      metric, windows: history.windows, values, bands: detector.bands(values), timezone: settings.timezone, locale: settings.locale,
      title: `${metricName(metric, settings.locale)}${slice === '' ? '' : `, ${slice.replace('=', ' ')}`} · ${when}`,
    });
    image = { png: (await renderPng(chart)).png, filename: `alert-${key}.png` };
  } catch (error) {
    problem = `the picture could not be made (${error instanceof Error ? error.message : String(error)}); the text went alone`;
    deps.logger.error(`alert ${metric}: ${problem}`);
  }
  let delivered = true;
  try {
    await deliver(deps.delivery, { kind: 'alert', key, text, ...(image ? { image } : {}) });
  } catch (error) {
    if (!(error instanceof UndeliveredError)) throw error;
    delivered = false;
    problem = error.message;
  }
  await deps.warehouse.insert(tables.notifications, [
    { window_start: toSqlDateTime(window), metric, slice, kind, value: verdict.value ?? null, low: verdict.low ?? null, up: verdict.up ?? null, delivered: delivered ? 1 : 0, text },
  ]);
  return { metric, slice, verdict, gated, notification: kind, key, ...(problem === undefined ? {} : { problem }) };
}

/** The alert job's settings from the configuration. */
export function alertSettingsFrom(config: Config): AlertSettings {
  return {
    sources: sourcesFrom(config),
    timezone: config.timezone,
    locale: config.alerts.locale ?? config.report.locale,
    database: config.database,
    lagMs: config.alerts.lag,
    repeatMs: config.alerts.repeat,
    dashboardUrl: dashboardUrlFrom(config),
    metrics: alertMetricsFrom(config.alerts.metrics),
    slices: config.alerts.slices,
  };
}

/**
 * The link in each alert: alerts.dashboardUrl, else the metric's page on vigil's own dashboard
 * (serve.host:serve.port), opened at the alert's window.
 */
function dashboardUrlFrom(config: Config): string | undefined {
  if (config.alerts.dashboardUrl !== undefined) return config.alerts.dashboardUrl;
  if (config.serve.port === 0) return undefined;
  return `http://${config.serve.host}:${config.serve.port}/metric/{metric}?slice={slice}&at={at}`;
}

/** The watched metrics from config: all of SPEC §5's, minus those switched off. */
export function alertMetricsFrom(configured: Partial<Record<AlertMetric, { enabled: boolean; a: number; n: number; minChange: number }>>): AlertSettings['metrics'] {
  return ALERT_METRICS.flatMap((metric) => {
    const settings = configured[metric] ?? { enabled: true, a: 4, n: 5, minChange: 0.2 };
    return settings.enabled ? [{ metric, options: { a: settings.a, n: settings.n }, minChange: settings.minChange }] : [];
  });
}
