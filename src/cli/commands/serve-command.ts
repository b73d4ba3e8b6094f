import type { Command } from 'commander';
import { createDelivery } from '../../notify/create-delivery.js';
import { RunLedger, type JobName, type RunRecord } from '../../schedule/run-ledger.js';
import { systemClock } from '../../schedule/clock.js';
import { startScheduler } from '../../schedule/scheduler.js';
import { catchUpEtl, serviceJobs } from '../../schedule/service-jobs.js';
import { startLiveSimulation } from '../../simulate/live-simulation.js';
import { etlSettingsFrom } from '../../etl/etl-settings.js';
import { formatLocalTime } from '../../time/time.js';
import { createWebApp } from '../../web/web-app.js';
import { dashboardSettingsFrom, startWebServer } from '../../web/start-web-server.js';
import type { CliContext, CommandRunner } from '../cli-context.js';

/** How long a graceful stop waits for the runs under way. */
const STOP_TIMEOUT_MS = 60_000;

export function registerServeCommand(program: Command, run: CommandRunner): void {
  program
    .command('serve')
    .description('run the ETL, the report and the alert on their schedules, with a run ledger, /healthz and a dashboard')
    .option('--simulate-live', "keep appending the simulator's events every minute (for the demo warehouse)")
    .addHelpText(
      'after',
      `
Schedules (cron, in the configured timezone): schedule.etl (default 5 0 * * *), schedule.report
(0 11 * * *), schedule.alert (*/15 * * * *). A failed run is retried schedule.retries times
(default 2), schedule.retryDelay apart (1m); runs of one job never overlap. On start, the ETL fills
the days missing among the last schedule.catchupDays (7); the report is not re-sent for past days
and the alert looks at the latest window only. Every attempt is recorded: see 'vigil runs'.
GET /healthz on serve.host:serve.port (127.0.0.1:8787) reports the last run of each job; the
dashboard's JSON API is under /api (metric/<metric>, daily, slices, runs, alerts).
Ctrl-C (or SIGTERM) stops: no new runs, the one under way finishes; a second signal exits at once.
With the embedded warehouse, other vigil commands cannot open it while serve runs.`,
    )
    .action(run((ctx, options) => serve(ctx, options)));
}

async function serve(ctx: CliContext, flags: { simulateLive?: boolean }): Promise<void> {
  const { config } = ctx.config();
  const warehouse = ctx.openWarehouse();
  const delivery = createDelivery(config, { logger: ctx.logger });
  const ledger = new RunLedger(warehouse, config.database);
  const deps = { warehouse, delivery, logger: ctx.logger };

  const caughtUp = await catchUpEtl(config, deps, ledger, ctx.io.now(), (text) => ctx.redact(text));
  if (caughtUp.length > 0) ctx.logger.info(`etl: caught up ${caughtUp.length} day(s)`);
  const previous = new Map<JobName, RunRecord>();
  for (const record of (await ledger.recent({ limit: 100 })).reverse()) previous.set(record.job, record);

  const scheduler = startScheduler(serviceJobs(config, deps), {
    timezone: config.timezone,
    retries: config.schedule.retries,
    retryDelayMs: config.schedule.retryDelay,
    clock: systemClock,
    ledger,
    logger: ctx.logger,
    redact: (text) => ctx.redact(text),
  });
  const lastRuns = () => new Map([...previous, ...scheduler.lastRuns()]);
  const app = createWebApp({ warehouse, settings: dashboardSettingsFrom(config), ledger, lastRuns, now: ctx.io.now, token: config.serve.token });
  const health = await startWebServer(app, config.serve.host, config.serve.port);
  const etl = etlSettingsFrom(config);
  const live = flags.simulateLive
    ? startLiveSimulation({
        warehouse,
        tables: etl.sources,
        clock: systemClock,
        onAppend: (result) => ctx.logger.debug(`live: simulated up to ${formatLocalTime(result.until, config.timezone)}`),
        onError: (error) => ctx.logger.error(`live: ${ctx.redact(error instanceof Error ? error.message : String(error))}`),
      })
    : undefined;
  ctx.logger.info(
    `vigil serve: ${health.url}/healthz · timezone ${config.timezone} · etl "${config.schedule.etl}", report "${config.schedule.report}", alert "${config.schedule.alert}"` +
      `${live ? ' · simulating live' : ''} · Ctrl-C to stop`,
  );

  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      ctx.logger.info(`${signal}: stopping; waiting for the runs under way (at most ${STOP_TIMEOUT_MS / 1000} s). Again to exit at once.`);
      process.once('SIGINT', () => process.exit(1));
      process.once('SIGTERM', () => process.exit(1));
      resolve();
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
  const outcome = await Promise.race([Promise.all([scheduler.stop(), live?.stop()]), timeout]);
  if (outcome === 'timeout') ctx.logger.warn('a run was still going after the wait; stopping anyway');
  await health.close();
  ctx.logger.info('vigil serve: stopped');
}
