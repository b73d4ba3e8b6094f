import { feedColumns, messageColumns } from '../sources/sources.js';
import { quoteIdentifier, type TableName } from '../warehouse/identifiers.js';
import type { QueryParams } from '../warehouse/warehouse.js';
import type { Anomaly, AnomalyMetric } from './simulation-options.js';

/*
 * The simulated product, generated inside ClickHouse. Every random draw is a hash of the seed, a
 * tag and the draw's coordinates (user, day, event number), so the same options always give the
 * same events, and any time range can be generated on its own: generating [a, c) equals
 * generating [a, b) and then [b, c). Each statement covers one local day of `day_count` users
 * and keeps only the events inside [from, to).
 */

/** A uniform draw in [0, 1) from 53 bits of a seeded hash. */
function draw(tag: string, ...keys: string[]): string {
  return `(bitShiftRight(cityHash64({seed:UInt64}, '${tag}', ${keys.join(', ')}), 11) / 9007199254740992.0)`;
}

/** A user's draw for the day, and for the day's k-th event of theirs. */
const dayDraw = (tag: string) => draw(tag, 'user_id', '{day_key:UInt32}');
const eventDraw = (tag: string) => draw(tag, 'user_id', '{day_key:UInt32}', 'k');

/**
 * Relative activity at each local hour 0..23 (24 = 0 again): lowest at 5 h, highest at 19–20 h. The
 * knots follow a smooth two-harmonic curve whose neighbouring 15-minute windows differ by at most
 * 6 %, so a normal evening's decline never looks like a drop to the detector.
 */
const HOURLY_DENSITY = [
  1.093, 0.87, 0.682, 0.545, 0.465, 0.437, 0.447, 0.48, 0.522, 0.567, 0.615, 0.675, 0.757, 0.87, 1.018, 1.195, 1.385,
  1.563, 1.703, 1.78, 1.778, 1.693, 1.535, 1.325,
];

/** Normalised cumulative area of each hour under the piecewise-linear density. */
function hourlyCumulative(): number[] {
  const areas = HOURLY_DENSITY.map((a, h) => (a + (HOURLY_DENSITY[(h + 1) % 24] ?? a)) / 2);
  const total = areas.reduce((sum, a) => sum + a, 0);
  let running = 0;
  return areas.map((a, h) => (h === 23 ? 1 : (running += a) / total));
}

/**
 * Seconds into the local day, drawn from the daily curve: the hour by its area, then the point
 * inside the hour by inverting the linear density's CDF, so the curve has no steps at hour edges
 * (a step would look like an anomaly to the 15-minute detector).
 */
function secondOfDay(u1: string, u2: string): string {
  const cumulative = `[${hourlyCumulative().join(', ')}]`;
  const density = `[${[...HOURLY_DENSITY, HOURLY_DENSITY[0]].join(', ')}]`;
  return `(
    (arrayFirstIndex(c -> c > ${u1}, ${cumulative}) - 1) AS hour_index,
    ${density}[hour_index + 1] AS density_start,
    ${density}[hour_index + 2] AS density_end,
    ${u2} AS hour_fraction,
    toUInt32(floor((hour_index + if(abs(density_end - density_start) < 1e-9, hour_fraction,
      (sqrt(density_start * density_start
        + (density_end * density_end - density_start * density_start) * hour_fraction) - density_start)
        / (density_end - density_start))) / 24 * {day_seconds:UInt32}))
  ).5`;
}

/** Places users live in, with weights: mostly large Russian cities, as in the original product. */
const PLACES: readonly [string, string, number][] = [
  ['Russia', 'Moscow', 30],
  ['Russia', 'Saint Petersburg', 14],
  ['Russia', 'Novosibirsk', 5],
  ['Russia', 'Yekaterinburg', 5],
  ['Russia', 'Kazan', 4],
  ['Russia', 'Nizhny Novgorod', 4],
  ['Russia', 'Samara', 3],
  ['Russia', 'Rostov-on-Don', 3],
  ['Russia', 'Krasnodar', 3],
  ['Russia', 'Voronezh', 2],
  ['Ukraine', 'Kyiv', 5],
  ['Ukraine', 'Kharkiv', 2],
  ['Belarus', 'Minsk', 4],
  ['Kazakhstan', 'Almaty', 4],
  ['Kazakhstan', 'Astana', 2],
  ['Azerbaijan', 'Baku', 2],
  ['Finland', 'Helsinki', 2],
  ['Estonia', 'Tallinn', 2],
  ['Latvia', 'Riga', 2],
  ['Cyprus', 'Limassol', 2],
];

function placeColumns(uid: string): string {
  const total = PLACES.reduce((sum, [, , w]) => sum + w, 0);
  let running = 0;
  const cumulative = PLACES.map(([, , w], i) => (i === PLACES.length - 1 ? 1 : (running += w) / total));
  const countries = `[${PLACES.map(([c]) => `'${c}'`).join(', ')}]`;
  const cities = `[${PLACES.map(([, c]) => `'${c}'`).join(', ')}]`;
  return `arrayFirstIndex(c -> c > ${draw('place', uid)}, [${cumulative.join(', ')}]) AS place_index,
    ${countries}[place_index] AS country, ${cities}[place_index] AS city`;
}

/** A user's attributes: stable for life, a function of the seed and the id only. */
function userAttributes(uid: string): string {
  return `toUInt8(cityHash64({seed:UInt64}, 'gender', ${uid}) % 2) AS gender,
    toUInt8(14 + floor(56 * pow(${draw('age', uid)}, 1.8))) AS age,
    if(${draw('os', uid)} < 0.67, 'Android', 'iOS') AS os,
    ${placeColumns(uid)},
    if(${draw('source', uid)} < 0.4, 'ads', 'organic') AS source,
    toInt8(cityHash64({seed:UInt64}, 'exp_group', ${uid}) % 5) AS exp_group`;
}

/** The attribute columns {@link userAttributes} gives, carried along with each user's events. */
const ATTRIBUTES = 'gender, age, os, country, city, source, exp_group';

/** The product of the factors of the anomalies that touch an event (1 when none does). */
function anomalyFactor(
  anomalies: readonly Anomaly[],
  kinds: readonly AnomalyMetric[],
  actionOf: (metric: AnomalyMetric) => string,
): string | undefined {
  const terms = anomalies.flatMap((anomaly, i) => {
    if (!kinds.includes(anomaly.metric)) return [];
    const filter = anomaly.filter
      ? ` AND toString(${quoteIdentifier(anomaly.filter.attribute)}) = {a${i}_value:String}`
      : '';
    const during = `time >= {a${i}_from:DateTime('UTC')} AND time < {a${i}_to:DateTime('UTC')}`;
    return [`if(${actionOf(anomaly.metric)} AND ${during}${filter}, {a${i}_factor:Float64}, 1.0)`];
  });
  return terms.length === 0 ? undefined : `(${terms.join(' * ')})`;
}

/**
 * Copies of each event after the anomalies: a factor f keeps ⌊f⌋ copies plus one more with
 * probability f − ⌊f⌋, so 0.3 thins to 30 % and 5 repeats five times. No clause without anomalies.
 */
function anomalyCopies(factor: string | undefined, eventKey: string): string {
  if (factor === undefined) return '';
  const extra = `copy = floor(${factor}) AND ${draw('anomaly', eventKey, 'copy')} < ${factor} - floor(${factor})`;
  return `ARRAY JOIN arrayFilter(copy -> copy < floor(${factor}) OR (${extra}),
  range(toUInt32(ceil(${factor})))) AS copy`;
}

export interface DayStatementInput {
  readonly target: TableName;
  readonly anomalies: readonly Anomaly[];
}

/** `INSERT … SELECT` of one local day's feed actions (views and likes) within [from, to). */
export function feedDaySql({ target, anomalies }: DayStatementInput): string {
  const factor = anomalyFactor(anomalies, ['views', 'likes', 'feed'], (m) =>
    m === 'feed' ? '1' : `action = '${m === 'views' ? 'view' : 'like'}'`,
  );
  const columns = feedColumns().map((c) => c.name);
  return `INSERT INTO ${target.sql} (${columns.map(quoteIdentifier).join(', ')})
SELECT ${columns.join(', ')}
FROM (
  SELECT user_id, post_id, event.1 AS action, {day_start:DateTime('UTC')} + event.2 AS time, k, ${ATTRIBUTES}
  FROM (
    SELECT user_id, k, post_id, ${ATTRIBUTES},
      ${secondOfDay(eventDraw('view-hour'), eventDraw('view-minute'))} AS view_second,
      ${eventDraw('like')} < (0.1 + 0.2 * ${draw('ctr', 'user_id')})
        * (0.75 + 0.5 * ${draw('post-ctr', 'post_id')}) AS liked,
      least(view_second + 2 + toUInt32(floor(60 * ${eventDraw('like-delay')})),
        {day_seconds:UInt32} - 1) AS like_second,
      arrayJoin(if(liked, [('view', view_second), ('like', like_second)], [('view', view_second)])) AS event
    FROM (
      SELECT user_id, k, ${ATTRIBUTES},
        toUInt32(1 + floor({posts:UInt32} * pow(${eventDraw('post')}, 3))) AS post_id
      FROM (
        SELECT toUInt32(number + 1) AS user_id, ${userAttributes('user_id')},
          if(${dayDraw('feed-active')} < (0.2 + 0.6 * ${draw('feed-propensity', 'user_id')}) * {week_factor:Float64},
             least(2000, toUInt32(floor({view_scale:Float64} * pow(1 - ${dayDraw('views')}, -0.5)))), 0) AS views
        FROM numbers({users:UInt32})
      )
      ARRAY JOIN range(views) AS k
    )
  )
  WHERE time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')}
)
${anomalyCopies(factor, 'user_id, {day_key:UInt32}, k, action')}`;
}

/**
 * `INSERT … SELECT` of one local day's messages within [from, to). A minority of users write;
 * each writes to a few friends, mostly the first, so pairs repeat; about one friend in twelve is
 * a user who never acts at all (ids above `users`), whose attributes are therefore unknown.
 */
export function messagesDaySql({ target, anomalies }: DayStatementInput, receiverColumn: string): string {
  const factor = anomalyFactor(anomalies, ['messages'], () => '1');
  const friends = `(1 + cityHash64({seed:UInt64}, 'friends', user_id) % 8)`;
  const slot = `toUInt32(floor(pow(${eventDraw('friend-slot')}, 2) * ${friends}))`;
  const columns = messageColumns(receiverColumn).map((c) => c.name);
  // The receiver is computed as receiver_id, whatever the table calls its column.
  const selected = columns.map((name) => (name === receiverColumn ? 'receiver_id' : name));
  return `INSERT INTO ${target.sql} (${columns.map(quoteIdentifier).join(', ')})
SELECT ${selected.join(', ')}
FROM (
  SELECT user_id, k, receiver_id, ${ATTRIBUTES},
    {day_start:DateTime('UTC')} + ${secondOfDay(eventDraw('msg-hour'), eventDraw('msg-minute'))} AS time
  FROM (
    SELECT user_id, k, ${ATTRIBUTES}, ${slot} AS slot,
      if(${draw('silent-friend', 'user_id', 'slot')} < 0.08,
         toUInt32({users:UInt32} + 1 + cityHash64({seed:UInt64}, 'silent-id', user_id, slot) % {silent_users:UInt32}),
         toUInt32(1 + cityHash64({seed:UInt64}, 'friend-id', user_id, slot) % {users:UInt32})) AS drawn,
      if(drawn = user_id, toUInt32(user_id % {users:UInt32} + 1), drawn) AS receiver_id
    FROM (
      SELECT toUInt32(number + 1) AS user_id, ${userAttributes('user_id')},
        if(${draw('messenger-user', 'user_id')} < 0.3
             AND ${dayDraw('messenger-active')}
               < (0.2 + 0.5 * ${draw('messenger-propensity', 'user_id')}) * {week_factor:Float64},
           least(300, toUInt32(1 + floor({message_scale:Float64} * pow(1 - ${dayDraw('messages')}, -0.5)))), 0)
        AS messages
      FROM numbers({users:UInt32})
    )
    ARRAY JOIN range(messages) AS k
  )
  WHERE time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')}
)
${anomalyCopies(factor, 'user_id, {day_key:UInt32}, k')}`;
}

/** Bound values of the anomalies referenced by the statements above. */
export function anomalyParams(anomalies: readonly Anomaly[], toSql: (instant: Date) => string): QueryParams {
  const params: Record<string, string | number> = {};
  anomalies.forEach((anomaly, i) => {
    params[`a${i}_from`] = toSql(anomaly.from);
    params[`a${i}_to`] = toSql(anomaly.to);
    params[`a${i}_factor`] = anomaly.factor;
    if (anomaly.filter) params[`a${i}_value`] = anomaly.filter.value;
  });
  return params;
}
