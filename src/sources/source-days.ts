import type { IsoDate } from '../time/time.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Sources } from './sources.js';

/** The first day, in the time zone, that either source has events on; undefined when both are empty. */
export async function firstSourceDay(
  warehouse: Warehouse,
  sources: Sources,
  timezone: string,
): Promise<IsoDate | undefined> {
  return edgeSourceDay(warehouse, sources, timezone, 'ASC');
}

/** The last day, in the time zone, that either source has events on; undefined when both are empty. */
export async function lastSourceDay(
  warehouse: Warehouse,
  sources: Sources,
  timezone: string,
): Promise<IsoDate | undefined> {
  return edgeSourceDay(warehouse, sources, timezone, 'DESC');
}

async function edgeSourceDay(
  warehouse: Warehouse,
  sources: Sources,
  timezone: string,
  order: 'ASC' | 'DESC',
): Promise<IsoDate | undefined> {
  // ORDER BY time LIMIT 1 reads one granule of a table sorted by time; min(time) would scan it all.
  const edge = async (table: TableName) =>
    (
      await warehouse.query<{ day: string }>(
        `SELECT toString(toDate(time, {tz:String})) AS day FROM ${table.sql} ORDER BY time ${order} LIMIT 1`,
        { params: { tz: timezone } },
      )
    )[0]?.day;
  const days = [await edge(sources.feed), await edge(sources.messages)]
    .filter((day): day is string => day !== undefined)
    .sort();
  return order === 'ASC' ? days[0] : days.at(-1);
}
