import { SAMPLE_USER, USER_ATTRIBUTES, type Sources, type UserAttribute } from '../sources/sources.js';
import { quoteIdentifier, type TableName } from '../warehouse/identifiers.js';
import type { Dimension } from './dimensions.js';
import type { LatestRowSql } from './latest-row.js';

/*
 * The ETL's statements. Parameters: {day:Date} the logical date D; {day_start:DateTime('UTC')}
 * and {day_end:DateTime('UTC')} the instants D starts and ends in the configured time zone;
 * {lookback_from:Date} the first day of the look-back (D − lookback + 1).
 */

/** A list's items in the slices statement's layout, one a line. */
const LINES = ',\n        ';

/** An attribute from the user's own row of the day, else from the look-back. */
const ownOrRemembered = (attribute: UserAttribute) =>
  `if(of_day.last_time > 0, of_day.${attribute}, remembered.remembered_${attribute}) AS ${attribute}`;

const ON_DAY = `time >= {day_start:DateTime('UTC')} AND time < {day_end:DateTime('UTC')}`;

/**
 * Day D's digest of every user of D, in one pass over each source: the latest own row of the day
 * (its time and the given attributes, picked by `latest`; time 0 for a user who only received
 * messages), the user's views and likes, messages sent and received, and distinct receivers and
 * senders. Attributes not digested keep their column defaults.
 */
export function userDaySql(
  sources: Sources,
  into: TableName,
  attributes: readonly UserAttribute[],
  latest: LatestRowSql,
): string {
  const receiver = quoteIdentifier(sources.receiverColumn);
  const counts = 'views, likes, messages_sent, users_sent, messages_received, users_received';
  return `INSERT INTO ${into.sql} (event_date, user_id, last_time, ${attributes.join(', ')}, ${counts})
SELECT {day:Date}, user_id, ${latest.time}, ${latest.attributes.join(', ')}, ${counts}
FROM (
  SELECT user_id, max(latest) AS latest, sum(views) AS views, sum(likes) AS likes, sum(messages_sent) AS messages_sent,
    sum(users_sent) AS users_sent, sum(messages_received) AS messages_received, sum(users_received) AS users_received
  FROM (
    SELECT user_id, max(${latest.key}) AS latest, countIf(action = 'view') AS views, countIf(action = 'like') AS likes,
      toUInt64(0) AS messages_sent, toUInt64(0) AS users_sent,
      toUInt64(0) AS messages_received, toUInt64(0) AS users_received
    FROM ${sources.feed.sql} WHERE ${ON_DAY}
    GROUP BY user_id
    UNION ALL
    -- Each (sender, receiver) pair once for its sender and once for its receiver, who owns no row by it.
    SELECT if(sending, sender, receiver), if(sending, latest, defaultValueOfArgumentType(latest)), 0, 0,
      if(sending, messages, 0), if(sending, 1, 0), if(sending, 0, messages), if(sending, 0, 1)
    FROM (
      SELECT user_id AS sender, ${receiver} AS receiver, max(${latest.key}) AS latest, count() AS messages
      FROM ${sources.messages.sql} WHERE ${ON_DAY}
      GROUP BY sender, receiver
    )
    ARRAY JOIN [1, 0] AS sending
  )
  GROUP BY user_id
)`;
}

/** The attributes the dimensions' expressions mention (a mention inside a string literal only costs time). */
export function attributesUsed(dimensions: readonly Dimension[]): UserAttribute[] {
  return USER_ATTRIBUTES.filter((attribute) =>
    dimensions.some((d) => new RegExp(`\\b${attribute}\\b`).test(d.expression)),
  );
}

/**
 * SPEC §3 for day D from D's digest (which holds the `attributes` the dimensions use): every user
 * of D (feed actors, senders, receivers) is counted under their own attributes; a receiver who did
 * not act on D gets those of their latest own row in the look-back's digests (one a day, so no two
 * share a time), else `unknown`. Rows without an own row (time 0) are not filtered out of the
 * look-back but lose every argMax to one that has: filtering them costs more than carrying them.
 * Users are summed by attribute combination first, so the dimensions fan out over a few hundred
 * rows, not over every user.
 */
export function slicesSql(
  userDays: TableName,
  into: TableName,
  dimensions: readonly Dimension[],
  attributes: readonly UserAttribute[],
): string {
  const slices = dimensions
    .map((d) => `('${d.name}', if(known, toString(${d.expression}), 'unknown'))`)
    .join(',\n    ');
  const counts = ['views', 'likes', 'messages_received', 'messages_sent', 'users_received', 'users_sent'];
  const sums = counts.map((c) => `sum(${c}) AS ${c}`).join(', ');
  return `INSERT INTO ${into.sql} (event_date, generation, dimension, dimension_value, ${counts.join(', ')})
WITH
  remembered AS (
    SELECT user_id, ${attributes.map((a) => `argMax(${a}, last_time) AS remembered_${a}`).join(', ')},
      toUInt8(max(last_time) > 0) AS found
    FROM ${userDays.sql}
    WHERE event_date >= {lookback_from:Date} AND event_date < {day:Date}
      AND user_id IN (SELECT user_id FROM ${userDays.sql} WHERE event_date = {day:Date} AND last_time = 0)
    GROUP BY user_id
  ),
  combinations AS (
    SELECT known, ${attributes.join(', ')}, ${sums}
    FROM (
      SELECT of_day.last_time > 0 OR remembered.found = 1 AS known,
        ${attributes.map(ownOrRemembered).join(LINES)},
        ${counts.map((c) => `of_day.${c} AS ${c}`).join(', ')}
      FROM (SELECT * FROM ${userDays.sql} WHERE event_date = {day:Date}) AS of_day
      LEFT JOIN remembered USING (user_id)
    )
    GROUP BY known, ${attributes.join(', ')}
  )
SELECT {day:Date}, {generation:UInt64}, tupleElement(slice, 1) AS dimension, tupleElement(slice, 2) AS dimension_value,
  ${sums}
FROM combinations
ARRAY JOIN [
    ${slices}
  ] AS slice
GROUP BY dimension, dimension_value`;
}

/** Per-dimension sums of a written, unpublished generation of a day, checked before it is published. */
export function stagedTotalsSql(rows: TableName): string {
  return `SELECT dimension, sum(views) AS views, sum(likes) AS likes,
  sum(messages_sent) AS sent, sum(messages_received) AS received,
  count() AS rows
FROM ${rows.sql} WHERE event_date = {day:Date} AND generation = {generation:UInt64}
GROUP BY dimension ORDER BY dimension`;
}

/** Checks that an extra dimension's expression evaluates on a sample user. */
export function dimensionProbeSql(dimension: Dimension): string {
  const sample = USER_ATTRIBUTES.map((attribute) => `${SAMPLE_USER[attribute]} AS ${attribute}`).join(', ');
  return `SELECT toString(${dimension.expression}) AS value FROM (SELECT ${sample})`;
}
