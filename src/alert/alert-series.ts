import type { AlertMetric } from '../config/schema.js';
import type { SeriesValue } from '../detect/detector.js';
import { fromSqlDateTime } from '../time/time.js';

export interface FeedWindowRow {
  slice_value: string;
  window: string;
  users: number;
  active_posts: number;
  views: number;
  likes: number;
}
export interface MessengerWindowRow {
  slice_value: string;
  window: string;
  senders: number;
  messages: number;
}

/** The length of an alert window (SPEC §5). */
export const WINDOW_MS = 15 * 60_000;

/** A window's counts for one value of a slice (slice '' is the whole product, value ''). */
export interface CountedWindow extends FeedWindowRow, MessengerWindowRow {
  readonly slice: string;
  /** The window's start, ms since the epoch. */
  readonly start: number;
}

/** The history of every metric, window by window (ms since the epoch). */
export interface AlertHistory {
  readonly windows: readonly number[];
  readonly series: Readonly<Record<AlertMetric, readonly SeriesValue[]>>;
}

/** The start of every window in [from, to), ms since the epoch. */
export function windowStarts(from: number, to: number): number[] {
  const starts: number[] = [];
  for (let start = from; start < to; start += WINDOW_MS) starts.push(start);
  return starts;
}

/** Rows keyed by the start of their window (ms), as {@link buildHistory} takes them. */
export function byWindowStart<Row extends { readonly window: string }>(rows: readonly Row[]): Map<number, Row> {
  return new Map(rows.map((row) => [fromSqlDateTime(row.window).getTime(), row]));
}

/**
 * One series per metric over the given windows, from the feed's and the messenger's rows of one
 * slice value, by window start. A window without a row is 0 (nothing happened there); CTR is
 * then undefined, never 0.
 */
export function buildHistory(
  windows: readonly number[],
  feed: ReadonlyMap<number, FeedWindowRow>,
  messenger: ReadonlyMap<number, MessengerWindowRow>,
): AlertHistory {
  const of = <Row>(rows: ReadonlyMap<number, Row>, pick: (row: Row) => number) => windows.map((w) => {
    const row = rows.get(w);
    return row ? pick(row) : 0;
  });
  const views = of(feed, (r) => r.views);
  const likes = of(feed, (r) => r.likes);
  return {
    windows,
    series: {
      users: of(feed, (r) => r.users),
      active_posts: of(feed, (r) => r.active_posts),
      views,
      likes,
      ctr: views.map((v, i) => (v > 0 ? (likes[i] ?? 0) / v : undefined)),
      senders: of(messenger, (r) => r.senders),
      messages: of(messenger, (r) => r.messages),
    },
  };
}
