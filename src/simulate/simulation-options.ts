import { parseDuration } from '../time/duration.js';
import { USER_ATTRIBUTES, type UserAttribute } from '../sources/sources.js';
import { parseIsoTime } from '../time/time.js';

export const ANOMALY_METRICS = ['views', 'likes', 'feed', 'messages'] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

/** A distortion of the simulated product: a metric multiplied by `factor` over `[from, to)`. */
export interface Anomaly {
  /** `views` or `likes` (feed actions of that kind), `feed` (both), `messages`. */
  readonly metric: AnomalyMetric;
  /** 0 = outage, 0.3 = drop to 30 %, 5 = spike to five times. */
  readonly factor: number;
  readonly from: Date;
  readonly to: Date;
  /** Only events of users with this attribute value, e.g. `os=iOS`. */
  readonly filter?: { readonly attribute: UserAttribute; readonly value: string };
}

/**
 * Parses `--anomaly` text: comma-separated `key=value` pairs, e.g.
 * `metric=views,factor=0.3,from=2024-03-04T12:00,to=2024-03-04T14:00`,
 * `metric=messages,factor=0,last=2h`, `metric=likes,factor=5,last=1h,os=iOS`.
 * `last=D` means the D before `until`; `to` defaults to `until`. Throws an Error naming the problem.
 */
export function parseAnomaly(text: string, until: Date, timezone: string): Anomaly {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not key=value`);
    const key = part.slice(0, eq).trim();
    if (fields.has(key)) throw new Error(`${key} is given twice`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  const take = (key: string): string | undefined => {
    const value = fields.get(key);
    fields.delete(key);
    return value;
  };

  const metric = take('metric');
  if (!isOneOf(metric, ANOMALY_METRICS))
    throw new Error(`metric must be one of ${ANOMALY_METRICS.join(', ')} (got ${metric ?? 'nothing'})`);
  const factorText = take('factor');
  const factor = Number(factorText);
  if (factorText === undefined || factorText === '' || !Number.isFinite(factor) || factor < 0 || factor > 100) {
    throw new Error(`factor must be a number from 0 to 100 (got ${factorText ?? 'nothing'})`);
  }

  const time = (key: string, value: string): Date => {
    const parsed = parseIsoTime(value, timezone);
    if (!parsed) throw new Error(`${key} must be an ISO time such as 2024-03-04T12:00 (got ${value})`);
    return parsed;
  };
  const toText = take('to');
  const to = toText === undefined ? until : time('to', toText);
  const fromText = take('from');
  const last = take('last');
  let from: Date;
  if (fromText !== undefined && last !== undefined) throw new Error('give from or last, not both');
  if (fromText !== undefined) from = time('from', fromText);
  else if (last !== undefined) {
    const ms = parseDuration(last);
    if (ms === undefined || ms === 0) throw new Error(`last must be a duration such as 45m or 2h (got ${last})`);
    from = new Date(to.getTime() - ms);
  } else throw new Error('give from=TIME or last=DURATION');
  if (from >= to) throw new Error('the anomaly must start before it ends');

  let filter: Anomaly['filter'];
  for (const attribute of USER_ATTRIBUTES) {
    const value = take(attribute);
    if (value === undefined) continue;
    if (filter) throw new Error('at most one attribute filter');
    filter = { attribute, value };
  }
  const unknown = [...fields.keys()];
  if (unknown.length > 0) {
    throw new Error(
      `unknown key ${unknown.join(', ')}; known: metric, factor, from, to, last, ${USER_ATTRIBUTES.join(', ')}`,
    );
  }
  return filter ? { metric, factor, from, to, filter } : { metric, factor, from, to };
}

function isOneOf<T extends string>(value: string | undefined, allowed: readonly T[]): value is T {
  return value !== undefined && (allowed as readonly string[]).includes(value);
}
