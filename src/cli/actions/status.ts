import { JobError } from '../../errors/vigil-error.js';
import { pendingMessagesSql } from '../../notify/journal.js';
import { SOURCE_CONFIG_KEYS, SOURCE_NAMES } from '../../sources/sources.js';
import type { VigilTables } from '../../tables/vigil-tables.js';
import { formatLocalTime, fromSqlDateTime } from '../../time/time.js';
import type { TableName } from '../../warehouse/identifiers.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { isMissingTable } from '../../warehouse/warehouse-error.js';
import type { CliContext } from '../cli-context.js';

interface TableRow {
  database: string;
  name: string;
  total_rows: number | null;
}

/** The warehouse, each source table with its size and newest event, the target, and what waits to be delivered. */
export async function action(ctx: CliContext): Promise<void> {
  const { timezone, sources, etl, tables: vigilTables } = ctx.settings();
  const warehouse = await ctx.openWarehouse();
  await warehouse.ping();
  const [version] = await warehouse.query<{ version: string }>('SELECT version() AS version');
  const own = [vigilTables.windows, vigilTables.evaluations, vigilTables.notifications, vigilTables.runs];
  const wanted = [sources.feed, sources.messages, etl.target, ...own];
  const databases = [...new Set(wanted.map((table) => table.database))];
  const tables = await warehouse.query<TableRow>(
    `SELECT database, name, total_rows FROM system.tables
     WHERE has(splitByChar(',', {databases:String}), database) ORDER BY database, name`,
    { params: { databases: databases.join(',') } },
  );
  const found = (table: TableName) => tables.find((t) => t.database === table.database && t.name === table.table);
  const name = (table: TableName) => `${table.database}.${table.table}`;
  const rows = (row: Pick<TableRow, 'total_rows'>) => `${(row.total_rows ?? 0).toLocaleString('en-US')} rows`;
  const lines = [
    `warehouse: ${warehouse.kind} ClickHouse ${version?.version ?? '?'} at ${warehouse.location}`,
    `timezone:  ${timezone}`,
  ];
  const missing: string[] = [];
  for (const source of SOURCE_NAMES) {
    const table = sources[source];
    const row = found(table);
    if (!row) {
      missing.push(
        `${SOURCE_CONFIG_KEYS[source]}: table ${name(table)} does not exist (or this account cannot see it)`,
      );
      lines.push(`  ${name(table).padEnd(32)} missing (${SOURCE_CONFIG_KEYS[source]})`);
      continue;
    }
    const newest = await newestEvent(warehouse, table);
    lines.push(
      `  ${name(table).padEnd(32)} ${rows(row)}, newest event ${newest ? formatLocalTime(newest, timezone) : 'none'}`,
    );
  }
  // The target is a view (its total_rows is unknown): counted, which is cheap for a day's slices.
  const target = found(etl.target)
    ? await warehouse.query<{ n: number }>(`SELECT count() AS n FROM ${etl.target.sql}`)
    : undefined;
  lines.push(
    `  ${name(etl.target).padEnd(32)} ` +
      (target ? `${rows({ total_rows: target[0]?.n ?? 0 })}, the ETL target` : 'missing (made by the first vigil etl)'),
  );
  for (const table of own) {
    const row = found(table);
    lines.push(
      `  ${name(table).padEnd(32)} ${row ? rows(row) : 'not made yet (the first alert or service run makes it)'}`,
    );
  }
  const waiting = await pendingCount(warehouse, vigilTables);
  if (waiting > 0) lines.push(`notifications waiting for delivery: ${waiting} (sent by the next report or alert run)`);
  ctx.print(lines.join('\n'));
  if (missing.length > 0)
    throw new JobError(missing.join('; '), {
      hint: 'check the name in the config, or run vigil simulate to create sample data',
    });
}

async function newestEvent(warehouse: Warehouse, table: TableName): Promise<Date | undefined> {
  const [row] = await warehouse.query<{ newest: string }>(
    `SELECT toString(toDateTime(time, 'UTC')) AS newest FROM ${table.sql} ORDER BY time DESC LIMIT 1`,
  );
  return row === undefined ? undefined : fromSqlDateTime(row.newest);
}

async function pendingCount(warehouse: Warehouse, tables: VigilTables): Promise<number> {
  try {
    const [row] = await warehouse.query<{ n: number }>(`SELECT count() AS n FROM (${pendingMessagesSql(tables)})`);
    return row?.n ?? 0;
  } catch (error) {
    if (isMissingTable(error)) return 0;
    throw error;
  }
}
