import { JobError } from '../errors/vigil-error.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { SOURCE_CONFIG_KEYS, SOURCE_NAMES, sourceTables, type Sources } from './sources.js';

/** A source table is missing or lacks a column the jobs read: the job cannot run. Names the config key. */
export class SourceError extends JobError {
  override readonly name = 'SourceError';
}

/**
 * Checks that both source tables exist with every column vigil reads, before anything is written,
 * and says how to fix what is not there (e.g. the receiver column's other spelling).
 */
export async function checkSources(warehouse: Warehouse, sources: Sources): Promise<void> {
  const tables = sourceTables(sources);
  for (const name of SOURCE_NAMES) {
    const { table, columns } = tables[name];
    await requireColumns(
      warehouse,
      SOURCE_CONFIG_KEYS[name],
      table,
      columns.map((c) => c.name),
    );
  }
}

/**
 * A statement on the sources failed: if it was for want of a source table or column, the
 * SourceError naming the config key to fix; else the error as it was.
 */
export async function explainSourceFailure(warehouse: Warehouse, sources: Sources, error: unknown): Promise<unknown> {
  if (!(error instanceof WarehouseError) || !MISSING.has(error.type)) return error;
  try {
    await checkSources(warehouse, sources);
  } catch (explained) {
    if (explained instanceof SourceError) return explained;
  }
  return error;
}

const MISSING = new Set(['UNKNOWN_TABLE', 'UNKNOWN_DATABASE', 'UNKNOWN_IDENTIFIER', 'ACCESS_DENIED']);

async function requireColumns(
  warehouse: Warehouse,
  key: string,
  table: TableName,
  required: readonly string[],
): Promise<void> {
  const name = `${table.database}.${table.table}`;
  const columns = await warehouse.query<{ name: string }>(
    'SELECT name FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    { params: { database: table.database, table: table.table } },
  );
  if (columns.length === 0) {
    throw new SourceError(`${key}: table ${name} does not exist (or this account cannot see it)`, {
      hint: 'check the name in the config, or run vigil simulate to create sample data',
    });
  }
  const present = new Set(columns.map((c) => c.name));
  const missing = required.filter((column) => !present.has(column));
  if (missing.length === 0) return;
  const spelling = (wanted: string, other: string) =>
    missing.includes(wanted) && present.has(other)
      ? ` (this table spells it ${other}: set sources.receiverColumn: ${other})`
      : undefined;
  const hint = spelling('reciever_id', 'receiver_id') ?? spelling('receiver_id', 'reciever_id') ?? '';
  throw new SourceError(
    `${key}: table ${name} lacks column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}${hint}`,
  );
}
