/**
 * An independent reference for SPEC §3, written from the SPEC's words over raw rows in memory.
 * Test support only: the product computes this inside ClickHouse.
 */
export interface Attributes {
  gender: number;
  age: number;
  os: string;
  country: string;
  city: string;
  source: string;
  exp_group: number;
}
export interface FeedRow extends Attributes {
  user_id: number;
  post_id: number;
  action: 'view' | 'like';
  time: string; // 'YYYY-MM-DD hh:mm:ss' UTC
}
export interface MessageRow extends Attributes {
  user_id: number;
  reciever_id: number;
  time: string;
}
export interface SliceRow {
  event_date: string;
  dimension: string;
  dimension_value: string;
  views: number;
  likes: number;
  messages_received: number;
  messages_sent: number;
  users_received: number;
  users_sent: number;
}

/** The calendar date of a UTC 'YYYY-MM-DD hh:mm:ss' in a time zone, via Intl (not the product's code). */
export function localDate(utc: string, timezone: string): string {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formats.set(timezone, format);
  }
  return format.format(new Date(`${utc.replace(' ', 'T')}Z`));
}
const formats = new Map<string, Intl.DateTimeFormat>();

function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function tupleKey(row: { time: string } & Attributes): (string | number)[] {
  return [row.time, row.gender, row.age, row.os, row.country, row.city, row.source, row.exp_group];
}

function greater(a: (string | number)[], b: (string | number)[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x > y;
  }
  return false;
}

export function referenceSlices(
  feed: readonly FeedRow[],
  messages: readonly MessageRow[],
  day: string,
  timezone: string,
  lookback: number,
  dimensions: readonly { name: string; value: (a: Attributes) => string }[],
): SliceRow[] {
  const first = shiftDay(day, -(lookback - 1));
  const dayOf = (row: { time: string }) => localDate(row.time, timezone);
  const onDay = (row: { time: string }) => dayOf(row) === day;

  const latest = new Map<number, { key: (string | number)[]; attributes: Attributes }>();
  for (const row of [...feed, ...messages]) {
    const d = dayOf(row);
    if (d < first || d > day) continue;
    const key = tupleKey(row);
    const seen = latest.get(row.user_id);
    if (!seen || greater(key, seen.key)) {
      const { gender, age, os, country, city, source, exp_group } = row;
      latest.set(row.user_id, { key, attributes: { gender, age, os, country, city, source, exp_group } });
    }
  }

  const feedToday = feed.filter(onDay);
  const messagesToday = messages.filter(onDay);
  const users = new Set<number>([
    ...feedToday.map((r) => r.user_id),
    ...messagesToday.map((r) => r.user_id),
    ...messagesToday.map((r) => r.reciever_id),
  ]);
  const pairs = new Set(messagesToday.map((r) => `${r.user_id}>${r.reciever_id}`));

  const rows: SliceRow[] = [];
  for (const dimension of dimensions) {
    const valueOf = (user: number) => {
      const attributes = latest.get(user)?.attributes;
      return attributes ? dimension.value(attributes) : 'unknown';
    };
    const byValue = new Map<string, SliceRow>();
    const row = (value: string): SliceRow => {
      let r = byValue.get(value);
      if (!r) {
        r = {
          event_date: day,
          dimension: dimension.name,
          dimension_value: value,
          views: 0,
          likes: 0,
          messages_received: 0,
          messages_sent: 0,
          users_received: 0,
          users_sent: 0,
        };
        byValue.set(value, r);
      }
      return r;
    };
    for (const user of users) row(valueOf(user));
    for (const r of feedToday) row(valueOf(r.user_id))[r.action === 'view' ? 'views' : 'likes']++;
    for (const r of messagesToday) {
      row(valueOf(r.user_id)).messages_sent++;
      row(valueOf(r.reciever_id)).messages_received++;
    }
    for (const pair of pairs) {
      const [sender, receiver] = pair.split('>').map(Number) as [number, number];
      row(valueOf(sender)).users_sent++;
      row(valueOf(receiver)).users_received++;
    }
    rows.push(...byValue.values());
  }
  return rows.sort((a, b) =>
    `${a.dimension}|${a.dimension_value}`.localeCompare(`${b.dimension}|${b.dimension_value}`),
  );
}
