import { parseIsoDate, type IsoDate } from '../time/time.js';
import type { TableName } from './identifiers.js';
import type { Warehouse } from './warehouse.js';

/** The partition ID ClickHouse gives a day of a table `PARTITION BY <Date column>`. */
export function dayPartitionId(day: IsoDate): string {
  if (parseIsoDate(day) === undefined) throw new TypeError(`not a day: ${JSON.stringify(day)}`);
  return day.replaceAll('-', '');
}

/**
 * An empty staging twin of a day-partitioned table, ready for {@link publishDay}, under a name of
 * the run's own (so no table of a killed run, perhaps of an older layout, can be in the way).
 */
export async function createStagingTable(warehouse: Warehouse, staging: TableName, of: TableName): Promise<void> {
  await warehouse.command(`CREATE TABLE ${staging.sql} AS ${of.sql}`, { idempotent: true });
}

/**
 * Publishes a staged day into a day-partitioned table in one atomic step: readers see the day's
 * old rows or its new rows, never a mix, never doubled. A day staged empty drops the partition
 * (ClickHouse refuses to replace a partition from one that has no parts).
 * Returns the number of rows published.
 */
export async function publishDay(
  warehouse: Warehouse,
  target: TableName,
  staging: TableName,
  day: IsoDate,
): Promise<number> {
  const id = dayPartitionId(day);
  const [staged] = await warehouse.query<{ n: number }>(
    `SELECT count() AS n FROM ${staging.sql} WHERE _partition_id = {id:String}`,
    {
      params: { id },
    },
  );
  const rows = staged?.n ?? 0;
  if (rows === 0) await warehouse.command(`ALTER TABLE ${target.sql} DROP PARTITION ID '${id}'`, { idempotent: true });
  else
    await warehouse.command(`ALTER TABLE ${target.sql} REPLACE PARTITION ID '${id}' FROM ${staging.sql}`, {
      idempotent: true,
    });
  return rows;
}
