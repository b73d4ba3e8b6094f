import { USER_ATTRIBUTES } from '../config/schema.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { EtlSources } from './etl-queries.js';

/** A source table is missing or lacks a column the jobs read: the job cannot run. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/**
 * Checks that both source tables exist with every column vigil reads, before anything is written,
 * and says how to fix what is not there (e.g. the receiver column's other spelling).
 */
export async function checkSources(warehouse: Warehouse, sources: EtlSources): Promise<void> {
  await requireColumns(warehouse, 'sources.feed', sources.feed, ['user_id', 'post_id', 'action', 'time', ...USER_ATTRIBUTES]);
  await requireColumns(warehouse, 'sources.messages', sources.messages, ['user_id', sources.receiverColumn, 'time', ...USER_ATTRIBUTES]);
}

async function requireColumns(warehouse: Warehouse, key: string, table: TableName, required: readonly string[]): Promise<void> {
  const name = `${table.database}.${table.table}`;
  const columns = await warehouse.query<{ name: string }>(
    'SELECT name FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    { params: { database: table.database, table: table.table } },
  );
  if (columns.length === 0) {
    throw new SourceError(`${key}: table ${name} does not exist (or this account cannot see it); check the name in the config, or run vigil simulate to create sample data`);
  }
  const present = new Set(columns.map((c) => c.name));
  const missing = required.filter((column) => !present.has(column));
  if (missing.length === 0) return;
  const hint = missing.includes('reciever_id') && present.has('receiver_id') ? ' (this table spells it receiver_id: set sources.receiverColumn: receiver_id)'
    : missing.includes('receiver_id') && present.has('reciever_id') ? ' (this table spells it reciever_id: set sources.receiverColumn: reciever_id)' : '';
  throw new SourceError(`${key}: table ${name} lacks column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}${hint}`);
}
