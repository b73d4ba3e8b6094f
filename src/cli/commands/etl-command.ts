import type { Command } from 'commander';
import { EtlInvariantError, firstSourceDay, lastSourceDay, missingDays } from '../../etl/etl-job.js';
import { runEtlDays, type EtlDayOutcome } from '../../etl/etl-range.js';
import { etlSettingsFrom } from '../../etl/etl-settings.js';
import { SourceError } from '../../etl/source-check.js';
import { createProgress, type Progress } from '../../log/progress.js';
import { dayOf, daysBetween, yesterday, type IsoDate } from '../../time/time.js';
import { WarehouseError } from '../../warehouse/warehouse-error.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { dateFlag } from '../parse-flags.js';
import { JobFailure, UsageError } from '../usage-error.js';

interface EtlFlags {
  date?: string;
  from?: string;
  to?: string;
  missing?: boolean;
}

const MAX_DAYS = 3660;

export function registerEtlCommand(program: Command, run: CommandRunner): void {
  program
    .command('etl')
    .description('compute the daily slice metrics (os, gender, age, …) of a day into the target table')
    .option('--date <day>', 'the day to compute, YYYY-MM-DD (default: yesterday in the configured timezone)')
    .option('--from <day>', 'first day of a range to backfill, one day at a time')
    .option('--to <day>', 'last day of the range (default: yesterday)')
    .option('--missing', 'only the days absent from the target (within --from/--to; default: the days with events)')
    .addHelpText(
      'after',
      `
Each day is computed inside ClickHouse and replaces the day's rows atomically: re-running a day
never doubles it, and a run that fails leaves the day as it was. Only complete days are computed.
Examples:
  vigil etl                                   # yesterday
  vigil etl --date 2024-03-04
  vigil etl --from 2024-03-01 --to 2024-03-07
  vigil etl --missing`,
    )
    .action(run((ctx, options) => etlCommand(ctx, options)));
}

async function etlCommand(ctx: CliContext, flags: EtlFlags): Promise<void> {
  const { config } = ctx.config();
  const settings = etlSettingsFrom(config);
  const lastComplete = yesterday(ctx.io.now(), config.timezone);
  const days = await chooseDays(ctx, flags, lastComplete);
  if (days.length === 0) {
    ctx.print(`etl: nothing to do; every day is already in ${config.etl.target}`);
    return;
  }

  let progress: Progress | undefined;
  const warehouse = ctx.openWarehouse();
  let outcomes: EtlDayOutcome[];
  try {
    outcomes = await runEtlDays({ warehouse, logger: ctx.logger }, settings, days, (day, index) => {
      progress ??= createProgress({ isTTY: ctx.io.isTTY, write: ctx.io.stderr }, 'etl', days.length);
      progress.update(index, day);
    });
  } catch (error) {
    if (error instanceof SourceError) throw new JobFailure(error.message);
    throw error;
  } finally {
    progress?.finish();
  }
  ctx.print(summary(outcomes, config.etl.target));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new JobFailure(`${failed.length} of ${outcomes.length} day${outcomes.length === 1 ? '' : 's'} failed (see above); their rows were left as they were`);
}

async function chooseDays(ctx: CliContext, flags: EtlFlags, lastComplete: IsoDate): Promise<IsoDate[]> {
  const timezone = ctx.config().config.timezone;
  if (flags.date !== undefined && (flags.from !== undefined || flags.to !== undefined || flags.missing)) {
    throw new UsageError('--date computes one day; use --from/--to (or --missing) for a range, not both');
  }
  const complete = (flag: string, day: IsoDate): IsoDate => {
    if (day > lastComplete) {
      throw new UsageError(`${flag} ${day} has not ended yet in ${timezone} (today is ${dayOf(ctx.io.now(), timezone)}); the ETL computes complete days`);
    }
    return day;
  };
  if (flags.date !== undefined) return [complete('--date', dateFlag('--date', flags.date))];
  if (flags.from === undefined && flags.to === undefined && !flags.missing) return [lastComplete];

  let to = flags.to === undefined ? lastComplete : complete('--to', dateFlag('--to', flags.to));
  let from = flags.from === undefined ? undefined : dateFlag('--from', flags.from);
  if (from !== undefined && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  if (!flags.missing) {
    if (from === undefined) throw new UsageError('--to needs --from (or --missing)');
    const days = daysBetween(from, to);
    if (days.length > MAX_DAYS) throw new UsageError(`--from/--to span ${days.length} days; at most ${MAX_DAYS} at once`);
    return days;
  }
  const settings = etlSettingsFrom(ctx.config().config);
  const warehouse = ctx.openWarehouse();
  try {
    from ??= await firstSourceDay(warehouse, settings.sources, timezone);
    // Days after the last event are not missing: there is nothing to compute for them yet.
    const lastEvents = flags.to === undefined ? await lastSourceDay(warehouse, settings.sources, timezone) : undefined;
    if (lastEvents !== undefined && lastEvents < to) to = lastEvents;
  } catch (error) {
    if (error instanceof WarehouseError && error.type === 'UNKNOWN_TABLE') throw new JobFailure(`the source tables do not exist: ${error.message}`);
    throw error;
  }
  if (from === undefined || from > to) return [];
  return missingDays(warehouse, settings.target, from, to);
}

function summary(outcomes: readonly EtlDayOutcome[], target: string): string {
  const lines = outcomes.map((o) =>
    o.ok
      ? `  ${o.day}  ${String(o.rows).padStart(5)} rows  ${o.seconds.toFixed(2).padStart(6)} s${o.digestedDays.length > 0 ? `  (+${o.digestedDays.length} earlier day(s) digested for the look-back)` : ''}`
      : `  ${o.day}  failed: ${describeFailure(o.error)}`,
  );
  const written = outcomes.filter((o) => o.ok);
  const seconds = written.reduce((sum, o) => sum + o.seconds, 0);
  return [...lines, `etl: ${written.length} of ${outcomes.length} day(s) written to ${target} in ${seconds.toFixed(1)} s`].join('\n');
}

function describeFailure(error: unknown): string {
  if (error instanceof WarehouseError || error instanceof EtlInvariantError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
