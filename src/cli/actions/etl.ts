import { JobError, UsageError } from '../../errors/vigil-error.js';
import { EtlInvariantError, missingDays } from '../../etl/etl-job.js';
import { runEtlDays, type EtlDayOutcome } from '../../etl/etl-range.js';
import { explainSourceFailure } from '../../sources/source-check.js';
import { firstSourceDay, lastSourceDay } from '../../sources/source-days.js';
import { dayOf, daysBetween, yesterday, type IsoDate } from '../../time/time.js';
import { WarehouseError } from '../../warehouse/warehouse-error.js';
import type { CliContext } from '../cli-context.js';
import type { EtlFlags } from '../commands/etl.js';
import { dateFlag } from '../parse-flags.js';

const MAX_DAYS = 3660;

export async function action(ctx: CliContext, flags: EtlFlags): Promise<void> {
  const { etl } = ctx.settings();
  const target = `${etl.target.database}.${etl.target.table}`;
  const days = await chooseDays(ctx, flags);
  if (days.length === 0) {
    ctx.print(`etl: nothing to do; every day is already in ${target}`);
    return;
  }
  const progress = ctx.progress('etl');
  const warehouse = await ctx.openWarehouse();
  const outcomes = await runEtlDays({ warehouse, logger: ctx.logger }, etl, days, (day, index) =>
    progress.update(index, days.length, day),
  ).finally(() => progress.finish());
  ctx.print(summary(outcomes, target));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) {
    throw new JobError(
      `${failed.length} of ${outcomes.length} day${outcomes.length === 1 ? '' : 's'} failed (see above); ` +
        'their rows were left as they were',
    );
  }
}

async function chooseDays(ctx: CliContext, flags: EtlFlags): Promise<IsoDate[]> {
  const { timezone, etl } = ctx.settings();
  const lastComplete = yesterday(ctx.io.now(), timezone);
  if (flags.date !== undefined && (flags.from !== undefined || flags.to !== undefined || flags.missing)) {
    throw new UsageError('--date computes one day; use --from/--to (or --missing) for a range, not both');
  }
  const complete = (flag: string, day: IsoDate): IsoDate => {
    if (day > lastComplete) {
      throw new UsageError(
        `${flag} ${day} has not ended yet in ${timezone} (today is ${dayOf(ctx.io.now(), timezone)}); ` +
          'the ETL computes complete days',
      );
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
    if (days.length > MAX_DAYS)
      throw new UsageError(`--from/--to span ${days.length} days; at most ${MAX_DAYS} at once`);
    return days;
  }
  const warehouse = await ctx.openWarehouse();
  try {
    from ??= await firstSourceDay(warehouse, etl.sources, timezone);
    // Days after the last event are not missing: there is nothing to compute for them yet.
    const lastEvents = flags.to === undefined ? await lastSourceDay(warehouse, etl.sources, timezone) : undefined;
    if (lastEvents !== undefined && lastEvents < to) to = lastEvents;
  } catch (error) {
    throw await explainSourceFailure(warehouse, etl.sources, error);
  }
  if (from === undefined || from > to) return [];
  return missingDays(warehouse, etl.target, from, to);
}

function summary(outcomes: readonly EtlDayOutcome[], target: string): string {
  const lines = outcomes.map((o) =>
    o.ok
      ? `  ${o.day}  ${String(o.rows).padStart(5)} rows  ${o.seconds.toFixed(2).padStart(6)} s` +
        (o.digestedDays.length > 0 ? `  (+${o.digestedDays.length} earlier day(s) digested for the look-back)` : '')
      : `  ${o.day}  failed: ${describeFailure(o.error)}`,
  );
  const written = outcomes.filter((o) => o.ok);
  const seconds = written.reduce((sum, o) => sum + o.seconds, 0);
  return [
    ...lines,
    `etl: ${written.length} of ${outcomes.length} day(s) written to ${target} in ${seconds.toFixed(1)} s`,
  ].join('\n');
}

function describeFailure(error: unknown): string {
  if (error instanceof WarehouseError || error instanceof EtlInvariantError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
