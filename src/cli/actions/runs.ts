import { UsageError } from '../../errors/vigil-error.js';
import { isJobName, JOBS } from '../../schedule/jobs.js';
import { RunLedger } from '../../schedule/run-ledger.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { RunsFlags } from '../commands/runs.js';
import { integerFlag } from '../parse-flags.js';

export async function action(ctx: CliContext, flags: RunsFlags): Promise<void> {
  const { job } = flags;
  if (job !== undefined && !isJobName(job)) throw new UsageError(`--job must be one of ${JOBS.join(', ')} (got ${JSON.stringify(job)})`);
  const limit = integerFlag('--limit', flags.limit, 1, 10_000);
  const settings = ctx.settings();
  const records = await new RunLedger(await ctx.openWarehouse(), settings.tables).recent({ limit, ...(job === undefined ? {} : { job }) });
  if (flags.json) {
    ctx.print(records.map((r) => JSON.stringify({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })).join('\n'));
    return;
  }
  if (records.length === 0) {
    ctx.print('no runs recorded yet; vigil serve records every attempt');
    return;
  }
  const took = (r: (typeof records)[number]) => `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s`;
  ctx.print(
    [
      `${'job'.padEnd(7)}${'for'.padEnd(26)}${'try'.padEnd(5)}${'started'.padEnd(24)}${'took'.padStart(8)}  ${'status'.padEnd(8)}${'rows'.padStart(7)}  error`,
      ...records.map(
        (r) =>
          `${r.job.padEnd(7)}${r.logical.padEnd(26)}${String(r.attempt).padEnd(5)}${formatLocalTime(r.startedAt, settings.timezone).padEnd(24)}` +
          `${took(r).padStart(8)}  ${r.status.padEnd(8)}${String(r.rows).padStart(7)}  ${r.error}`,
      ),
    ].join('\n'),
  );
}
