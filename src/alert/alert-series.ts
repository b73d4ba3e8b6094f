import type { AlertMetric } from '../config/schema.js';
import type { SeriesValue } from '../detect/detector.js';
import { fromSqlDateTime } from '../time/time.js';

export interface FeedWindowRow {
  window: string;
  users: number;
  active_posts: number;
  views: number;
  likes: number;
}
export interface MessengerWindowRow {
  window: string;
  senders: number;
  messages: number;
}

/** The history of every metric, window by window (ms since the epoch), from the two queries. */
export interface AlertHistory {
  readonly windows: readonly number[];
  readonly series: Readonly<Record<AlertMetric, readonly SeriesValue[]>>;
}

/**
 * Joins the feed's and the messenger's windows (both filled over the same range) into one series
 * per metric. CTR is undefined in a window without views, never 0.
 */
export function buildHistory(feed: readonly FeedWindowRow[], messenger: readonly MessengerWindowRow[]): AlertHistory {
  const windows = feed.map((row) => fromSqlDateTime(row.window).getTime());
  const byWindow = new Map(messenger.map((row) => [fromSqlDateTime(row.window).getTime(), row]));
  const from = (pick: (row: MessengerWindowRow) => number) => windows.map((w) => {
    const row = byWindow.get(w);
    return row ? pick(row) : 0;
  });
  return {
    windows,
    series: {
      users: feed.map((r) => r.users),
      active_posts: feed.map((r) => r.active_posts),
      views: feed.map((r) => r.views),
      likes: feed.map((r) => r.likes),
      ctr: feed.map((r) => (r.views > 0 ? r.likes / r.views : undefined)),
      senders: from((r) => r.senders),
      messages: from((r) => r.messages),
    },
  };
}
