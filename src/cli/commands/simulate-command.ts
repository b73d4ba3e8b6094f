import { Option, type Command } from 'commander';
import { discardAlertState } from '../../alert/alert-job.js';
import { discardDigests } from '../../etl/etl-job.js';
import { sourcesFrom } from '../../etl/etl-settings.js';
import { createProgress, type Progress } from '../../log/progress.js';
import { systemClock } from '../../schedule/clock.js';
import { startLiveSimulation } from '../../simulate/live-simulation.js';
import {
  lastSimulation,
  simulateAppend,
  simulateFresh,
  SimulationError,
  type SimulationProgress,
  type SimulationResult,
  type SimulatorTables,
} from '../../simulate/simulate.js';
import { DEFAULT_POPULATION, parseAnomaly, type Anomaly, type Population } from '../../simulate/simulation-options.js';
import { addDays, dayOf, floorToMinutes, formatLocalTime, startOfDay } from '../../time/time.js';
import { tableName } from '../../warehouse/identifiers.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { collect, integerFlag, timeFlag } from '../parse-flags.js';
import { JobFailure, UsageError } from '../usage-error.js';

interface SimulateFlags {
  days: string;
  until?: string;
  users?: string;
  eventsPerDay?: string;
  seed?: string;
  append?: boolean;
  anomaly?: string[];
  live?: boolean;
}

export function registerSimulateCommand(program: Command, run: CommandRunner): void {
  program
    .command('simulate')
    .description("generate the product's feed and messenger events into the source tables (embedded or server)")
    .option('--days <n>', 'days of history, ending with the day of --until', '14')
    .option('--until <time>', 'generate events up to this ISO time (default: now)')
    .option('--users <n>', `users in the product (default ${DEFAULT_POPULATION.users.toLocaleString('en-US')})`)
    .option('--events-per-day <n>', `feed events on an average day (default ${DEFAULT_POPULATION.eventsPerDay.toLocaleString('en-US')})`)
    .option('--seed <n>', `random seed; the same options give the same events (default ${DEFAULT_POPULATION.seed})`)
    .option('--append', 'continue the existing simulation up to --until, with its own users and seed, without duplicating anything')
    .addOption(new Option('--anomaly <spec>', 'distort a metric over a time range (repeatable); see below').argParser(collect))
    .option('--live', 'after generating, keep appending each elapsed minute until stopped (Ctrl-C)')
    .addHelpText(
      'after',
      `
--anomaly takes comma-separated key=value pairs:
  metric=views|likes|feed|messages   what to distort
  factor=F                           0 = outage, 0.3 = drop to 30 %, 5 = five times as many
  from=TIME[,to=TIME] | last=DUR     when: ISO times, or the last 45m / 2h before --until
  os=iOS (or gender, age, country, city, source, exp_group)   only these users
Examples:
  vigil simulate --days 7 --anomaly metric=views,factor=0.3,last=2h
  vigil simulate --anomaly metric=messages,factor=0,from=2024-03-04T12:00,to=2024-03-04T13:00
  vigil simulate --append --anomaly metric=likes,factor=5,last=30m,os=iOS

Without --append the source tables are replaced, but only tables that vigil simulate made; the
ETL's look-back digests and the alert state of the old events are discarded with them.`,
    )
    .action(run((ctx, options) => simulateCommand(ctx, options as unknown as SimulateFlags)));
}

async function simulateCommand(ctx: CliContext, flags: SimulateFlags): Promise<void> {
  const { config } = ctx.config();
  const timezone = config.timezone;
  const until = flags.until === undefined ? floorToMinutes(ctx.io.now(), 1) : timeFlag('--until', flags.until, timezone);
  const days = integerFlag('--days', flags.days, 1, 366);
  const given: Partial<Population> = {
    ...(flags.users === undefined ? {} : { users: integerFlag('--users', flags.users, 10, 50_000_000) }),
    ...(flags.eventsPerDay === undefined ? {} : { eventsPerDay: integerFlag('--events-per-day', flags.eventsPerDay, 1, 1_000_000_000) }),
    ...(flags.seed === undefined ? {} : { seed: integerFlag('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER) }),
  };
  const anomalies: Anomaly[] = (flags.anomaly ?? []).map((spec) => {
    try {
      return parseAnomaly(spec, until, timezone);
    } catch (error) {
      throw new UsageError(`--anomaly ${JSON.stringify(spec)}: ${(error as Error).message}`);
    }
  });
  const tables: SimulatorTables = sourcesFrom(config);

  const warehouse = ctx.openWarehouse();
  let progress: Progress | undefined;
  const onProgress = ({ day, index, total }: SimulationProgress) => {
    progress ??= createProgress({ isTTY: ctx.io.isTTY, write: ctx.io.stderr }, 'simulating', total);
    progress.update(index, day);
  };

  let result: SimulationResult | undefined;
  try {
    if (flags.append) {
      const last = await lastSimulation(warehouse, tables);
      const conflicting = last ? (Object.keys(given) as (keyof Population)[]).filter((key) => given[key] !== last.population[key]) : [];
      if (last && conflicting.length > 0) {
        throw new UsageError(
          `--append continues the recorded simulation (seed ${last.population.seed}, ${last.population.users} users, ` +
            `${last.population.eventsPerDay} events per day); drop ${conflicting.map(flagName).join(', ')} or run without --append`,
        );
      }
      result = await simulateAppend(warehouse, tables, { until, anomalies }, onProgress);
      if (!result) ctx.logger.info(`already simulated up to ${formatLocalTime(last?.until ?? until, timezone)}; nothing to append`);
    } else {
      const population = { ...DEFAULT_POPULATION, ...given };
      // The last day is the one the final simulated second falls on (until itself is excluded).
      const lastDay = dayOf(new Date(until.getTime() - 1), timezone);
      const from = startOfDay(addDays(lastDay, -(days - 1)), timezone);
      result = await simulateFresh(warehouse, tables, { population, from, until, anomalies, timezone }, onProgress);
      await discardDigests(warehouse, tableName(config.etl.target));
      await discardAlertState(warehouse, config.database);
    }
  } catch (error) {
    if (error instanceof SimulationError) throw new JobFailure(error.message);
    throw error;
  } finally {
    progress?.finish();
  }
  if (result) ctx.print(describe(result, tables, timezone));

  if (flags.live) await runLive(ctx, tables, timezone);
}

function describe(result: SimulationResult, tables: SimulatorTables, timezone: string): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const { population } = result;
  return [
    `simulated ${formatLocalTime(result.from, timezone)} → ${formatLocalTime(result.until, timezone)} in ${result.seconds.toFixed(1)} s`,
    `  ${n(result.feedRows)} feed actions   → ${tables.feed.database}.${tables.feed.table}`,
    `  ${n(result.messageRows)} messages       → ${tables.messages.database}.${tables.messages.table}`,
    `  seed ${population.seed}, ${n(population.users)} users, about ${n(population.eventsPerDay)} feed events per day`,
  ].join('\n');
}

function flagName(key: keyof Population): string {
  return { seed: '--seed', users: '--users', eventsPerDay: '--events-per-day' }[key];
}

async function runLive(ctx: CliContext, tables: SimulatorTables, timezone: string): Promise<void> {
  ctx.logger.info('live: appending each elapsed minute; stop with Ctrl-C');
  const live = startLiveSimulation({
    warehouse: ctx.openWarehouse(),
    tables,
    clock: systemClock,
    onAppend: (result) =>
      ctx.logger.info(`live: ${formatLocalTime(result.until, timezone)} +${result.feedRows} feed actions, +${result.messageRows} messages`),
    onError: (error) => ctx.logger.error(`live: ${error instanceof Error ? error.message : String(error)}`),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await live.stop();
}
