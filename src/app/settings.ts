import type { EmailSettings } from '../notify/email-notifier.js';
import type { Route } from '../notify/dispatch.js';
import type { AlertSettings } from '../alert/alert-settings.js';
import type { Config } from '../config/schema.js';
import { resolveDimensions } from '../etl/dimensions.js';
import type { EtlSettings } from '../etl/etl-job.js';
import { ALERT_METRICS } from '../metrics/metrics.js';
import type { ReportSettings } from '../report/report-job.js';
import type { Sources } from '../sources/sources.js';
import { vigilTables, type VigilTables } from '../tables/vigil-tables.js';
import type { DashboardSettings } from '../web/dashboard-data.js';
import { isLocalHost } from '../web/hosts.js';
import { tableName } from '../warehouse/identifiers.js';

/** How notifications leave: Telegram when configured, else files; what Telegram does not take waits in the outbox. */
export interface DeliverySettings {
  readonly outbox: string;
  readonly telegram:
    | {
        readonly token: string;
        readonly chatId: string;
        readonly apiRoot: string;
        readonly allowedUsers?: readonly number[] | undefined;
      }
    | undefined;
  readonly webhook: { readonly url: string; readonly secret: string } | undefined;
  readonly email: EmailSettings | undefined;
  readonly routes: readonly Route[];
  readonly budgetMs: number;
  readonly deadlineMs: number;
}

export interface ScheduleSettings {
  readonly etl: string;
  readonly report: string;
  readonly alert: string;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly catchupDays: number;
}

export interface ServeSettings {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly coordination: 'none' | 'keeper';
  readonly leaseMs: number;
}

/** Every part's settings, made once from the validated configuration; nothing past this layer sees Config. */
export interface Settings {
  readonly timezone: string;
  readonly sources: Sources;
  readonly tables: VigilTables;
  readonly etl: EtlSettings;
  readonly report: ReportSettings;
  readonly alert: AlertSettings;
  readonly dashboard: DashboardSettings;
  readonly delivery: DeliverySettings;
  readonly schedule: ScheduleSettings;
  readonly serve: ServeSettings;
}

export function settingsFrom(config: Config): Settings {
  const timezone = config.timezone;
  const sources: Sources = {
    feed: tableName(config.sources.feed),
    messages: tableName(config.sources.messages),
    receiverColumn: config.sources.receiverColumn,
  };
  const tables = vigilTables(config.database);
  const target = tableName(config.etl.target);
  const dimensions = resolveDimensions(config.etl.dimensions);
  const locale = config.alerts.locale ?? config.report.locale;
  const metrics = config.alerts.metrics;
  return {
    timezone,
    sources,
    tables,
    etl: { sources, target, lookback: config.etl.lookback, dimensions, timezone, maxShrink: config.etl.maxShrink },
    report: { sources, tables, timezone, locale: config.report.locale },
    alert: {
      sources,
      tables,
      timezone,
      locale,
      lagMs: config.alerts.lag,
      repeatMs: config.alerts.repeat,
      noDataMs: config.alerts.noData,
      recountMs: config.alerts.recount,
      dashboardUrl: dashboardUrlFrom(config),
      slices: config.alerts.slices,
      historyMs: config.alerts.history,
      group: config.alerts.group,
      muteTimings: config.alerts.muteTimings,
      metrics: ALERT_METRICS.filter((metric) => metrics[metric].enabled).map((metric) => ({
        metric,
        detector: metrics[metric].detector,
        pendingWindows: metrics[metric].pendingWindows,
      })),
    },
    dashboard: {
      sources,
      target,
      tables,
      timezone,
      locale,
      lagMs: config.alerts.lag,
      historyMs: config.alerts.history,
      detectorOf: (metric) => metrics[metric].detector,
      dimensions: dimensions.map((d) => d.name),
      metrics: ALERT_METRICS.filter((metric) => metrics[metric].enabled),
    },
    delivery: {
      outbox: config.notify.outbox.path,
      telegram: config.notify.telegram,
      webhook: config.notify.webhook,
      email: config.notify.email,
      routes: config.notify.routes.map(({ match, to }) => ({ metrics: match.metric, kinds: match.kind, to })),
      budgetMs: config.notify.budget,
      deadlineMs: config.notify.deadline,
    },
    schedule: {
      etl: config.schedule.etl,
      report: config.schedule.report,
      alert: config.schedule.alert,
      retries: config.schedule.retries,
      retryDelayMs: config.schedule.retryDelay,
      catchupDays: config.schedule.catchupDays,
    },
    serve: {
      host: config.serve.host,
      port: config.serve.port,
      token: config.serve.token,
      coordination: config.serve.coordination,
      leaseMs: config.serve.lease,
    },
  };
}

const METRIC_PAGE = '/metric/{metric}?slice={slice}&at={at}';

/**
 * The link in each alert: alerts.dashboardUrl, else the metric's page on vigil's own dashboard
 * (at dashboard.publicUrl, else serve.host:serve.port), opened at the alert's window.
 */
function dashboardUrlFrom(config: Config): string | undefined {
  if (config.alerts.dashboardUrl !== undefined) return config.alerts.dashboardUrl;
  if (config.dashboard.publicUrl !== undefined) return `${config.dashboard.publicUrl}${METRIC_PAGE}`;
  if (config.serve.port === 0) return undefined;
  const host = config.serve.host.includes(':') ? `[${config.serve.host}]` : config.serve.host;
  return `http://${host}:${config.serve.port}${METRIC_PAGE}`;
}

/**
 * A warning when notifications go where people read them on other devices (Telegram, email, a
 * webhook) but their links point at this machine, where a phone cannot follow them.
 */
export function localLinkWarning(config: Config): string | undefined {
  const { telegram, email, webhook } = config.notify;
  const remote = [telegram && 'Telegram', email && 'email', webhook && 'the webhook'].filter((d) => d !== undefined);
  const link = dashboardUrlFrom(config);
  if (remote.length === 0 || link === undefined) return undefined;
  const url = new URL(link.replace(/\{(metric|slice|window|at)\}/g, 'x'));
  if (!isLocalHost(url.hostname)) return undefined;
  return (
    `alerts sent by ${remote.join(', ')} link to ${url.origin}, which opens only on this machine: ` +
    'set dashboard.publicUrl (e.g. https://vigil.example.com) to where people reach the dashboard'
  );
}
