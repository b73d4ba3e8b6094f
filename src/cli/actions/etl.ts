import { JobError, UsageError } from '../../errors/vigil-error.js';
import { EtlInvariantError, EtlShrinkError, missingDays, presentDays, type EtlSettings } from '../../etl/etl-job.js';
import { runEtlDays, type EtlDayOutcome } from '../../etl/etl-range.js';
import { explainSourceFailure } from '../../sources/source-check.js';
import { firstSourceDay, lastSourceDay } from '../../sources/source-days.js';
import type { Sources } from '../../sources/sources.js';
import { addDays, dayOf, daysBetween, startOfDay, toSqlDateTime, yesterday, type IsoDate } from '../../time/time.js';
import type { TableName } from '../../warehouse/identifiers.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { WarehouseError } from '../../warehouse/warehouse-error.js';
import type { CliContext } from '../cli-context.js';
import { exclusively } from './exclusively.js';
import type { EtlFlags } from '../commands/etl.js';
import { dateFlag } from '../parse-flags.js';

const MAX_DAYS = 3660;

export async function action(ctx: CliContext, flags: EtlFlags): Promise<void> {
  const { etl, timezone } = ctx.settings();
  const target = `${etl.target.database}.${etl.target.table}`;
  const days = await chooseDays(ctx, flags);
  if (days.length === 0) {
    ctx.print(`etl: nothing to do; every day is already in ${target}`);
    return;
  }
  const warehouse = await ctx.openWarehouse();
  if (flags.dryRun) {
    ctx.print(await describePlan(warehouse, etl, days, timezone));
    return;
  }
  const progress = ctx.progress('etl');
  const work = () =>
    runEtlDays({ warehouse, logger: ctx.logger }, etl, days, {
      force: flags.force ?? false,
      onDay: (day, index) => progress.update(index, days.length, day),
    }).finally(() => progress.finish());
  // One day is the run serve's schedule makes (and claims); a backfill's days are each staged
  // apart from any other run's, so running beside one is safe.
  const [only] = days;
  const outcomes = days.length === 1 && only !== undefined ? await exclusively(ctx, 'etl', only, work) : await work();
  ctx.print(summary(outcomes, target, etl.sources));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) {
    throw new JobError(
      `${failed.length} of ${outcomes.length} day${outcomes.length === 1 ? '' : 's'} failed (see above); ` +
        'their rows were left as they were',
    );
  }
  if (outcomes.every((o) => o.ok && o.skipped !== undefined)) {
    throw new JobError(
      `no events on ${outcomes.length === 1 ? 'that day' : 'any of those days'} in the sources: nothing written`,
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

function summary(outcomes: readonly EtlDayOutcome[], target: string, sources: Sources): string {
  const name = (table: TableName) => `${table.database}.${table.table}`;
  const tables = `${name(sources.feed)} or ${name(sources.messages)}`;
  const lines = outcomes.map((o) => {
    if (!o.ok) return `  ${o.day}  failed: ${describeFailure(o.error)}`;
    if (o.skipped) return `  ${o.day}  no events on ${o.day} in ${tables}: the day is left as it was`;
    const digested =
      o.digestedDays.length > 0 ? `  (+${o.digestedDays.length} earlier day(s) digested for the look-back)` : '';
    return `  ${o.day}  ${String(o.rows).padStart(5)} rows  ${o.seconds.toFixed(2).padStart(6)} s${digested}`;
  });
  const written = outcomes.filter((o) => o.ok && !o.skipped);
  const skipped = outcomes.filter((o) => o.ok && o.skipped).length;
  const seconds = outcomes.reduce((sum, o) => sum + (o.ok ? o.seconds : 0), 0);
  const skippedNote = skipped > 0 ? `, ${skipped} skipped: no events` : '';
  return [
    ...lines,
    `etl: ${written.length} of ${outcomes.length} day(s) written to ${target}${skippedNote} in ${seconds.toFixed(1)} s`,
  ].join('\n');
}

/** What a run would do, from counts of the sources' events per day and the target's rows: nothing is written. */
async function describePlan(
  warehouse: Warehouse,
  etl: EtlSettings,
  days: readonly IsoDate[],
  timezone: string,
): Promise<string> {
  const from = toSqlDateTime(startOfDay(days[0] ?? '', timezone));
  const to = toSqlDateTime(startOfDay(addDays(days.at(-1) ?? '', 1), timezone));
  const count = async (table: TableName) =>
    new Map(
      (
        await warehouse.query<{ day: string; n: number }>(
          `SELECT toString(toDate(time, {tz:String})) AS day, count() AS n FROM ${table.sql}
           WHERE time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')} GROUP BY day`,
          { params: { tz: timezone, from, to } },
        )
      ).map((r) => [r.day, r.n]),
    );
  const feed = await count(etl.sources.feed);
  const messages = await count(etl.sources.messages);
  const present = new Set(await presentDays(warehouse, etl.target, days));
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
  const lines = days.map((day) => {
    const events = (feed.get(day) ?? 0) + (messages.get(day) ?? 0);
    const action =
      events === 0 ? 'would skip: no events' : present.has(day) ? 'would replace the published day' : 'would write';
    const counts = `${n(feed.get(day)).padStart(11)} feed actions  ${n(messages.get(day)).padStart(9)} messages`;
    return `  ${day}  ${counts}  ${action}`;
  });
  return [`etl --dry-run: ${days.length} day(s); nothing was written`, ...lines].join('\n');
}

function describeFailure(error: unknown): string {
  if (error instanceof WarehouseError || error instanceof EtlInvariantError || error instanceof EtlShrinkError) {
    return error.message;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
