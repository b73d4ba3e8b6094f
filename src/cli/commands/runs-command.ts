import type { Command } from 'commander';
import { JOBS, RunLedger, type JobName } from '../../schedule/run-ledger.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { integerFlag } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

export function registerRunsCommand(program: Command, run: CommandRunner): void {
  program
    .command('runs')
    .description("print the run ledger: every attempt of the service's scheduled runs, newest first")
    .option('--job <job>', `only this job (${JOBS.join(', ')})`)
    .option('--limit <n>', 'at most this many attempts', '20')
    .option('--json', 'one JSON object per line')
    .action(run((ctx, options) => runs(ctx, options as { job?: string; limit: string; json?: boolean })));
}

async function runs(ctx: CliContext, flags: { job?: string; limit: string; json?: boolean }): Promise<void> {
  if (flags.job !== undefined && !(JOBS as readonly string[]).includes(flags.job)) throw new UsageError(`--job must be one of ${JOBS.join(', ')} (got ${JSON.stringify(flags.job)})`);
  const limit = integerFlag('--limit', flags.limit, 1, 10_000);
  const { config } = ctx.config();
  const records = await new RunLedger(ctx.openWarehouse(), config.database).recent({ limit, ...(flags.job === undefined ? {} : { job: flags.job as JobName }) });
  if (flags.json) {
    ctx.print(records.map((r) => JSON.stringify({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })).join('\n'));
    return;
  }
  if (records.length === 0) {
    ctx.print('no runs recorded yet; vigil serve records every attempt');
    return;
  }
  ctx.print(
    [
      `${'job'.padEnd(7)}${'for'.padEnd(26)}${'try'.padEnd(5)}${'started'.padEnd(24)}${'took'.padStart(8)}  ${'status'.padEnd(8)}${'rows'.padStart(7)}  error`,
      ...records.map((r) =>
        `${r.job.padEnd(7)}${r.logical.padEnd(26)}${String(r.attempt).padEnd(5)}${formatLocalTime(r.startedAt, config.timezone).padEnd(24)}${`${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s`.padStart(8)}  ${r.status.padEnd(8)}${String(r.rows).padStart(7)}  ${r.error}`,
      ),
    ].join('\n'),
  );
}
