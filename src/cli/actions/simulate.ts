import { UsageError } from '../../errors/vigil-error.js';
import { discardDigests } from '../../etl/etl-job.js';
import { systemClock } from '../../schedule/clock.js';
import { startLiveSimulation } from '../../simulate/live-simulation.js';
import { DEFAULT_POPULATION, type Population } from '../../simulate/population.js';
import {
  lastSimulation,
  simulateAppend,
  simulateFresh,
  type SimulationProgress,
  type SimulationResult,
} from '../../simulate/simulate.js';
import { parseAnomaly, type Anomaly } from '../../simulate/simulation-options.js';
import type { Sources } from '../../sources/sources.js';
import { discardAlertState } from '../../tables/vigil-tables.js';
import { addDays, dayOf, floorToMinutes, formatLocalTime, startOfDay } from '../../time/time.js';
import type { TableName } from '../../warehouse/identifiers.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import type { CliContext } from '../cli-context.js';
import type { SimulateFlags } from '../commands/simulate.js';
import { integerFlag, timeFlag } from '../parse-flags.js';

export async function action(ctx: CliContext, flags: SimulateFlags): Promise<void> {
  const settings = ctx.settings();
  const { timezone, sources } = settings;
  const until =
    flags.until === undefined ? floorToMinutes(ctx.io.now(), 1) : timeFlag('--until', flags.until, timezone);
  const days = integerFlag('--days', flags.days, 1, 366);
  const given: Partial<Population> = {
    ...(flags.users === undefined ? {} : { users: integerFlag('--users', flags.users, 10, 50_000_000) }),
    ...(flags.eventsPerDay === undefined
      ? {}
      : { eventsPerDay: integerFlag('--events-per-day', flags.eventsPerDay, 1, 1_000_000_000) }),
    ...(flags.seed === undefined ? {} : { seed: integerFlag('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER) }),
  };
  const anomalies: Anomaly[] = (flags.anomaly ?? []).map((spec) => {
    try {
      return parseAnomaly(spec, until, timezone);
    } catch (error) {
      throw new UsageError(`--anomaly ${JSON.stringify(spec)}: ${(error as Error).message}`);
    }
  });

  const warehouse = await ctx.openWarehouse();
  if (flags.dryRun) {
    ctx.print(
      await describePlan(warehouse, sources, {
        append: flags.append ?? false,
        until,
        days,
        given,
        anomalies,
        timezone,
      }),
    );
    return;
  }
  const progress = ctx.progress('simulating');
  const onProgress = ({ day, index, total }: SimulationProgress) => progress.update(index, total, day);
  let result: SimulationResult | undefined;
  try {
    if (flags.append) {
      const last = await lastSimulation(warehouse, sources);
      const conflicting = last
        ? (Object.keys(given) as (keyof Population)[]).filter((key) => given[key] !== last.population[key])
        : [];
      if (last && conflicting.length > 0) {
        throw new UsageError(
          `--append continues the recorded simulation (seed ${last.population.seed}, ${last.population.users} users, ` +
            `${last.population.eventsPerDay} events per day); ` +
            `drop ${conflicting.map(flagName).join(', ')} or run without --append`,
        );
      }
      result = await simulateAppend(warehouse, sources, { until, anomalies }, onProgress);
      if (!result)
        ctx.logger.info(
          `already simulated up to ${formatLocalTime(last?.until ?? until, timezone)}; nothing to append`,
        );
    } else {
      const population = { ...DEFAULT_POPULATION, ...given };
      // The last day is the one the final simulated second falls on (until itself is excluded).
      const lastDay = dayOf(new Date(until.getTime() - 1), timezone);
      const from = startOfDay(addDays(lastDay, -(days - 1)), timezone);
      result = await simulateFresh(warehouse, sources, { population, from, until, anomalies, timezone }, onProgress);
      await discardDigests(warehouse, settings.etl.target);
      await discardAlertState(warehouse, settings.tables);
    }
  } finally {
    progress.finish();
  }
  if (result) ctx.print(describe(result, sources, timezone));
  if (flags.live) await runLive(ctx, sources, timezone);
}

function describe(result: SimulationResult, sources: Sources, timezone: string): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const { population } = result;
  return [
    `simulated ${formatLocalTime(result.from, timezone)} → ${formatLocalTime(result.until, timezone)} ` +
      `in ${result.seconds.toFixed(1)} s`,
    `  ${n(result.feedRows)} feed actions   → ${sources.feed.database}.${sources.feed.table}`,
    `  ${n(result.messageRows)} messages       → ${sources.messages.database}.${sources.messages.table}`,
    `  seed ${population.seed}, ${n(population.users)} users, about ${n(population.eventsPerDay)} feed events per day`,
  ].join('\n');
}

/** What a run would generate and replace, from the recorded simulation if appending: nothing is written. */
async function describePlan(
  warehouse: Warehouse,
  sources: Sources,
  plan: {
    append: boolean;
    until: Date;
    days: number;
    given: Partial<Population>;
    anomalies: readonly Anomaly[];
    timezone: string;
  },
): Promise<string> {
  const { until, timezone } = plan;
  const name = (table: TableName) => `${table.database}.${table.table}`;
  const tables = `${name(sources.feed)} and ${name(sources.messages)}`;
  const anomalies = plan.anomalies.length > 0 ? `, with ${plan.anomalies.length} anomaly(ies)` : '';
  if (plan.append) {
    const last = await lastSimulation(warehouse, sources);
    if (!last) return `simulate --dry-run: there is no simulation in ${tables} to append to; nothing was written`;
    const from = formatLocalTime(last.until, timezone);
    return until <= last.until
      ? `simulate --dry-run: already simulated up to ${from}; nothing to append; nothing was written`
      : `simulate --dry-run: would append ${from} → ${formatLocalTime(until, timezone)} to ${tables}${anomalies}; ` +
          'nothing was written';
  }
  const lastDay = dayOf(new Date(until.getTime() - 1), timezone);
  const from = startOfDay(addDays(lastDay, -(plan.days - 1)), timezone);
  const population = { ...DEFAULT_POPULATION, ...plan.given };
  return (
    `simulate --dry-run: would replace ${tables} (only if vigil simulate made them) with ` +
    `${formatLocalTime(from, timezone)} → ${formatLocalTime(until, timezone)}, seed ${population.seed}, ` +
    `${population.users.toLocaleString('en-US')} users, about ${population.eventsPerDay.toLocaleString('en-US')} ` +
    `feed events per day${anomalies}, and discard the ETL's digests and the alert state; nothing was written`
  );
}

function flagName(key: keyof Population): string {
  return { seed: '--seed', users: '--users', eventsPerDay: '--events-per-day' }[key];
}

async function runLive(ctx: CliContext, sources: Sources, timezone: string): Promise<void> {
  ctx.logger.info('live: appending each elapsed minute; stop with Ctrl-C');
  const live = startLiveSimulation({
    warehouse: await ctx.openWarehouse(),
    tables: sources,
    clock: systemClock,
    onAppend: (result) =>
      ctx.logger.info(
        `live: ${formatLocalTime(result.until, timezone)} ` +
          `+${result.feedRows} feed actions, +${result.messageRows} messages`,
      ),
    onError: (error) => ctx.logger.error(`live: ${error instanceof Error ? error.message : String(error)}`),
  });
  await ctx.io.stopSignal();
  await live.stop();
}
