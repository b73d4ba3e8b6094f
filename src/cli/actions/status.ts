import type { CliContext } from '../cli-context.js';

interface TableRow {
  database: string;
  name: string;
  total_rows: number | null;
}

export async function action(ctx: CliContext): Promise<void> {
  const { timezone, sources, etl } = ctx.settings();
  const warehouse = await ctx.openWarehouse();
  await warehouse.ping();
  const [version] = await warehouse.query<{ version: string }>('SELECT version() AS version');
  const wanted = [sources.feed, sources.messages, etl.target];
  const databases = [...new Set(wanted.map((table) => table.database))];
  const tables = await warehouse.query<TableRow>(
    `SELECT database, name, total_rows FROM system.tables
     WHERE has(splitByChar(',', {databases:String}), database) ORDER BY database, name`,
    { params: { databases: databases.join(',') } },
  );
  const lines = [
    `warehouse: ${warehouse.kind} ClickHouse ${version?.version ?? '?'} at ${warehouse.location}`,
    `timezone:  ${timezone}`,
  ];
  for (const table of wanted) {
    const name = `${table.database}.${table.table}`;
    const found = tables.find((t) => t.database === table.database && t.name === table.table);
    lines.push(`  ${name.padEnd(32)} ${found ? `${(found.total_rows ?? 0).toLocaleString('en-US')} rows` : 'missing'}`);
  }
  ctx.print(lines.join('\n'));
}
