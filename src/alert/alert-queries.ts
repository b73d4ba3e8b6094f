import { pendingMessagesSql } from '../notify/journal.js';
import { SOURCE_NAMES, type Sources, type UserAttribute } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { cachedWindowsSql, windowCountsSql } from '../windows/window-queries.js';

/** The columns every part of the inputs query has; each part fills its own and leaves the rest empty. */
const COUNTS = 'users, active_posts, views, likes, senders, messages';
const NO_COUNTS = COUNTS.split(', ')
  .map((column) => `toUInt64(0) AS ${column}`)
  .join(', ');
const EPOCH = "toDateTime(0, 'UTC')";
const NO_STATE = `'' AS metric, '' AS kind, ${EPOCH} AS since, ${EPOCH} AS acked`;
const NO_FRESHNESS = `${EPOCH} AS newest, ${EPOCH} AS newest_before`;
const NO_MESSAGE = "'' AS message, CAST([] AS Array(String)) AS missing";

/**
 * Everything an alert run reads, in one round trip (here a statement costs more than its rows):
 * - `part = 'cache'` (if asked for): cached windows in [from, to) of the whole product (slice '')
 *   and of each slice: slice, value, window, counts;
 * - `part = 'raw'`: the windows in [raw_from, to) counted from raw events, feed and messenger in
 *   rows of their own; windows without events have no rows;
 * - `part = 'state'` (if asked for): the latest decision on each subject (a metric, or `no_data`)
 *   and slice: its `window`, `kind`, and when the incident it belongs to started (`since`);
 * - `part = 'fresh'`: for each source (in `slice`), its newest event since {fresh_from} (`newest`,
 *   which may lie after {at}) and its newest before {at} (`newest_before`); epoch when none;
 * - `part = 'pending'`: each message of the journal that a destination has not taken yet
 *   (`message`, and the `missing` destinations), oldest first;
 * - `part = 'incident'`: every start and end (`kind` started or resolved) of an incident of a
 *   subject (`metric`) and slice within the history: its `window`.
 * Parameters: {sources:String} the cache's key of the source tables, and the instants.
 */
export function alertInputsSql(
  sources: Sources,
  tables: VigilTables,
  slices: readonly UserAttribute[],
  { withCache, withState }: { withCache: boolean; withState: boolean },
): string {
  const cache = `SELECT 'cache' AS part, slice, value, window, ${NO_STATE}, ${NO_FRESHNESS}, ${NO_MESSAGE},
  ${COUNTS} FROM (
${cachedWindowsSql(tables.windows, slices)}
)`;
  const raw = `SELECT 'raw' AS part, slice, value, window, ${NO_STATE}, ${NO_FRESHNESS}, ${NO_MESSAGE}, ${COUNTS} FROM (
${windowCountsSql(sources, slices, 'raw_from')}
)`;
  const fresh = SOURCE_NAMES.map(
    (name) => `SELECT 'fresh' AS part, '${name}' AS slice, '' AS value, ${EPOCH} AS window, ${NO_STATE},
  toDateTime(max(time), 'UTC') AS newest, toDateTime(maxIf(time, time < {at:DateTime('UTC')}), 'UTC') AS newest_before,
  ${NO_MESSAGE}, ${NO_COUNTS}
FROM ${sources[name].sql} WHERE time >= {fresh_from:DateTime('UTC')}`,
  );
  const pending = `SELECT 'pending' AS part, '' AS slice, '' AS value, ${EPOCH} AS window, ${NO_STATE}, ${NO_FRESHNESS},
  message, missing, ${NO_COUNTS}
FROM (${pendingMessagesSql(tables)} LIMIT 100)`;
  const incidents = `SELECT 'incident' AS part, slice, '' AS value, window_start AS window, subject AS metric, kind,
  ${EPOCH} AS since, ${EPOCH} AS acked, ${NO_FRESHNESS}, ${NO_MESSAGE}, ${NO_COUNTS}
FROM ${tables.notifications.sql}
WHERE entry = 'decided' AND kind IN ('started', 'resolved') AND window_start >= {from:DateTime('UTC')}`;
  return [
    ...(withCache ? [cache] : []),
    raw,
    ...fresh,
    pending,
    incidents,
    ...(withState ? [alertStateSql(tables)] : []),
  ].join('\nUNION ALL\n');
}

/** Subjects whose decisions make the alert state: every metric, and sources without data. */
const STATE_KINDS = "('started', 'repeated', 'resolved')";

/** The alert state alone, in the rows of {@link alertInputsSql}'s `state` part. */
export function alertStateSql(tables: VigilTables): string {
  return `SELECT 'state' AS part, slice, '' AS value, last_window AS window, subject AS metric, last_kind AS kind,
  since, acked, ${NO_FRESHNESS}, ${NO_MESSAGE}, ${NO_COUNTS}
FROM (
  SELECT subject, slice, maxIf(window_start, kind IN ${STATE_KINDS}) AS last_window,
    argMaxIf(kind, window_start, kind IN ${STATE_KINDS}) AS last_kind,
    maxIf(window_start, kind = 'started') AS since, maxIf(window_start, kind = 'acknowledged') AS acked
  FROM ${tables.notifications.sql}
  WHERE entry = 'decided' AND kind IN ('started', 'repeated', 'resolved', 'acknowledged')
  GROUP BY subject, slice
  HAVING countIf(kind IN ${STATE_KINDS}) > 0
)`;
}

/** The newest event of a source before {at}, if any (one granule of a table sorted by time). */
export function newestEventSql(table: { sql: string }): string {
  return `SELECT toString(toDateTime(time, 'UTC')) AS newest FROM ${table.sql}
WHERE time < {at:DateTime('UTC')} ORDER BY time DESC LIMIT 1`;
}
