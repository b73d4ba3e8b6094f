import { addDays, type IsoDate } from '../time/time.js';

/** SPEC §4's metrics of one day. `ctr` is undefined without views. */
export interface DayMetrics {
  readonly feedUsers: number;
  readonly views: number;
  readonly likes: number;
  readonly ctr: number | undefined;
  readonly senders: number;
  readonly messages: number;
  readonly receivers: number;
  readonly activeUsers: number;
  readonly bothFeatures: number;
  readonly feedOnly: number;
  readonly messengerOnly: number;
}
export type MetricKey = keyof DayMetrics;

export const REPORT_METRICS = [
  { key: 'feedUsers', group: 'feed' },
  { key: 'views', group: 'feed' },
  { key: 'likes', group: 'feed' },
  { key: 'ctr', group: 'feed' },
  { key: 'senders', group: 'messenger' },
  { key: 'messages', group: 'messenger' },
  { key: 'receivers', group: 'messenger' },
  { key: 'activeUsers', group: 'app' },
  { key: 'bothFeatures', group: 'app' },
  { key: 'feedOnly', group: 'app' },
  { key: 'messengerOnly', group: 'app' },
] as const satisfies readonly { key: MetricKey; group: 'feed' | 'messenger' | 'app' }[];

/** The report of day D: D's metrics (undefined: no events that day), and the days before it. */
export interface DailyReport {
  readonly day: IsoDate;
  /** D−7 … D, oldest first; undefined where a day had no events at all. */
  readonly days: readonly { readonly day: IsoDate; readonly metrics: DayMetrics | undefined }[];
}

export interface ActivityRow {
  day: string;
  feed_users: number;
  views: number;
  likes: number;
  senders: number;
  messages: number;
  active_users: number;
  both_features: number;
  feed_only: number;
  messenger_only: number;
}

/** Assembles the report from the per-day rows ClickHouse returned (days absent = no events). */
export function buildReport(day: IsoDate, activity: readonly ActivityRow[], receivers: readonly { day: string; receivers: number }[]): DailyReport {
  const days = [];
  for (let back = 7; back >= 0; back--) {
    const date = addDays(day, -back);
    const row = activity.find((r) => r.day === date);
    days.push({
      day: date,
      metrics: row && {
        feedUsers: row.feed_users,
        views: row.views,
        likes: row.likes,
        ctr: row.views > 0 ? row.likes / row.views : undefined,
        senders: row.senders,
        messages: row.messages,
        receivers: receivers.find((r) => r.day === date)?.receivers ?? 0,
        activeUsers: row.active_users,
        bothFeatures: row.both_features,
        feedOnly: row.feed_only,
        messengerOnly: row.messenger_only,
      },
    });
  }
  return { day, days };
}

/** Relative change from `before` to `now`, undefined when either is unknown or `before` is 0. */
export function relativeChange(now: number | undefined, before: number | undefined): number | undefined {
  if (now === undefined || before === undefined || before === 0) return undefined;
  return now / before - 1;
}
