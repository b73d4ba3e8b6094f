import { USER_ATTRIBUTES, type UserAttribute } from '../config/schema.js';
import { quoteIdentifier, type TableName } from '../warehouse/identifiers.js';
import type { Dimension } from './dimensions.js';

/*
 * The ETL's statements. Parameters: {day:Date} the logical date D; {day_start:DateTime('UTC')}
 * and {day_end:DateTime('UTC')} the instants D starts and ends in the configured time zone;
 * {lookback_from:Date} the first day of the look-back (D − lookback + 1).
 */

export interface EtlSources {
  readonly feed: TableName;
  readonly messages: TableName;
  readonly receiverColumn: string;
}

const ATTRIBUTES = USER_ATTRIBUTES.join(', ');
const ON_DAY = `time >= {day_start:DateTime('UTC')} AND time < {day_end:DateTime('UTC')}`;

/**
 * Day D's digest of every user who acted on D (fed or sent): the time of their latest own row of
 * the day, the given attributes of that row, and their views and likes. Attributes not digested
 * keep their column defaults.
 *
 * Two phases, because argMax over a tuple of strings costs some fifty plain scans: first each user's
 * latest time, then the attributes of the rows at that time only. Among several rows at the same
 * latest second, the greatest attribute tuple wins, so re-runs always agree.
 */
export function userDaySql(sources: EtlSources, into: TableName, attributes: readonly UserAttribute[]): string {
  const list = attributes.join(', ');
  const actsOnDay = (columns: string, feedExtra: string, messageExtra: string) =>
    `SELECT ${columns}${feedExtra} FROM ${sources.feed.sql} WHERE ${ON_DAY}
      UNION ALL SELECT ${columns}${messageExtra} FROM ${sources.messages.sql} WHERE ${ON_DAY}`;
  return `INSERT INTO ${into.sql} (event_date, user_id, last_time, ${list}, views, likes)
SELECT {day:Date}, user_id, last_time, ${attributes.map((_, i) => `tupleElement(latest, ${i + 1})`).join(', ')}, views, likes
FROM (
  SELECT user_id, max(time) AS last_time, sum(is_view) AS views, sum(is_like) AS likes
  FROM (${actsOnDay('user_id, time', ", toUInt64(action = 'view') AS is_view, toUInt64(action = 'like') AS is_like", ', toUInt64(0), toUInt64(0)')})
  GROUP BY user_id
) AS activity
JOIN (
  SELECT user_id, max(tuple(${list})) AS latest
  FROM (${actsOnDay(`user_id, time, ${list}`, '', '')})
  WHERE (user_id, time) IN (SELECT user_id, max(time) FROM (${actsOnDay('user_id, time', '', '')}) GROUP BY user_id)
  GROUP BY user_id
) AS latest_rows USING (user_id)`;
}

/** The attributes the dimensions' expressions mention (a mention inside a string literal only costs time). */
export function attributesUsed(dimensions: readonly Dimension[]): UserAttribute[] {
  return USER_ATTRIBUTES.filter((attribute) => dimensions.some((d) => new RegExp(`\\b${attribute}\\b`).test(d.expression)));
}

/**
 * SPEC §3 for day D, from D's digest, D's messages and the look-back in earlier digests.
 * Every user of D (feed actors, senders, receivers) is counted under their own attributes: a
 * receiver who did not act on D gets those of their latest row in the look-back, else `unknown`.
 */
export function slicesSql(sources: EtlSources, userDays: TableName, into: TableName, dimensions: readonly Dimension[]): string {
  const receiver = quoteIdentifier(sources.receiverColumn);
  const slices = dimensions
    .map((d) => `('${d.name}', if(known, toString(${d.expression}), 'unknown'))`)
    .join(',\n    ');
  return `INSERT INTO ${into.sql} (event_date, dimension, dimension_value, views, likes, messages_received, messages_sent, users_received, users_sent)
WITH
  pairs AS (
    SELECT user_id AS sender, ${receiver} AS receiver, count() AS messages
    FROM ${sources.messages.sql} WHERE ${ON_DAY}
    GROUP BY sender, receiver
  ),
  acted AS (
    SELECT user_id, ${ATTRIBUTES}, views, likes FROM ${userDays.sql} WHERE event_date = {day:Date}
  ),
  remembered AS (
    SELECT user_id, argMax(tuple(${ATTRIBUTES}), tuple(last_time, ${ATTRIBUTES})) AS latest
    FROM ${userDays.sql}
    WHERE event_date >= {lookback_from:Date} AND event_date < {day:Date}
      AND user_id IN (SELECT receiver FROM pairs WHERE receiver NOT IN (SELECT user_id FROM acted))
    GROUP BY user_id
  ),
  attributes AS (
    SELECT user_id, ${ATTRIBUTES}, 1 AS known FROM acted
    UNION ALL
    SELECT user_id, ${USER_ATTRIBUTES.map((a, i) => `tupleElement(latest, ${i + 1}) AS ${a}`).join(', ')}, 1 FROM remembered
  ),
  activity AS (
    SELECT user_id, sum(v) AS views, sum(l) AS likes, sum(ms) AS messages_sent, sum(us) AS users_sent,
      sum(mr) AS messages_received, sum(ur) AS users_received
    FROM (
      SELECT user_id, views AS v, likes AS l, toUInt64(0) AS ms, toUInt64(0) AS us, toUInt64(0) AS mr, toUInt64(0) AS ur FROM acted
      UNION ALL
      SELECT sender, 0, 0, sum(messages), count(), 0, 0 FROM pairs GROUP BY sender
      UNION ALL
      SELECT receiver, 0, 0, 0, 0, sum(messages), count() FROM pairs GROUP BY receiver
    )
    GROUP BY user_id
  )
SELECT {day:Date}, tupleElement(slice, 1) AS dimension, tupleElement(slice, 2) AS dimension_value,
  sum(views), sum(likes), sum(messages_received), sum(messages_sent), sum(users_received), sum(users_sent)
FROM activity LEFT JOIN attributes USING (user_id)
ARRAY JOIN [
    ${slices}
  ] AS slice
GROUP BY dimension, dimension_value`;
}

/** Per-dimension sums of the staged day, for the invariants checked before it is published. */
export function stagedTotalsSql(staging: TableName): string {
  return `SELECT dimension, sum(views) AS views, sum(likes) AS likes, sum(messages_sent) AS sent, sum(messages_received) AS received,
  count() AS rows
FROM ${staging.sql} WHERE event_date = {day:Date} GROUP BY dimension ORDER BY dimension`;
}

/** Checks that an extra dimension's expression evaluates on a sample user. */
export function dimensionProbeSql(dimension: Dimension): string {
  return `SELECT toString(${dimension.expression}) AS value FROM (
  SELECT toUInt8(1) AS gender, toUInt8(30) AS age, 'iOS' AS os, 'Russia' AS country, 'Moscow' AS city, 'ads' AS source, toInt8(1) AS exp_group)`;
}
