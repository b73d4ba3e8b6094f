import type { Sources } from '../sources/sources.js';
import { quoteIdentifier } from '../warehouse/identifiers.js';

/*
 * The daily report's two statements. Parameters: {from:DateTime('UTC')} and {to:DateTime('UTC')}, the
 * instants the first day starts and the day after the last begins; {tz:String} the time zone.
 */

/** Per day: feed users, views, likes; senders and messages; the app's users by feature. */
export function dailyActivitySql(sources: Sources): string {
  const inRange = `time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')}`;
  return `SELECT toString(day) AS day,
  countIf(in_feed) AS feed_users, sum(views) AS views, sum(likes) AS likes,
  countIf(in_messenger) AS senders, sum(messages) AS messages,
  count() AS active_users,
  countIf(in_feed AND in_messenger) AS both_features,
  countIf(in_feed AND NOT in_messenger) AS feed_only,
  countIf(in_messenger AND NOT in_feed) AS messenger_only
FROM (
  SELECT day, user_id, max(is_feed) AS in_feed, max(is_message) AS in_messenger,
    sum(is_view) AS views, sum(is_like) AS likes, sum(is_message) AS messages
  FROM (
    SELECT toDate(time, {tz:String}) AS day, user_id, toUInt8(1) AS is_feed, toUInt8(0) AS is_message,
      toUInt64(action = 'view') AS is_view, toUInt64(action = 'like') AS is_like
    FROM ${sources.feed.sql} WHERE ${inRange}
    UNION ALL
    SELECT toDate(time, {tz:String}), user_id, 0, 1, 0, 0 FROM ${sources.messages.sql} WHERE ${inRange}
  )
  GROUP BY day, user_id
)
GROUP BY day ORDER BY day`;
}

/** Per day: distinct receivers of messages. */
export function dailyReceiversSql(sources: Sources): string {
  return `SELECT toString(toDate(time, {tz:String})) AS day,
  uniqExact(${quoteIdentifier(sources.receiverColumn)}) AS receivers
FROM ${sources.messages.sql}
WHERE time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')}
GROUP BY day ORDER BY day`;
}
