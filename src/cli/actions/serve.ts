import { catchUpEtl, serviceJobs } from '../../app/service-jobs.js';
import type { Coordination } from '../../app/coordination.js';
import type { Logger } from '../../log/logger.js';
import { sleep } from '../../time/sleep.js';
import { localLinkWarning } from '../../app/settings.js';
import { ConfigError } from '../../config/config-error.js';
import { exposedWithoutToken } from '../../web/hosts.js';
import { systemClock } from '../../schedule/clock.js';
import type { JobName } from '../../schedule/jobs.js';
import { RunLedger, type RunRecord } from '../../schedule/run-ledger.js';
import { startScheduler } from '../../schedule/scheduler.js';
import { startLiveSimulation } from '../../simulate/live-simulation.js';
import { formatLocalTime } from '../../time/time.js';
import { createWebApp } from '../../web/web-app.js';
import { startWebServer } from '../../web/start-web-server.js';
import type { CliContext } from '../cli-context.js';
import type { ServeFlags } from '../commands/serve.js';

/** How long a graceful stop waits for the runs under way. */
const STOP_TIMEOUT_MS = 60_000;

export async function action(ctx: CliContext, flags: ServeFlags): Promise<void> {
  const settings = ctx.settings();
  const exposed = exposedWithoutToken(settings.serve);
  if (exposed !== undefined) throw new ConfigError(ctx.config().source, [exposed]);
  const linkWarning = localLinkWarning(ctx.config().config);
  if (linkWarning !== undefined) ctx.logger.warn(linkWarning);
  const warehouse = await ctx.openWarehouse();
  const coordination = await ctx.coordination();
  await coordination.forgetOld();
  const delivery = await ctx.delivery();
  const ledger = new RunLedger(warehouse, settings.tables);
  const deps = { warehouse, delivery, logger: ctx.logger, coordinator: coordination.runs };
  const redact = (text: string) => ctx.redact(text);

  // Listen first: a port in use is found before any work is done.
  const previous = new Map<JobName, RunRecord>();
  let scheduled: ReadonlyMap<JobName, RunRecord> = new Map();
  const lastRuns = () => new Map([...previous, ...scheduled]);
  const app = createWebApp({
    warehouse,
    settings: settings.dashboard,
    ledger,
    lastRuns,
    now: ctx.io.now,
    token: settings.serve.token,
    coordination: () => coordination.health(),
  });
  const web = await startWebServer(app, settings.serve.host, settings.serve.port);
  // The buttons of Telegram alerts are answered here, by long polling: by one replica at a time
  // (Telegram answers a second poller with 409), taken over when it stops or dies.
  const { telegram } = settings.delivery;
  const startPresses = telegram
    ? async () =>
        (await import('../../notify/telegram-presses.js')).startTelegramPresses(
          telegram,
          {
            warehouse,
            tables: settings.tables,
            timezone: settings.timezone,
            allowedUsers: telegram.allowedUsers,
            now: ctx.io.now,
            commands: (await import('../../app/telegram-commands.js')).telegramCommands(settings, {
              warehouse,
              logger: ctx.logger,
              now: ctx.io.now,
            }),
          },
          ctx.logger,
        )
    : undefined;
  const presses = startPresses
    ? coordination.mode === 'keeper'
      ? pollAsRole(coordination, startPresses, ctx.logger, settings.serve.leaseMs)
      : await startPresses()
    : undefined;
  try {
    const caughtUp = await catchUpEtl(settings, deps, ledger, ctx.io.now(), redact);
    if (caughtUp.length > 0) ctx.logger.info(`etl: caught up ${caughtUp.length} day(s)`);
    for (const record of (await ledger.recent({ limit: 100 })).reverse()) previous.set(record.job, record);

    const live = flags.simulateLive
      ? startLiveSimulation({
          warehouse,
          tables: settings.sources,
          clock: systemClock,
          onAppend: (result) =>
            ctx.logger.debug(`live: simulated up to ${formatLocalTime(result.until, settings.timezone)}`),
          onError: (error) =>
            ctx.logger.error(`live: ${redact(error instanceof Error ? error.message : String(error))}`),
        })
      : undefined;
    // The simulated minute ending at an alert's tick is appended before the alert reads it.
    const jobs = serviceJobs(settings, deps).map((job) =>
      live && job.name === 'alert'
        ? {
            ...job,
            run: async (at: Date, stopSignal?: AbortSignal) => {
              await live.catchUp();
              return job.run(at, stopSignal);
            },
          }
        : job,
    );
    const { schedule } = settings;
    const scheduler = startScheduler(jobs, {
      timezone: settings.timezone,
      retries: schedule.retries,
      retryDelayMs: schedule.retryDelayMs,
      clock: systemClock,
      // One instance: each attempt's start goes to the ledger too, so a one-off run sees it under way.
      ledger: coordination.mode === 'none' ? ledger : { record: (run: RunRecord) => ledger.record(run) },
      logger: ctx.logger,
      redact,
    });
    scheduled = scheduler.lastRuns();
    ctx.logger.info(
      `vigil serve: dashboard ${web.url}/ · health ${web.url}/healthz · timezone ${settings.timezone} · ` +
        `etl "${schedule.etl}", report "${schedule.report}", alert "${schedule.alert}"` +
        `${live ? ' · simulating live' : ''} · ${describeCoordination(coordination)} · Ctrl-C to stop`,
    );

    const signal = await ctx.io.stopSignal();
    ctx.logger.info(
      `${signal}: stopping; waiting for the runs under way (at most ${STOP_TIMEOUT_MS / 1000} s). ` +
        'Again to exit at once.',
    );
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
    const outcome = await Promise.race([Promise.all([scheduler.stop(), live?.stop()]), timeout]);
    if (outcome === 'timeout') ctx.logger.warn('a run was still going after the wait; stopping anyway');
  } finally {
    await presses?.stop();
    await web.close();
  }
  ctx.logger.info('vigil serve: stopped');
}

function describeCoordination(coordination: Coordination): string {
  return coordination.mode === 'keeper'
    ? `replicas coordinated through Keeper as ${coordination.holder}`
    : 'a single instance (serve.coordination: keeper runs replicas)';
}

/**
 * Runs a poller only while this replica holds its role's claim; the others wait for the claim
 * and take it over when the holder stops or dies. Keeper's failures are retried a lease later.
 */
function pollAsRole(
  coordination: Coordination,
  start: () => Promise<{ stop: () => Promise<void> }>,
  logger: Logger,
  leaseMs: number,
): { stop: () => Promise<void> } {
  const stopping = new AbortController();
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve()));
  const holding = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await coordination.runs.run(
          'role:telegram-poll',
          async () => {
            const poller = await start();
            logger.info('telegram: this replica answers the buttons and commands');
            await stopped;
            await poller.stop();
          },
          { wait: true, release: true, signal: stopping.signal },
        );
      } catch (error) {
        logger.warn(`telegram: cannot claim the polling (${String(error)}); trying again`);
        await sleep(leaseMs, stopping.signal);
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await holding;
    },
  };
}
