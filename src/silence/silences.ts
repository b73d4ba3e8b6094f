import { randomBytes } from 'node:crypto';
import type { VigilTables } from '../tables/vigil-tables.js';
import { fromSqlDateTime, toSqlDateTime64 } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * A silence: a metric (or every metric, '') of a slice (or every slice, '') is not notified from
 * `startsAt` to `endsAt` (ms). Its anomalies are still judged and recorded, as "silenced".
 */
export interface Silence {
  readonly id: string;
  readonly metric: string;
  readonly slice: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly comment: string;
}

/** Whether a silence covers a metric of a slice at an instant. */
export function covers(silence: Silence, metric: string, slice: string, at: number): boolean {
  return (
    (silence.metric === '' || silence.metric === metric) &&
    (silence.slice === '' || silence.slice === slice) &&
    silence.startsAt <= at &&
    at < silence.endsAt
  );
}

/** A short id people can type: `s-` and eight hex digits. */
export function newSilenceId(): string {
  return `s-${randomBytes(4).toString('hex')}`;
}

const millis = (ms: number) => toSqlDateTime64(new Date(ms));

/** A silence's subject as people read it: "views, os=iOS", "every metric". */
export function silencedSubject(silence: Pick<Silence, 'metric' | 'slice'>): string {
  const metric = silence.metric === '' ? 'every metric' : silence.metric;
  return silence.slice === '' ? metric : `${metric}, ${silence.slice}`;
}

/** Columns of a silence row, as {@link silencesSql} returns them. */
export interface SilenceRow {
  readonly id: string;
  readonly metric: string;
  readonly slice: string;
  readonly starts: string;
  readonly ends: string;
  readonly created_by: string;
  readonly created: string;
  readonly comment: string;
}

/**
 * The silences not removed that end after {at:DateTime64(3)}: those in force then and those to
 * come. Silences are an append-only log: `added` rows, and `removed` rows naming their id.
 */
export function silencesSql(tables: VigilTables): string {
  const table = tables.silences.sql;
  return `SELECT id, metric, slice, toString(starts_at) AS starts, toString(ends_at) AS ends,
  created_by, toString(recorded_at) AS created, comment
FROM ${table}
WHERE entry = 'added' AND ends_at > {at:DateTime64(3, 'UTC')}
  AND id NOT IN (SELECT id FROM ${table} WHERE entry = 'removed')
ORDER BY starts_at, id`;
}

export function silenceOf(row: SilenceRow): Silence {
  return {
    id: row.id,
    metric: row.metric,
    slice: row.slice,
    startsAt: fromSqlDateTime(row.starts).getTime(),
    endsAt: fromSqlDateTime(row.ends).getTime(),
    createdBy: row.created_by,
    createdAt: fromSqlDateTime(row.created).getTime(),
    comment: row.comment,
  };
}

/** The silences in the warehouse, beside the alert state, so every process sees them. */
export class SilenceStore {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly tables: VigilTables,
  ) {}

  async add(silence: Silence): Promise<void> {
    await this.warehouse.insert(this.tables.silences, [
      {
        id: silence.id,
        entry: 'added',
        metric: silence.metric,
        slice: silence.slice,
        starts_at: millis(silence.startsAt),
        ends_at: millis(silence.endsAt),
        created_by: silence.createdBy,
        recorded_at: millis(silence.createdAt),
        comment: silence.comment,
      },
    ]);
  }

  /** Ends a silence; false when there is no such silence in force or to come. */
  async remove(id: string, by: string, now: number): Promise<boolean> {
    const known = (await this.current(now)).some((s) => s.id === id);
    if (!known) return false;
    await this.warehouse.insert(this.tables.silences, [
      { id, entry: 'removed', created_by: by, recorded_at: millis(now), starts_at: millis(now), ends_at: millis(now) },
    ]);
    return true;
  }

  /** Silences in force at `at` or to come after it. */
  async current(at: number): Promise<Silence[]> {
    const rows = await this.warehouse.query<SilenceRow>(silencesSql(this.tables), { params: { at: millis(at) } });
    return rows.map(silenceOf);
  }
}
