import { Cron } from 'croner';
import type { Logger } from '../log/logger.js';
import type { Clock } from './clock.js';
import type { JobName } from './jobs.js';
import type { RunRecord } from './run-ledger.js';

export interface ScheduledJob {
  readonly name: JobName;
  /** Cron expression, in the scheduler's timezone. */
  readonly cron: string;
  /** What the run at `scheduledAt` is for: its logical date or evaluation time, for the ledger. */
  logical(scheduledAt: Date): string;
  /**
   * Runs the job for its scheduled time; resolves with the rows it wrote or sent, or why this
   * process did not run it (another replica did). The signal aborts when the service stops.
   */
  run(scheduledAt: Date, signal?: AbortSignal): Promise<{ rows: number; skipped?: string }>;
}

export interface SchedulerOptions {
  readonly timezone: string;
  /** Retries of a failed run. */
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly clock: Clock;
  /** Every attempt's outcome; with `begin`, also its start (one instance, without Keeper's claims). */
  readonly ledger: {
    record(run: RunRecord): Promise<void>;
    begin?(run: Pick<RunRecord, 'job' | 'logical' | 'attempt' | 'startedAt'>): Promise<void>;
  };
  readonly logger: Logger;
  /** Applied to every error text before it is logged or recorded. */
  readonly redact: (text: string) => string;
}

export interface Scheduler {
  /** The last attempt of each job so far (for /healthz). */
  lastRuns(): ReadonlyMap<JobName, RunRecord>;
  /** Stops scheduling; resolves once the runs under way have finished. */
  stop(): Promise<void>;
}

/**
 * Runs each job at the times its cron expression gives, in the configured timezone. croner only
 * computes the next time; this loop waits for it on the given clock, so tests can drive it. Each
 * job's runs are sequential: a run slower than the interval is never overlapped, and the ticks it
 * covered are skipped rather than piled up. A failed run is retried `retries` times,
 * `retryDelayMs` apart; every attempt goes to the ledger.
 */
export function startScheduler(jobs: readonly ScheduledJob[], options: SchedulerOptions): Scheduler {
  const stopping = new AbortController();
  // A function, not the property: TypeScript would narrow `aborted` across the awaits.
  const stopped = (): boolean => stopping.signal.aborted;
  const last = new Map<JobName, RunRecord>();

  const attemptAll = async (job: ScheduledJob, scheduledAt: Date): Promise<void> => {
    for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
      const startedAt = options.clock.now();
      await options.ledger
        .begin?.({ job: job.name, logical: job.logical(scheduledAt), attempt, startedAt })
        .catch((error: unknown) => options.logger.error(`run ledger: ${options.redact(String(error))}`));
      let outcome: Pick<RunRecord, 'status' | 'error' | 'rows'>;
      try {
        const result = await job.run(scheduledAt, stopping.signal);
        if (result.skipped !== undefined) {
          options.logger.info(`${job.name} ${job.logical(scheduledAt)}: not run here: ${result.skipped}`);
          return;
        }
        outcome = { status: 'success', error: '', rows: result.rows };
      } catch (error) {
        outcome = {
          status: 'failure',
          error: options.redact(error instanceof Error ? error.message : String(error)),
          rows: 0,
        };
      }
      const logical = job.logical(scheduledAt);
      const record: RunRecord = {
        job: job.name,
        logical,
        attempt,
        startedAt,
        finishedAt: options.clock.now(),
        ...outcome,
      };
      if (record.status === 'failure')
        options.logger.error(`${job.name} ${logical}: attempt ${attempt} failed: ${record.error}`);
      last.set(job.name, record);
      await options.ledger
        .record(record)
        .catch((error: unknown) => options.logger.error(`run ledger: ${options.redact(String(error))}`));
      if (record.status === 'success' || attempt > options.retries || stopped()) return;
      await options.clock.sleep(options.retryDelayMs, stopping.signal);
      if (stopped()) return;
    }
  };

  const loop = async (job: ScheduledJob): Promise<void> => {
    const cron = new Cron(job.cron, { timezone: options.timezone, paused: true });
    while (!stopped()) {
      const next = cron.nextRun(options.clock.now());
      if (!next) return;
      await options.clock.sleep(next.getTime() - options.clock.now().getTime(), stopping.signal);
      if (stopped()) return;
      options.logger.info(`${job.name}: run for ${job.logical(next)}`);
      await attemptAll(job, next);
    }
  };

  const loops = jobs.map((job) => loop(job));
  return {
    lastRuns: () => last,
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}
