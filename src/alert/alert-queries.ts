import type { UserAttribute } from '../config/schema.js';
import { quoteIdentifier, type TableName } from '../warehouse/identifiers.js';
import type { EtlSources } from '../etl/etl-queries.js';

/*
 * Every 15-minute window of the history, empty ones included (WITH FILL: a window without events
 * is a 0, so an outage to zero is seen). Windows are the same instants in every time zone, since
 * all zones' offsets are whole quarter hours. Parameters: {from:DateTime('UTC')} the start of the
 * windows (another name may be given), {to:DateTime('UTC')} the end of the evaluated window.
 */
const fill = (from: string) => `window WITH FILL FROM {${from}:DateTime('UTC')} TO {to:DateTime('UTC')} STEP INTERVAL 15 MINUTE`;
const inWindows = (from: string) => `time >= {${from}:DateTime('UTC')} AND time < {to:DateTime('UTC')}`;

/** How a window query reads: from which parameter, and whether windows without events get rows. */
export interface WindowsQueryOptions {
  /** @default 'from' */
  readonly from?: string;
  /**
   * Rows of zeros for empty windows (WITH FILL, for each value separately); a caller that fills
   * them itself saves the sort. @default true
   */
  readonly fill?: boolean;
}

/**
 * The windows of every value of a slice (an attribute of the acting user, e.g. os), or of the
 * whole product when `slice` is undefined (its value is then ''). The window itself is returned,
 * since WITH FILL fills only ORDER BY columns.
 */
export function feedWindowsSql(sources: EtlSources, slice?: UserAttribute, options: WindowsQueryOptions = {}): string {
  return windowsSql(sources.feed, slice, options, "uniqExact(user_id) AS users, uniqExact(post_id) AS active_posts, countIf(action = 'view') AS views, countIf(action = 'like') AS likes");
}

export function messengerWindowsSql(sources: EtlSources, slice?: UserAttribute, options: WindowsQueryOptions = {}): string {
  return windowsSql(sources.messages, slice, options, 'uniqExact(user_id) AS senders, count() AS messages');
}

function windowsSql(table: TableName, slice: UserAttribute | undefined, { from = 'from', fill: filled = true }: WindowsQueryOptions, metrics: string): string {
  return `SELECT ${sliceValue(slice)} AS slice_value, toDateTime(toStartOfFifteenMinutes(time), 'UTC') AS window,
  ${metrics}
FROM ${table.sql} WHERE ${inWindows(from)}
GROUP BY slice_value, window${filled ? `\nORDER BY slice_value, ${fill(from)}` : ''}`;
}

function sliceValue(slice: UserAttribute | undefined): string {
  return slice === undefined ? "''" : `toString(${quoteIdentifier(slice)})`;
}

/** The recounted windows; the alert fills empty ones itself. */
const RAW: WindowsQueryOptions = { from: 'raw_from', fill: false };

/**
 * Everything an alert run reads, in one round trip (here a statement costs more than its rows):
 * - `part = 'cache'` (if asked for): cached windows in [from, to) of the whole product (slice '')
 *   and of each slice;
 * - `part = 'raw'`: the windows in [raw_from, to) counted from raw events, feed and messenger in
 *   rows of their own (the other source's metrics 0); windows without events have no rows;
 * - `part = 'state'` (if asked for): the latest notification of each metric (in `slice_value`) and
 *   slice: its window, `kind`, and when the anomaly it belongs to `started`.
 * Parameters: {sources:String} the cache's key of the source tables, and the three instants.
 */
export function alertInputsSql(
  sources: EtlSources,
  tables: { windows: TableName; notifications: TableName },
  slices: readonly UserAttribute[],
  { withCache, withState }: { withCache: boolean; withState: boolean },
): string {
  const sliceNames = ['', ...slices].map((s) => `'${s}'`).join(', ');
  const noState = "'' AS kind, toDateTime(0, 'UTC') AS started";
  const raw = [undefined, ...slices].flatMap((slice) => [
    `SELECT 'raw' AS part, '${slice ?? ''}' AS slice, slice_value, window, users, active_posts, views, likes,
  toUInt64(0) AS senders, toUInt64(0) AS messages, ${noState}
FROM (${feedWindowsSql(sources, slice, RAW)})`,
    `SELECT 'raw' AS part, '${slice ?? ''}' AS slice, slice_value, window, toUInt64(0) AS users, toUInt64(0) AS active_posts,
  toUInt64(0) AS views, toUInt64(0) AS likes, senders, messages, ${noState}
FROM (${messengerWindowsSql(sources, slice, RAW)})`,
  ]);
  const cache = `SELECT 'cache' AS part, slice, slice_value, window_start AS window, users, active_posts, views, likes, senders, messages, ${noState}
FROM ${tables.windows.sql}
WHERE sources = {sources:String} AND slice IN (${sliceNames}) AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}`;
  return [...(withCache ? [cache] : []), ...raw, ...(withState ? [alertStateSql(tables.notifications)] : [])].join('\nUNION ALL\n');
}

/** The alert state alone, in the rows of {@link alertInputsSql}'s `state` part. */
export function alertStateSql(notifications: TableName): string {
  return `SELECT 'state' AS part, slice, metric AS slice_value, last_window AS window, toUInt64(0) AS users, toUInt64(0) AS active_posts,
  toUInt64(0) AS views, toUInt64(0) AS likes, toUInt64(0) AS senders, toUInt64(0) AS messages, last_kind AS kind, anomaly_started AS started
FROM (
  SELECT metric, slice, max(window_start) AS last_window, argMax(kind, window_start) AS last_kind,
    maxIf(window_start, kind = 'started') AS anomaly_started
  FROM ${notifications.sql} GROUP BY metric, slice
)`;
}

/** Every evaluation: which window, which metric, its value and band, and the decision. */
export function createEvaluationsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  evaluated_at DateTime('UTC'), window_start DateTime('UTC'), metric LowCardinality(String), slice String,
  value Nullable(Float64), low Nullable(Float64), up Nullable(Float64),
  alert UInt8, -- the detector's verdict
  notified UInt8 -- and whether it passed the noise gate
) ENGINE = MergeTree ORDER BY (metric, window_start)`;
}

/** Every notification decided: started, repeated, resolved; and whether it was delivered. */
export function createNotificationsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  window_start DateTime('UTC'), metric LowCardinality(String), slice String, kind LowCardinality(String),
  value Nullable(Float64), low Nullable(Float64), up Nullable(Float64), delivered UInt8, text String
) ENGINE = MergeTree ORDER BY (metric, slice, window_start)`;
}

/**
 * The per-window aggregates already computed, so each run reads only the newest windows of raw
 * events. `sources` keys the rows by the tables they came from, `slice` by the dimension ('' for
 * the whole product), `slice_value` by its value. A window is written again when a later count
 * differs (late events); merges keep the last copy, readers the one with the most events.
 */
export function createWindowsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  sources String, slice String, slice_value String, window_start DateTime('UTC'),
  users UInt64, active_posts UInt64, views UInt64, likes UInt64, senders UInt64, messages UInt64
) ENGINE = ReplacingMergeTree ORDER BY (sources, slice, window_start, slice_value)`;
}
