import { Cron } from 'croner';
import { z } from 'zod';
import { DEFAULT_DIMENSIONS } from '../etl/dimensions.js';
import { LOCALES } from '../metrics/locale.js';
import { DEFAULT_DETECTOR, DETECTOR_NAMES, detectorSpec } from '../detect/detectors.js';
import { ALERT_METRICS, type AlertMetric } from '../metrics/metrics.js';
import { WEEKDAYS } from '../silence/mute-timings.js';
import { USER_ATTRIBUTES } from '../sources/sources.js';
import { parseDuration } from '../time/duration.js';

/** `db.table`, both parts ASCII word characters: what vigil accepts as a table name from config. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock time HH:MM. */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'a time of day HH:MM, such as 02:00' });

const tableName = z
  .string()
  .regex(TABLE_NAME, { error: 'a table name of the form db.table (letters, digits and _ only)' });

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a duration such as 30s, 15m, 1h or 500ms' });
    return z.NEVER;
  }
  return ms;
});

/** A duration within bounds, e.g. `durationWithin('0s', '1d')`. */
const durationWithin = (min: string, max: string) =>
  duration.refine((ms) => ms >= (parseDuration(min) ?? 0) && ms <= (parseDuration(max) ?? 0), {
    error: `a duration from ${min} to ${max}`,
  });

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const httpUrl = z.string().refine(isHttpUrl, { error: 'an http(s) URL such as https://clickhouse.example.com:8443' });

const embeddedWarehouse = z.strictObject({
  /** Data directory of the embedded ClickHouse (chDB). One process at a time may open it. */
  path: z.string().min(1).default('./.vigil/warehouse'),
});

const serverWarehouse = z.strictObject({
  url: httpUrl,
  username: z.string().default('default'),
  /** Secret: give it as `${VAR}` from the environment. */
  password: z.string().default(''),
  /** Database used for unqualified names; vigil itself always qualifies its tables. */
  database: z.string().regex(COLUMN_NAME, { error: 'a database name (letters, digits and _ only)' }).default('default'),
  /** @default 5m — a backfill's INSERT … SELECT can run for minutes on a large day. */
  requestTimeout: duration.default(300_000),
  /** How many times a transient failure (network, 5xx, timeout) is retried. @default 3 */
  retries: z.number().int().min(0).max(10).default(3),
});

/** A sharded and replicated cluster: vigil's own tables replicated to every host (docs/cluster.md). */
const cluster = z.strictObject({
  /** The cluster's name in the servers' <remote_servers>. */
  name: z.string().regex(COLUMN_NAME, { error: 'a cluster name (letters, digits and _ only)' }),
  /** Keeper path of vigil's replicated tables; {database} and {table} are filled in by ClickHouse. */
  zooPath: z.string().startsWith('/').default('/clickhouse/vigil/{database}/{table}'),
});

const warehouse = z
  .strictObject({
    embedded: embeddedWarehouse.optional(),
    server: serverWarehouse.optional(),
    cluster: cluster.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.embedded && value.server) {
      ctx.addIssue({ code: 'custom', message: 'either embedded or server, not both' });
    }
    if (value.cluster && !value.server) {
      ctx.addIssue({ code: 'custom', path: ['cluster'], message: 'cluster mode needs warehouse.server' });
    }
  })
  .transform(
    (
      value,
    ):
      | { server: ServerWarehouse; embedded?: undefined; cluster?: ClusterConfig | undefined }
      | { embedded: EmbeddedWarehouse; server?: undefined; cluster?: undefined } =>
      value.server
        ? { server: value.server, cluster: value.cluster }
        : { embedded: value.embedded ?? embeddedWarehouse.parse({}) },
  );

type EmbeddedWarehouse = z.output<typeof embeddedWarehouse>;
type ClusterConfig = z.output<typeof cluster>;
type ServerWarehouse = z.output<typeof serverWarehouse>;

const sources = z.strictObject({
  feed: tableName.default('simulator.feed_actions'),
  messages: tableName.default('simulator.message_actions'),
  /** `reciever_id` in older copies of the warehouse, `receiver_id` in newer ones. */
  receiverColumn: z
    .string()
    .regex(COLUMN_NAME, { error: 'a column name (letters, digits and _ only)' })
    .default('reciever_id'),
});

const dimensionExpression = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const problem =
      /;|--|\/\*/.test(text) || !parenthesesBalance(text)
        ? `one ClickHouse expression over ${USER_ATTRIBUTES.join(', ')} (no ;, comments or unbalanced parentheses)`
        : outsideTheRow(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * Functions that reach beyond the user's row (files, other servers, other tables, the server's
 * settings): a dimension is computed from the row's attributes with ordinary functions only.
 */
const REACHING_FUNCTIONS = new RegExp(
  `^(${[
    'file',
    'url',
    'remote',
    's3',
    'gcs',
    'oss',
    'cos',
    'hdfs',
    'azure',
    'mysql',
    'postgresql',
    'jdbc',
    'odbc',
    'mongodb',
    'redis',
    'sqlite',
    'iceberg',
    'deltalake',
    'hudi',
    'executable',
    'input',
    'cluster',
    'merge',
    'dict',
    'joinget',
    'getsetting',
    'getmacro',
    'getserverport',
    'hostname',
    'fqdn',
    'currentuser',
    'currentdatabase',
    'currentprofiles',
    'currentroles',
    'filesystem',
    'transactionid',
  ].join('|')})`,
  'i',
);

/** Why an expression would read something other than the row, if it would. */
function outsideTheRow(text: string): string | undefined {
  const code = text.replace(/'(?:\\.|[^'\\])*'/g, "''");
  if (/\b(select|from|join|with)\b/i.test(code))
    return 'an expression over the row, not a query (no SELECT, FROM, JOIN or WITH)';
  for (const match of code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = match[1] ?? '';
    if (REACHING_FUNCTIONS.test(name)) {
      return `ordinary functions of the row's attributes only; ${name}() reads outside the row`;
    }
  }
  return undefined;
}

const etl = z.strictObject({
  target: tableName.default('vigil.daily_slices'),
  /** Calendar days, ending with D, in which a user's latest own row gives their attributes. */
  /**
   * A published day is replaced only if its new totals fall by at most this share (0.5: by half);
   * more takes --force.
   */
  maxShrink: z.number().min(0).max(1).default(0.5),
  lookback: z.number().int().min(1).max(365).default(30),
  /** Extra slices: name → ClickHouse expression over the user attributes, e.g. an age bucket. */
  dimensions: z
    .record(
      z
        .string()
        .regex(COLUMN_NAME, { error: 'a dimension name (letters, digits and _ only)' })
        .refine((name) => !(DEFAULT_DIMENSIONS as readonly string[]).includes(name), {
          error: `a name other than the built-in dimensions ${DEFAULT_DIMENSIONS.join(', ')}`,
        }),
      dimensionExpression,
    )
    .default({}),
});

/** Whether parentheses outside string literals balance, so an expression cannot close its enclosing one. */
function parenthesesBalance(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '(') depth++;
    else if (char === ')' && --depth < 0) return false;
  }
  return depth === 0 && quote === undefined;
}

const report = z.strictObject({
  /** Language of the report's text and chart: `en`, or `ru` with the original's wording. */
  locale: z.enum(LOCALES).default('en'),
});

const metricSettings = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** `seasonal` (the default), or `iqr`, the original's; a config that sets a or n keeps iqr. */
    detector: z.enum(DETECTOR_NAMES).optional(),
    /** iqr: band width in interquartile ranges. */
    a: z.number().min(0).max(100).optional(),
    /** iqr: previous windows behind each quartile, and the smoothing window. */
    n: z.number().int().min(1).max(96).optional(),
    /** seasonal: how many noise deviations from the expected value is anomalous. */
    z: z.number().min(1).max(20).optional(),
    /** The least relative change notified (iqr: its noise gate, from the recent median; seasonal: from expected). */
    minChange: z.number().min(0).max(10).optional(),
    /** Consecutive anomalous windows before a notification; an outage to zero notifies at once. */
    pendingWindows: z.number().int().min(1).max(96).default(1),
  })
  .superRefine((given, ctx) => {
    const name = detectorOf(given);
    const foreign = name === 'iqr' ? (['z'] as const) : (['a', 'n'] as const);
    for (const key of foreign) {
      if (given[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message:
            `no ${key} here: it is a setting of the ${name === 'iqr' ? 'seasonal' : 'iqr'} detector, ` +
            `and this metric uses ${name}`,
        });
      }
    }
  })
  .transform((given) => ({
    enabled: given.enabled,
    detector: detectorSpec(detectorOf(given), given),
    pendingWindows: given.pendingWindows,
  }));

function detectorOf(given: {
  detector?: (typeof DETECTOR_NAMES)[number] | undefined;
  a?: number | undefined;
  n?: number | undefined;
}) {
  return given.detector ?? (given.a !== undefined || given.n !== undefined ? 'iqr' : DEFAULT_DETECTOR);
}

type MetricSettings = z.output<typeof metricSettings>;

const alerts = z.strictObject({
  /** Evaluate the last complete window before t − lag (for sources that arrive late). */
  lag: durationWithin('0s', '1d').default(0),
  /** While an anomaly lasts, notify again this often. */
  repeat: durationWithin('15m', '7d').default(3_600_000),
  /** A source without events for this long is in "no data" (notified, its metrics held); `off`: never. */
  noData: z
    .union([z.literal('off'), durationWithin('15m', '7d')])
    .prefault('1h')
    .transform((value) => (value === 'off' ? undefined : value)),
  /** Metrics that start (repeat, resolve) in the same window go out as one message. */
  group: z.boolean().default(true),
  /** Windows of history each metric is judged against (the seasonal detector looks up to four weeks back). */
  history: durationWithin('1d', '60d').default(28 * 86_400_000),
  /** The last windows counted afresh from raw events on every run, so events that land late correct them. */
  recount: durationWithin('15m', '1d').default(3_600_000),
  /** Link in each alert; {metric}, {slice}, {window} and {at} are filled in. */
  dashboardUrl: z
    .string()
    .refine((template) => isHttpUrl(template.replace(/\{(metric|slice|window|at)\}/g, 'x')), {
      error: 'an http(s) URL such as https://dashboard.example.com/d/{metric}?at={at}',
    })
    .optional(),
  /** Language of alert messages; defaults to report.locale. */
  locale: z.enum(LOCALES).optional(),
  /** Recurring quiet times, in the configured timezone: [{ days: [mon, tue], from: '02:00', to: '03:00' }]. */
  muteTimings: z
    .array(
      z.strictObject({
        days: z
          .array(z.enum(WEEKDAYS))
          .min(1)
          .default([...WEEKDAYS]),
        from: clock,
        to: clock,
        metrics: z.array(z.enum(ALERT_METRICS)).optional(),
      }),
    )
    .default([]),
  /** Per-metric settings; every metric is watched by the seasonal detector unless told otherwise. */
  metrics: z
    .partialRecord(z.enum(ALERT_METRICS), metricSettings)
    .default({})
    .transform(
      (given) =>
        Object.fromEntries(
          ALERT_METRICS.map((metric) => [metric, given[metric] ?? metricSettings.parse({})]),
        ) as Record<AlertMetric, MetricSettings>,
    ),
  /** Also watch every metric per value of these attributes of the acting user, e.g. [os]. */
  slices: z.array(z.enum(USER_ATTRIBUTES)).default([]),
});

function isCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true });
    return true;
  } catch {
    return false;
  }
}
const cron = z
  .string()
  .refine(isCron, { error: 'a cron expression such as "5 0 * * *" (minute hour day month weekday)' });

const schedule = z.strictObject({
  /** When each job runs, in the configured timezone (SPEC §6 defaults, as the original). */
  etl: cron.default('5 0 * * *'),
  report: cron.default('0 11 * * *'),
  alert: cron.default('*/15 * * * *'),
  /** Retries of a failed run, and the wait between them. */
  retries: z.number().int().min(0).max(10).default(2),
  retryDelay: durationWithin('1s', '1d').default(60_000),
  /** On start, the ETL fills the target's missing days among this many last days. */
  catchupDays: z.number().int().min(0).max(366).default(7),
});

const serve = z.strictObject({
  /** Address of the dashboard and /healthz; loopback unless exposed on purpose (then serve.token is required). */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8787),
  /** Secret: when set, the dashboard and its API ask for it (Bearer header or ?token=). */
  token: z.string().min(8, { error: 'at least 8 characters' }).optional(),
  /**
   * `keeper`: several vigil serve (and one-off runs) share the work through ClickHouse Keeper, each
   * run and each send claimed once; `none`: one vigil serve at a time.
   */
  coordination: z.enum(['none', 'keeper']).default('none'),
  /** How long a claim holds without renewal: a dead holder's work is taken over after it. */
  lease: durationWithin('1s', '1h').default(60_000),
});

const dashboard = z.strictObject({
  /** Where people reach vigil's dashboard (behind a proxy, say): what every notification links to. */
  publicUrl: httpUrl.transform((url) => url.replace(/\/+$/, '')).optional(),
});

const telegram = z.strictObject({
  /** Secret: give it as `${VAR}` from the environment. */
  token: z.string().min(1),
  chatId: z
    .union([z.string().min(1), z.number().int()], { error: 'a chat id such as -1001234567890 or @channel_name' })
    .transform(String),
  apiRoot: httpUrl.default('https://api.telegram.org'),
  /** Telegram user ids who may press an alert's buttons; unset: anyone in the chat. */
  allowedUsers: z.array(z.number().int()).min(1).optional(),
});

const notify = z
  .strictObject({
    outbox: z.strictObject({ path: z.string().min(1).default('./.vigil/outbox') }).prefault({}),
    telegram: telegram.optional(),
    /** A generic webhook: JSON POSTs signed with HMAC-SHA256 of the body (the secret: give it as `${VAR}`). */
    webhook: z
      .strictObject({ url: httpUrl, secret: z.string().min(16, { error: 'at least 16 characters' }) })
      .optional(),
    /** Email over SMTP; the password is a secret: give it as `${VAR}`. */
    email: z
      .strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
        password: z.string().optional(),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
        allowSelfSigned: z.boolean().default(false),
      })
      .optional(),
    /** How long one notification may take at one destination, retries and 429 waits included; then it is kept. */
    budget: durationWithin('1s', '10m').default(60_000),
    /** How long a run may spend delivering; what is left is kept for the next run. */
    deadline: durationWithin('1s', '1h').default(120_000),
    /** Which destinations take what; a notification no route matches goes everywhere. */
    routes: z
      .array(
        z.strictObject({
          match: z
            .strictObject({
              metric: z
                .array(z.enum([...ALERT_METRICS, 'no_data']))
                .min(1)
                .optional(),
              kind: z
                .array(z.enum(['alert', 'report']))
                .min(1)
                .optional(),
            })
            .prefault({}),
          to: z.array(z.enum(['telegram', 'webhook', 'email', 'outbox'])).min(1),
        }),
      )
      .default([]),
  })
  .superRefine((notify, ctx) => {
    const configured = [
      ...(notify.telegram ? ['telegram'] : []),
      ...(notify.webhook ? ['webhook'] : []),
      ...(notify.email ? ['email'] : []),
    ];
    const destinations = configured.length > 0 ? configured : ['outbox'];
    notify.routes.forEach((route, index) => {
      route.to.forEach((name, at) => {
        if (!destinations.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, 'to', at],
            message: `a configured destination (${destinations.join(', ')})`,
          });
        }
      });
    });
  });

export const configSchema = z.strictObject({
  timezone: z.string().refine(isTimeZone, { error: 'an IANA time zone such as UTC or Europe/Moscow' }).default('UTC'),
  warehouse: warehouse.prefault({}),
  sources: sources.prefault({}),
  etl: etl.prefault({}),
  report: report.prefault({}),
  alerts: alerts.prefault({}),
  schedule: schedule.prefault({}),
  serve: serve.prefault({}),
  dashboard: dashboard.prefault({}),
  /** Database of vigil's own tables: alert evaluations and notifications, the run ledger. */
  database: z.string().regex(COLUMN_NAME, { error: 'a database name (letters, digits and _ only)' }).default('vigil'),
  notify: notify.prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type WarehouseConfig = Config['warehouse'];

/** Config paths whose values are secrets: never printed, never logged. */
export const SECRET_PATHS = [
  'warehouse.server.password',
  'notify.telegram.token',
  'notify.webhook.secret',
  'notify.email.password',
  'serve.token',
] as const;

/** Config paths holding URLs, whose user info may carry a password. */
export const URL_PATHS = [
  'warehouse.server.url',
  'notify.telegram.apiRoot',
  'notify.webhook.url',
  'alerts.dashboardUrl',
  'dashboard.publicUrl',
] as const;

/** Config paths holding durations (milliseconds inside vigil, `30s`-style in the file). */
export const DURATION_PATHS = [
  'warehouse.server.requestTimeout',
  'alerts.lag',
  'alerts.repeat',
  'alerts.noData',
  'alerts.history',
  'alerts.recount',
  'serve.lease',
  'notify.budget',
  'notify.deadline',
  'schedule.retryDelay',
] as const;
