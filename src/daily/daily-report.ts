import { ctr, type DailyMetric } from '../metrics/metrics.js';
import type { Sources } from '../sources/sources.js';
import { addDays, daysBetween, startOfDay, toSqlDateTime, type IsoDate } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { dailyActivitySql, dailyReceiversSql } from './daily-queries.js';

/** SPEC §4's metrics of one day. `ctr` is undefined without views. */
export type DayMetrics = Readonly<Record<Exclude<DailyMetric, 'ctr'>, number>> & { readonly ctr: number | undefined };

/** Days up to day D: each with its metrics, undefined where the day had no events at all. */
export interface DailyReport {
  readonly day: IsoDate;
  /** Oldest first, ending with D. */
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

/** The days [D − back, D] from the per-day rows ClickHouse returned (days absent = no events). */
export function buildReport(
  day: IsoDate,
  activity: readonly ActivityRow[],
  receivers: readonly { day: string; receivers: number }[],
  back = 7,
): DailyReport {
  const days = daysBetween(addDays(day, -back), day).map((date) => {
    const row = activity.find((r) => r.day === date);
    const metrics: DayMetrics | undefined = row && {
      feedUsers: row.feed_users,
      views: row.views,
      likes: row.likes,
      ctr: ctr(row.likes, row.views),
      senders: row.senders,
      messages: row.messages,
      receivers: receivers.find((r) => r.day === date)?.receivers ?? 0,
      activeUsers: row.active_users,
      bothFeatures: row.both_features,
      feedOnly: row.feed_only,
      messengerOnly: row.messenger_only,
    };
    return { day: date, metrics };
  });
  return { day, days };
}

/** The numbers of [D − back, D], computed in ClickHouse: a few rows per day reach Node. */
export async function queryDailyReport(
  warehouse: Warehouse,
  query: { sources: Sources; timezone: string; day: IsoDate; back: number },
): Promise<DailyReport> {
  const params = {
    from: toSqlDateTime(startOfDay(addDays(query.day, -query.back), query.timezone)),
    to: toSqlDateTime(startOfDay(addDays(query.day, 1), query.timezone)),
    tz: query.timezone,
  };
  const activity = await warehouse.query<ActivityRow>(dailyActivitySql(query.sources), { params });
  const receivers = await warehouse.query<{ day: string; receivers: number }>(dailyReceiversSql(query.sources), {
    params,
  });
  return buildReport(query.day, activity, receivers, query.back);
}

/** Relative change from `before` to `now`, undefined when either is unknown or `before` is 0. */
export function relativeChange(now: number | undefined, before: number | undefined): number | undefined {
  if (now === undefined || before === undefined || before === 0) return undefined;
  return now / before - 1;
}
