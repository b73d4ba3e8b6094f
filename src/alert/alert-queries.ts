import type { Sources, UserAttribute } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { windowCountsSql } from '../windows/window-queries.js';

/** The columns every part of the inputs query has; each part fills its own and zeroes the rest. */
const COUNTS = 'users, active_posts, views, likes, senders, messages';
const NO_COUNTS = COUNTS.split(', ')
  .map((column) => `toUInt64(0) AS ${column}`)
  .join(', ');
const NO_STATE = "'' AS metric, '' AS kind, toDateTime(0, 'UTC') AS started";

/**
 * Everything an alert run reads, in one round trip (here a statement costs more than its rows):
 * - `part = 'cache'` (if asked for): cached windows in [from, to) of the whole product (slice '')
 *   and of each slice;
 * - `part = 'raw'`: the windows in [raw_from, to) counted from raw events, feed and messenger in
 *   rows of their own; windows without events have no rows;
 * - `part = 'state'` (if asked for): the latest notification of each metric and slice: its window,
 *   `kind`, and when the anomaly it belongs to `started`.
 * Parameters: {sources:String} the cache's key of the source tables, and the three instants.
 */
export function alertInputsSql(
  sources: Sources,
  tables: VigilTables,
  slices: readonly UserAttribute[],
  { withCache, withState }: { withCache: boolean; withState: boolean },
): string {
  const sliceNames = ['', ...slices].map((s) => `'${s}'`).join(', ');
  const cache = `SELECT 'cache' AS part, slice, slice_value AS value, window_start AS window, ${NO_STATE}, ${COUNTS}
FROM ${tables.windows.sql}
WHERE sources = {sources:String} AND slice IN (${sliceNames})
  AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}`;
  const raw = `SELECT 'raw' AS part, slice, value, window, ${NO_STATE}, ${COUNTS} FROM (
${windowCountsSql(sources, slices, 'raw_from')}
)`;
  return [...(withCache ? [cache] : []), raw, ...(withState ? [alertStateSql(tables)] : [])].join('\nUNION ALL\n');
}

/** The alert state alone, in the rows of {@link alertInputsSql}'s `state` part. */
export function alertStateSql(tables: VigilTables): string {
  return `SELECT 'state' AS part, slice, '' AS value, last_window AS window, metric, last_kind AS kind,
  anomaly_started AS started, ${NO_COUNTS}
FROM (
  SELECT metric, slice, max(window_start) AS last_window, argMax(kind, window_start) AS last_kind,
    maxIf(window_start, kind = 'started') AS anomaly_started
  FROM ${tables.notifications.sql} GROUP BY metric, slice
)`;
}
