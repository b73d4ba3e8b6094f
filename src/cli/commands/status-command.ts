import type { Command } from 'commander';
import type { CliContext, CommandRunner } from '../cli-context.js';

interface TableRow {
  database: string;
  name: string;
  total_rows: number | null;
}

export function registerStatusCommand(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('check that the warehouse answers and list the source and vigil tables in it')
    .action(run((ctx) => printStatus(ctx)));
}

async function printStatus(ctx: CliContext): Promise<void> {
  const { config } = ctx.config();
  const warehouse = ctx.openWarehouse();
  await warehouse.ping();
  const [version] = await warehouse.query<{ version: string }>('SELECT version() AS version');
  const wanted = [config.sources.feed, config.sources.messages, config.etl.target];
  const databases = [...new Set(wanted.map((name) => name.split('.')[0] ?? ''))];
  const tables = await warehouse.query<TableRow>(
    `SELECT database, name, total_rows FROM system.tables WHERE has(splitByChar(',', {databases:String}), database) ORDER BY database, name`,
    { params: { databases: databases.join(',') } },
  );
  const lines = [
    `warehouse: ${warehouse.kind} ClickHouse ${version?.version ?? '?'} at ${warehouse.location}`,
    `timezone:  ${config.timezone}`,
  ];
  for (const name of wanted) {
    const found = tables.find((t) => `${t.database}.${t.name}` === name);
    lines.push(`  ${name.padEnd(32)} ${found ? `${(found.total_rows ?? 0).toLocaleString('en-US')} rows` : 'missing'}`);
  }
  ctx.print(lines.join('\n'));
}
