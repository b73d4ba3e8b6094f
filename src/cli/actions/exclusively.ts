import { runKey } from '../../app/coordination.js';
import { JobError } from '../../errors/vigil-error.js';
import type { JobName } from '../../schedule/jobs.js';
import { RunLedger } from '../../schedule/run-ledger.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';

/**
 * Without Keeper, how long a begun attempt counts as under way: longer than the job runs, short
 * enough that a crashed run does not block the next for long.
 */
const UNDER_WAY_MS: Readonly<Record<JobName, number>> = {
  etl: 3 * 3_600_000,
  report: 30 * 60_000,
  alert: 15 * 60_000,
};

/**
 * A one-off run (cron, a person) that never doubles what another process is doing. With Keeper
 * it takes the run's claim, as serve does: refused while another process runs it, done again
 * when it is finished (a re-run). Without, the run ledger says whether an attempt of the job is
 * under way; this run's own attempt goes there too.
 */
export async function exclusively<T>(
  ctx: CliContext,
  job: JobName,
  logical: string,
  work: () => Promise<T>,
): Promise<T> {
  const key = runKey(job, logical);
  const coordination = await ctx.coordination();
  if (coordination.mode === 'keeper') {
    const outcome = await coordination.runs.run(key, work, { wait: false, again: true });
    if (outcome.ran) return outcome.value;
    throw new JobError(`${job} ${logical} is ${outcome.why}: not running it twice`, {
      hint: 'try again once it has finished (vigil runs shows it)',
    });
  }
  const settings = ctx.settings();
  const ledger = new RunLedger(await ctx.openWarehouse(), settings.tables);
  const now = ctx.io.now();
  const running = await ledger.inProgress(job, now, UNDER_WAY_MS[job]);
  if (running) {
    throw new JobError(
      `${/^[aeiou]/.test(job) ? 'an' : 'a'} ${job} run (for ${running.logical}) began at ` +
        `${formatLocalTime(running.startedAt, settings.timezone)} and has not finished: ` +
        'not running a second one at once',
      {
        hint:
          `if that run crashed, it is forgotten ${UNDER_WAY_MS[job] / 60_000} min after it began; ` +
          'serve.coordination: keeper tells the two apart',
      },
    );
  }
  const begun = { job, logical, attempt: 1, startedAt: now };
  await ledger.begin(begun);
  try {
    const value = await work();
    await ledger.record({ ...begun, finishedAt: ctx.io.now(), status: 'success', error: '', rows: 0 });
    return value;
  } catch (error) {
    const message = ctx.redact(error instanceof Error ? error.message : String(error));
    await ledger.record({ ...begun, finishedAt: ctx.io.now(), status: 'failure', error: message, rows: 0 });
    throw error;
  }
}
