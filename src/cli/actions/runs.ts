import { UsageError } from '../../errors/vigil-error.js';
import { isJobName, JOBS } from '../../schedule/jobs.js';
import { RunLedger } from '../../schedule/run-ledger.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { RunsFlags } from '../commands/runs.js';
import { integerFlag } from '../parse-flags.js';

export async function action(ctx: CliContext, flags: RunsFlags): Promise<void> {
  const { job } = flags;
  if (job !== undefined && !isJobName(job))
    throw new UsageError(`--job must be one of ${JOBS.join(', ')} (got ${JSON.stringify(job)})`);
  const limit = integerFlag('--limit', flags.limit, 1, 10_000);
  const settings = ctx.settings();
  const records = await new RunLedger(await ctx.openWarehouse(), settings.tables).recent({
    limit,
    ...(job === undefined ? {} : { job }),
  });
  if (flags.json) {
    ctx.print(
      records
        .map((r) =>
          JSON.stringify({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() }),
        )
        .join('\n'),
    );
    return;
  }
  if (records.length === 0) {
    ctx.print('no runs recorded yet; vigil serve records every attempt');
    return;
  }
  const took = (r: (typeof records)[number]) =>
    `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s`;
  type Cells = Record<'job' | 'logical' | 'attempt' | 'started' | 'took' | 'status' | 'rows' | 'error', string>;
  const line = (r: Cells) =>
    `${r.job.padEnd(7)}${r.logical.padEnd(26)}${r.attempt.padEnd(5)}${r.started.padEnd(24)}${r.took.padStart(8)}  ` +
    `${r.status.padEnd(8)}${r.rows.padStart(7)}  ${r.error}`;
  ctx.print(
    [
      line({
        job: 'job',
        logical: 'for',
        attempt: 'try',
        started: 'started',
        took: 'took',
        status: 'status',
        rows: 'rows',
        error: 'error',
      }),
      ...records.map((r) =>
        line({
          ...r,
          attempt: String(r.attempt),
          started: formatLocalTime(r.startedAt, settings.timezone),
          took: took(r),
          rows: String(r.rows),
        }),
      ),
    ].join('\n'),
  );
}
