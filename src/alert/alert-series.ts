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

/** The history of every metric, window by window (ms since the epoch), from the two queries. */
export interface AlertHistory {
  readonly windows: readonly number[];
  readonly series: Readonly<Record<AlertMetric, readonly SeriesValue[]>>;
}

/**
 * One series per metric over the given windows, from rows of the feed's and the messenger's
 * windows of one slice value. A window without a row is 0 (nothing happened there); CTR is then
 * undefined, never 0.
 */
export function buildHistory(windows: readonly number[], feed: readonly FeedWindowRow[], messenger: readonly MessengerWindowRow[]): AlertHistory {
  const feedByWindow = new Map(feed.map((row) => [fromSqlDateTime(row.window).getTime(), row]));
  const messengerByWindow = new Map(messenger.map((row) => [fromSqlDateTime(row.window).getTime(), row]));
  const of = <Row>(rows: Map<number, Row>, pick: (row: Row) => number) => windows.map((w) => {
    const row = rows.get(w);
    return row ? pick(row) : 0;
  });
  const views = of(feedByWindow, (r) => r.views);
  const likes = of(feedByWindow, (r) => r.likes);
  return {
    windows,
    series: {
      users: of(feedByWindow, (r) => r.users),
      active_posts: of(feedByWindow, (r) => r.active_posts),
      views,
      likes,
      ctr: views.map((v, i) => (v > 0 ? (likes[i] ?? 0) / v : undefined)),
      senders: of(messengerByWindow, (r) => r.senders),
      messages: of(messengerByWindow, (r) => r.messages),
    },
  };
}
