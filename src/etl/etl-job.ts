import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config/config-error.js';
import { JobError } from '../errors/vigil-error.js';
import type { Logger } from '../log/logger.js';
import { checkSources } from '../sources/source-check.js';
import { firstSourceDay } from '../sources/source-days.js';
import type { Sources, UserAttribute } from '../sources/sources.js';
import { addDays, daysBetween, startOfDay, toSqlDateTime, type IsoDate } from '../time/time.js';
import { createStagingTable, dayPartitionId, publishDay } from '../warehouse/day-partition.js';
import { siblingTable, tableName, type TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError, whenMissing } from '../warehouse/warehouse-error.js';
import type { Dimension } from './dimensions.js';
import { attributesUsed, dimensionProbeSql, slicesSql, stagedTotalsSql, userDaySql } from './etl-queries.js';
import { packedLatestRow, STRING_TOO_LONG, tupleLatestRow, type LatestRowSql } from './latest-row.js';
import { createDigestedDaysTableSql, createUserDaysTableSql } from './etl-tables.js';
import {
  dayState,
  discardGeneration,
  ensureTargetStore,
  publishGeneration,
  targetStore,
  type DayTotals,
} from './target.js';

export interface EtlDeps {
  readonly warehouse: Warehouse;
  readonly logger: Logger;
}

export interface EtlSettings {
  readonly sources: Sources;
  readonly target: TableName;
  /** Calendar days ending with D in which a user's latest row gives their attributes. */
  readonly lookback: number;
  readonly dimensions: readonly Dimension[];
  readonly timezone: string;
  /**
   * A day that is published already is replaced only if its new totals (events) fall by at most
   * this share; more takes --force (raw events that expired, a source half loaded).
   */
  readonly maxShrink: number;
}

export interface EtlDayResult {
  readonly day: IsoDate;
  /** Rows of the target now holding day D (unchanged when skipped). */
  readonly rows: number;
  readonly seconds: number;
  /** Earlier days whose user digests had to be built from raw events for the look-back. */
  readonly digestedDays: readonly IsoDate[];
  /** The sources have no events on D: the day was left as it was. */
  readonly skipped?: 'no-events';
}

/** The staged day broke an invariant of SPEC §3; nothing was published. */
export class EtlInvariantError extends JobError {
  override readonly name = 'EtlInvariantError';
}

/** The new rows of a published day add up to far fewer events than its old ones; not published without force. */
export class EtlShrinkError extends JobError {
  override readonly name = 'EtlShrinkError';
}

/** The digest table of per-user-day attributes kept beside the target. */
export function userDaysTable(target: TableName): TableName {
  return siblingTable(target, '_user_days');
}

/** The record of which days have been digested. */
export function digestedDaysTable(target: TableName): TableName {
  return siblingTable(target, '_digested_days');
}

/**
 * Drops the look-back digests, for when the sources were replaced wholesale (a fresh simulation):
 * they would describe events that no longer exist. They are rebuilt from raw events as needed.
 */
export async function discardDigests(warehouse: Warehouse, target: TableName): Promise<void> {
  await warehouse.command(`DROP TABLE IF EXISTS ${userDaysTable(target).sql}`, { idempotent: true });
  await warehouse.command(`DROP TABLE IF EXISTS ${digestedDaysTable(target).sql}`, { idempotent: true });
}

/**
 * Checks the sources and the extra dimensions and creates the target tables. Run once before
 * any number of days. Throws SourceError (job cannot run) or ConfigError (a dimension is wrong).
 */
export async function prepareEtl({ warehouse }: EtlDeps, settings: EtlSettings): Promise<EtlPlan> {
  await checkSources(warehouse, settings.sources);
  for (const dimension of settings.dimensions) {
    if (dimension.expression === dimension.name) continue;
    try {
      await warehouse.query(dimensionProbeSql(dimension));
    } catch (error) {
      if (!(error instanceof WarehouseError) || error.retryable) throw error;
      throw new ConfigError('etl.dimensions', [
        {
          path: `etl.dimensions.${dimension.name}`,
          message: `ClickHouse cannot evaluate ${JSON.stringify(dimension.expression)}: ${error.message}`,
        },
      ]);
    }
  }
  const digests = userDaysTable(settings.target);
  await ensureTargetStore(warehouse, targetStore(settings.target));

  // The digests hold the attributes the dimensions use; other dimensions need other digests.
  const attributes = attributesUsed(settings.dimensions);
  const mark = digestMark(attributes);
  const [existing] = await warehouse.query<{ comment: string }>(
    'SELECT comment FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    { params: { database: digests.database, table: digests.table } },
  );
  if (existing && existing.comment !== mark) await discardDigests(warehouse, settings.target);
  await warehouse.command(createUserDaysTableSql(digests, mark), { idempotent: true });
  await warehouse.command(createDigestedDaysTableSql(digestedDaysTable(settings.target)), { idempotent: true });
  await dropAbandonedStaging(warehouse, digests);
  return { firstDay: await firstSourceDay(warehouse, settings.sources, settings.timezone), attributes };
}

/** A staging table untouched this long belongs to a run that was killed, not to one under way. */
const ABANDONED_AFTER_HOURS = 24;

/** Drops the staging tables killed runs left (each run stages under a name of its own). */
async function dropAbandonedStaging(warehouse: Warehouse, digests: TableName): Promise<void> {
  const abandoned = await warehouse.query<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = {database:String} AND startsWith(name, {prefix:String})
       AND metadata_modification_time < now() - toIntervalHour({hours:UInt32})`,
    { params: { database: digests.database, prefix: `${digests.table}_staging_`, hours: ABANDONED_AFTER_HOURS } },
  );
  for (const { name } of abandoned) {
    await warehouse.command(`DROP TABLE IF EXISTS ${tableName(`${digests.database}.${name}`).sql}`, {
      idempotent: true,
    });
  }
}

function digestMark(attributes: readonly UserAttribute[]): string {
  return `vigil digest v3 of ${attributes.join(',')}`;
}

/** What {@link prepareEtl} learnt about the sources, for the days that follow. */
export interface EtlPlan {
  /** The first day with events; no look-back digest is built before it. */
  readonly firstDay: IsoDate | undefined;
  /** The user attributes the digests hold: those the dimensions use. */
  readonly attributes: readonly UserAttribute[];
}

/**
 * SPEC §3 for day D, idempotent and atomic: D is written as a new generation, checked, and
 * published by one single-row insert (see target.ts): a run killed at any point leaves D as it
 * was, or complete, for every reader. A day without events is left as it was; a day whose new
 * totals fall by more than `maxShrink` is refused unless forced.
 */
export async function runEtlDay(
  deps: EtlDeps,
  settings: EtlSettings,
  plan: EtlPlan,
  day: IsoDate,
  options: { readonly force?: boolean } = {},
): Promise<EtlDayResult> {
  const started = performance.now();
  const { warehouse } = deps;
  const store = targetStore(settings.target);
  const digests = userDaysTable(settings.target);
  const lookbackFrom = addDays(day, -(settings.lookback - 1));
  // Before the first day with events there is nothing to digest; with no events at all, nothing.
  const digestFrom = plan.firstDay === undefined ? day : plan.firstDay > lookbackFrom ? plan.firstDay : lookbackFrom;

  const digested = await digestMissingDays(deps, settings, plan, digestFrom, addDays(day, -1));
  const users = await digestDay(deps, settings, plan, day);
  const seconds = () => (performance.now() - started) / 1000;
  if (users === 0) return { day, rows: 0, seconds: seconds(), digestedDays: digested, skipped: 'no-events' };

  const state = await dayState(warehouse, store, day);
  const generation = state.next;
  let rows: number;
  try {
    await warehouse.command(slicesSql(digests, store.rows, settings.dimensions, plan.attributes), {
      params: { ...dayParams(day, settings.timezone), lookback_from: lookbackFrom, generation },
      idempotent: true,
    });
    const staged = await checkInvariants(warehouse, store.rows, day, generation, settings.dimensions);
    if (!options.force) refuseShrink(day, state.published, staged, settings.maxShrink);
    rows = staged.rows;
  } catch (error) {
    await discardGeneration(warehouse, store, day, generation);
    throw error;
  }
  await publishGeneration(warehouse, store, day, generation, state.written);
  return { day, rows, seconds: seconds(), digestedDays: digested };
}

/** Refuses a day whose new rows count far fewer events than the published ones. */
function refuseShrink(day: IsoDate, published: DayTotals | undefined, staged: DayTotals, maxShrink: number): void {
  if (!published) return;
  const before = published.views + published.likes + published.messages;
  const after = staged.views + staged.likes + staged.messages;
  if (before === 0 || after >= before * (1 - maxShrink)) return;
  const fall = Math.round((1 - after / before) * 100);
  const n = (value: number) => value.toLocaleString('en-US');
  throw new EtlShrinkError(
    `day ${day} would fall from ${n(before)} to ${n(after)} events (−${fall} %), more than etl.maxShrink ` +
      `(${Math.round(maxShrink * 100)} %); the day is left as it was (--force replaces it)`,
  );
}

/** Days of the target missing in [from, to], for `--missing` and catch-up; all of them if it does not exist yet. */
export async function missingDays(
  warehouse: Warehouse,
  target: TableName,
  from: IsoDate,
  to: IsoDate,
): Promise<IsoDate[]> {
  const have = new Set(await presentDays(warehouse, target, daysBetween(from, to)));
  return daysBetween(from, to).filter((day) => !have.has(day));
}

/** Which of the days (in order) the target holds; none if it does not exist yet. */
export async function presentDays(
  warehouse: Warehouse,
  target: TableName,
  days: readonly IsoDate[],
): Promise<IsoDate[]> {
  if (days.length === 0) return [];
  const present = await warehouse
    .query<{ day: string }>(
      `SELECT DISTINCT toString(event_date) AS day FROM ${target.sql}
       WHERE event_date >= {from:Date} AND event_date <= {to:Date}`,
      { params: { from: days[0] ?? '', to: days.at(-1) ?? '' } },
    )
    .catch(whenMissing([]));
  const have = new Set(present.map((row) => row.day));
  return days.filter((day) => have.has(day));
}

function dayParams(day: IsoDate, timezone: string): Record<string, string> {
  return {
    day,
    day_start: toSqlDateTime(startOfDay(day, timezone)),
    day_end: toSqlDateTime(startOfDay(addDays(day, 1), timezone)),
  };
}

/** Builds (or rebuilds) day D's user digest from raw events, published atomically like the target. */
/** Returns how many users the day has (0: no events). */
async function digestDay({ warehouse }: EtlDeps, settings: EtlSettings, plan: EtlPlan, day: IsoDate): Promise<number> {
  const digests = userDaysTable(settings.target);
  // A name of this run's own: another run of the same day (another process) stages beside it.
  const staging = siblingTable(digests, `_staging_${dayPartitionId(day)}_${randomBytes(4).toString('hex')}`);
  const digest = (latest: LatestRowSql) =>
    warehouse.command(userDaySql(settings.sources, staging, plan.attributes, latest), {
      params: dayParams(day, settings.timezone),
      idempotent: true,
    });
  try {
    await createStagingTable(warehouse, staging, digests);
    const packed = packedLatestRow(plan.attributes);
    try {
      await digest(packed ?? tupleLatestRow(plan.attributes));
    } catch (error) {
      // A string attribute longer than the packed key holds: the slower key is exact for any.
      if (!packed || !(error instanceof WarehouseError) || !error.message.includes(STRING_TOO_LONG)) throw error;
      await warehouse.command(`TRUNCATE TABLE ${staging.sql}`, { idempotent: true });
      await digest(tupleLatestRow(plan.attributes));
    }
    const users = await publishDay(warehouse, digests, staging, day);
    await warehouse.insert(digestedDaysTable(settings.target), [{ event_date: day, users }]);
    return users;
  } finally {
    await warehouse.command(`DROP TABLE IF EXISTS ${staging.sql}`, { idempotent: true });
  }
}

/**
 * The look-back reads digests; days not digested yet (the first run, or after the digest table
 * was dropped) are built from raw events once.
 */
async function digestMissingDays(
  deps: EtlDeps,
  settings: EtlSettings,
  plan: EtlPlan,
  from: IsoDate,
  to: IsoDate,
): Promise<IsoDate[]> {
  if (to < from) return [];
  const missing = await missingDays(deps.warehouse, digestedDaysTable(settings.target), from, to);
  for (const day of missing) await digestDay(deps, settings, plan, day);
  if (missing.length > 0)
    deps.logger.debug(
      `etl: digested ${missing.length} earlier day(s) for the look-back: ${missing[0]} … ${missing.at(-1)}`,
    );
  return missing;
}

/**
 * SPEC §3's invariants on the staged day: every dimension sums to the same totals; sent = received.
 * Returns the totals and the staged generation's row count.
 */
async function checkInvariants(
  warehouse: Warehouse,
  rows: TableName,
  day: IsoDate,
  generation: number,
  dimensions: readonly Dimension[],
): Promise<DayTotals & { readonly rows: number }> {
  const totals = await warehouse.query<{
    dimension: string;
    views: number;
    likes: number;
    sent: number;
    received: number;
    rows: number;
  }>(stagedTotalsSql(rows), { params: { day, generation } });
  const problems: string[] = [];
  if (totals.length !== dimensions.length)
    problems.push(`${totals.length} dimensions staged, ${dimensions.length} expected`);
  const first = totals[0];
  for (const t of totals) {
    if (t.sent !== t.received) problems.push(`${t.dimension}: messages sent ${t.sent} ≠ received ${t.received}`);
    if (first && (t.views !== first.views || t.likes !== first.likes || t.sent !== first.sent)) {
      problems.push(`${t.dimension} sums differ from ${first.dimension}`);
    }
  }
  if (problems.length > 0) {
    throw new EtlInvariantError(
      `day ${day} failed its consistency checks and was not published: ${problems.join('; ')}`,
    );
  }
  const staged = totals.reduce((sum, t) => sum + t.rows, 0);
  return { views: first?.views ?? 0, likes: first?.likes ?? 0, messages: first?.sent ?? 0, rows: staged };
}
