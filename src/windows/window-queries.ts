import type { WindowCounts } from '../metrics/metrics.js';
import type { Sources, UserAttribute } from '../sources/sources.js';
import { fromSqlDateTime } from '../time/time.js';
import { quoteIdentifier } from '../warehouse/identifiers.js';
import { addCounts, countsOf, type CountedWindow } from './window-counts.js';

/**
 * The counts of every 15-minute window in [{from}, {to}) (both `DateTime('UTC')` parameters;
 * `from` may be given another name) from raw events: for the whole product (slice '', value '')
 * and for each value of each slice attribute of the acting user. Feed and messenger counts come
 * in rows of their own (the other source's counts 0), to be added up; a window without events
 * has no row.
 */
export function windowCountsSql(sources: Sources, slices: readonly UserAttribute[], from = 'from'): string {
  const inRange = `time >= {${from}:DateTime('UTC')} AND time < {to:DateTime('UTC')}`;
  const window = "toDateTime(toStartOfFifteenMinutes(time), 'UTC') AS window";
  return [undefined, ...slices]
    .flatMap((slice) => {
      const value = slice === undefined ? "''" : `toString(${quoteIdentifier(slice)})`;
      const head = `SELECT '${slice ?? ''}' AS slice, ${value} AS value, ${window}`;
      return [
        `${head}, uniqExact(user_id) AS users, uniqExact(post_id) AS active_posts,
  countIf(action = 'view') AS views, countIf(action = 'like') AS likes, toUInt64(0) AS senders, toUInt64(0) AS messages
FROM ${sources.feed.sql} WHERE ${inRange} GROUP BY value, window`,
        `${head}, toUInt64(0) AS users, toUInt64(0) AS active_posts, toUInt64(0) AS views, toUInt64(0) AS likes,
  uniqExact(user_id) AS senders, count() AS messages
FROM ${sources.messages.sql} WHERE ${inRange} GROUP BY value, window`,
      ];
    })
    .join('\nUNION ALL\n');
}

/** The window cache's key of the source tables a window was counted from. */
export function windowCacheKey(sources: Sources): string {
  return `${sources.feed.sql}|${sources.messages.sql}`;
}

/**
 * Cached windows in [{from}, {to}) counted from the sources {sources:String} (see
 * {@link windowCacheKey}), of the whole product (slice '') and of the given slices: slice,
 * value, window and counts, in the columns of {@link windowCountsSql}. A window may have several
 * copies (a later count adds late events).
 */
export function cachedWindowsSql(windowsTable: { sql: string }, slices: readonly string[]): string {
  const sliceNames = ['', ...slices].map((s) => `'${s}'`).join(', ');
  return `SELECT slice, slice_value AS value, window_start AS window,
  users, active_posts, views, likes, senders, messages
FROM ${windowsTable.sql}
WHERE sources = {sources:String} AND slice IN (${sliceNames})
  AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}`;
}

/** A row of {@link windowCountsSql}. */
export interface WindowCountRow extends WindowCounts {
  readonly slice: string;
  readonly value: string;
  /** `YYYY-MM-DD hh:mm:ss`, UTC. */
  readonly window: string;
}

/** The rows of {@link windowCountsSql} as counted windows: a window's feed and messenger rows added up. */
export function countedWindows(rows: readonly WindowCountRow[]): CountedWindow[] {
  const windows = new Map<string, CountedWindow>();
  for (const row of rows) {
    const key = `${row.slice}|${row.value}|${row.window}`;
    const seen = windows.get(key);
    windows.set(
      key,
      seen
        ? { ...seen, ...addCounts(seen, row) }
        : { slice: row.slice, value: row.value, start: fromSqlDateTime(row.window).getTime(), ...countsOf(row) },
    );
  }
  return [...windows.values()];
}
