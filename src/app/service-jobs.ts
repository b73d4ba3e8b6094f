import { alertProblems, runAlert } from '../alert/alert-job.js';
import { AlertMemory } from '../alert/alert-memory.js';
import { missingDays } from '../etl/etl-job.js';
import { runEtlDays } from '../etl/etl-range.js';
import { uncoordinated, type RunCoordinator } from '../coordination/run-coordinator.js';
import type { Logger } from '../log/logger.js';
import type { Delivery } from '../notify/dispatch.js';
import { runReport, undelivered } from '../report/report-job.js';
import type { RunLedger } from '../schedule/run-ledger.js';
import type { ScheduledJob } from '../schedule/scheduler.js';
import { firstSourceDay, lastSourceDay } from '../sources/source-days.js';
import { addDays, yesterday, type IsoDate } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { runKey } from './coordination.js';
import type { Settings } from './settings.js';

export interface ServiceDeps {
  readonly warehouse: Warehouse;
  readonly delivery: Delivery;
  readonly logger: Logger;
  /** With replicas: each (job, logical time) runs in one process only. */
  readonly coordinator?: RunCoordinator;
}

/**
 * The three jobs as the scheduler runs them: the ETL and the report for the day before the
 * scheduled time's day, the alert for the scheduled time itself.
 */
export function serviceJobs(settings: Settings, deps: ServiceDeps): ScheduledJob[] {
  const dayBefore = (at: Date) => yesterday(at, settings.timezone);
  // A replica's memory of the alert state goes stale while others run windows: with a
  // coordinator, every run reads the state from the warehouse.
  const alertDeps = { ...deps, memory: deps.coordinator ? undefined : new AlertMemory() };
  const keyOf = (job: ScheduledJob, at: Date) =>
    job.name === 'alert' ? runKey('alert', at, settings.alert.lagMs) : runKey(job.name, job.logical(at));
  return coordinated(deps.coordinator ?? uncoordinated, keyOf, [
    {
      name: 'etl',
      cron: settings.schedule.etl,
      logical: dayBefore,
      async run(at) {
        const [outcome] = await runEtlDays(deps, settings.etl, [dayBefore(at)]);
        if (!outcome) throw new Error('the ETL did not run');
        if (!outcome.ok) throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
        return { rows: outcome.rows };
      },
    },
    {
      name: 'report',
      cron: settings.schedule.report,
      logical: dayBefore,
      async run(at) {
        const result = await runReport(deps, settings.report, { day: dayBefore(at) });
        const failure = undelivered(result);
        if (failure !== undefined) throw new Error(failure);
        if (result.imageError !== undefined)
          throw new Error(`the report went out without its picture: ${result.imageError}`);
        return { rows: result.deliveries.filter((d) => d.sent && !d.earlier).length };
      },
    },
    {
      name: 'alert',
      cron: settings.schedule.alert,
      logical: (at) => at.toISOString(),
      async run(at) {
        const result = await runAlert(alertDeps, settings.alert, { at });
        const problems = alertProblems(result);
        if (problems.length > 0) throw new Error(problems.join('; '));
        return { rows: result.notifications.length };
      },
    },
  ]);
}

/** Each job's run for a scheduled time goes through the coordinator: one process runs it. */
function coordinated(
  coordinator: RunCoordinator,
  keyOf: (job: ScheduledJob, at: Date) => string,
  jobs: ScheduledJob[],
): ScheduledJob[] {
  return jobs.map((job) => ({
    ...job,
    async run(at, signal) {
      const outcome = await coordinator.run(keyOf(job, at), () => job.run(at, signal), {
        wait: true,
        ...(signal ? { signal } : {}),
      });
      return outcome.ran ? outcome.value : { rows: 0, skipped: outcome.why };
    },
  }));
}

/**
 * On start, the ETL fills the target's days missing among the last `schedule.catchupDays` (within
 * the days that have events). The report is not re-sent for past days, and the alert only ever
 * looks at the latest window, so neither catches up. Every day goes to the ledger.
 */
export async function catchUpEtl(
  settings: Settings,
  deps: ServiceDeps,
  ledger: RunLedger,
  now: Date,
  redact: (text: string) => string,
): Promise<IsoDate[]> {
  const { etl, timezone } = settings;
  const lastComplete = yesterday(now, timezone);
  if (settings.schedule.catchupDays === 0) return [];
  const first = await firstSourceDay(deps.warehouse, etl.sources, timezone);
  const last = await lastSourceDay(deps.warehouse, etl.sources, timezone);
  if (first === undefined || last === undefined) return [];
  const from = [addDays(lastComplete, -(settings.schedule.catchupDays - 1)), first].sort().at(-1) ?? first;
  const to = [lastComplete, last].sort()[0] ?? last;
  if (to < from) return [];
  const days = await missingDays(deps.warehouse, etl.target, from, to);
  if (days.length === 0) return [];
  deps.logger.info(`etl: catching up ${days.length} missing day(s): ${days.join(', ')}`);
  const coordinator = deps.coordinator ?? uncoordinated;
  const outcomes = [];
  for (const day of days) {
    const run = await coordinator.run(runKey('etl', day), () => runEtlDays(deps, etl, [day]), { wait: true });
    if (run.ran) outcomes.push(...run.value);
    else deps.logger.info(`etl ${day}: ${run.why}`);
  }
  let startedAt = now;
  for (const outcome of outcomes) {
    const finishedAt = new Date(startedAt.getTime() + (outcome.ok ? outcome.seconds * 1000 : 0));
    await ledger.record({
      job: 'etl',
      logical: outcome.day,
      attempt: 1,
      startedAt,
      finishedAt,
      status: outcome.ok ? 'success' : 'failure',
      error: outcome.ok ? '' : redact(outcome.error instanceof Error ? outcome.error.message : String(outcome.error)),
      rows: outcome.ok ? outcome.rows : 0,
    });
    startedAt = finishedAt;
  }
  return days;
}
