import type { UserAttribute } from '../config/schema.js';
import { quoteIdentifier, type TableName } from '../warehouse/identifiers.js';
import type { EtlSources } from '../etl/etl-queries.js';

/*
 * Every 15-minute window of the history, empty ones included (WITH FILL: a window without events
 * is a 0, so an outage to zero is seen). Windows are the same instants in every time zone, since
 * all zones' offsets are whole quarter hours. Parameters: {from:DateTime('UTC')} the start of the
 * history, {to:DateTime('UTC')} the end of the evaluated window.
 */
const FILL = `ORDER BY window WITH FILL FROM {from:DateTime('UTC')} TO {to:DateTime('UTC')} STEP INTERVAL 15 MINUTE`;
const IN_HISTORY = `time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')}`;

/**
 * The windows of every value of a slice (an attribute of the acting user, e.g. os), or of the
 * whole product when `slice` is undefined (its value is then ''). WITH FILL fills each value's
 * windows separately; the window itself is returned, since WITH FILL fills only ORDER BY columns.
 */
export function feedWindowsSql(sources: EtlSources, slice?: UserAttribute): string {
  return `SELECT ${sliceValue(slice)} AS slice_value, toDateTime(toStartOfFifteenMinutes(time), 'UTC') AS window,
  uniqExact(user_id) AS users, uniqExact(post_id) AS active_posts, countIf(action = 'view') AS views, countIf(action = 'like') AS likes
FROM ${sources.feed.sql} WHERE ${IN_HISTORY}
GROUP BY slice_value, window
ORDER BY slice_value, ${FILL.replace('ORDER BY ', '')}`;
}

export function messengerWindowsSql(sources: EtlSources, slice?: UserAttribute): string {
  return `SELECT ${sliceValue(slice)} AS slice_value, toDateTime(toStartOfFifteenMinutes(time), 'UTC') AS window,
  uniqExact(user_id) AS senders, count() AS messages
FROM ${sources.messages.sql} WHERE ${IN_HISTORY}
GROUP BY slice_value, window
ORDER BY slice_value, ${FILL.replace('ORDER BY ', '')}`;
}

function sliceValue(slice: UserAttribute | undefined): string {
  return slice === undefined ? "''" : `toString(${quoteIdentifier(slice)})`;
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

/** The latest notification of each metric and slice: the alert state. */
export function lastNotificationsSql(table: TableName): string {
  return `SELECT metric, slice, toString(max(window_start)) AS last_window, argMax(kind, window_start) AS last_kind,
  toString(maxIf(window_start, kind = 'started')) AS started
FROM ${table.sql} GROUP BY metric, slice`;
}


/**
 * The per-window aggregates already computed, so each run reads only the newest windows of raw
 * events. `sources` keys the rows by the tables they came from, `slice` by the dimension ('' for
 * the whole product), `slice_value` by its value.
 */
export function createWindowsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  sources String, slice String, slice_value String, window_start DateTime('UTC'),
  users UInt64, active_posts UInt64, views UInt64, likes UInt64, senders UInt64, messages UInt64
) ENGINE = ReplacingMergeTree ORDER BY (sources, slice, window_start, slice_value)`;
}

/** Cached windows in [from, to); FINAL keeps the latest row of a window recomputed since. */
export function cachedWindowsSql(table: TableName): string {
  return `SELECT slice_value, toString(window_start) AS window, users, active_posts, views, likes, senders, messages
FROM ${table.sql} FINAL
WHERE sources = {sources:String} AND slice = {slice:String} AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
ORDER BY window_start, slice_value`;
}
