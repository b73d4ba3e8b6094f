import { DateTime } from 'luxon';
import { JobError } from '../errors/vigil-error.js';
import type { Sources } from '../sources/sources.js';
import { addDays, dayOf, startOfDay, toSqlDateTime, fromSqlDateTime } from '../time/time.js';
import { quoteIdentifier, siblingTable, type TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { anomalyParams, feedDaySql, messagesDaySql } from './generator-sql.js';
import type { Population } from './population.js';
import type { Anomaly } from './simulation-options.js';
import { createFeedTableSql, createMessagesTableSql, createRunsTableSql, SIMULATOR_MARK } from './source-tables.js';

export interface SimulationProgress {
  readonly day: string;
  readonly index: number;
  readonly total: number;
}

export interface SimulationResult {
  readonly from: Date;
  readonly until: Date;
  readonly population: Population;
  readonly feedRows: number;
  readonly messageRows: number;
  readonly seconds: number;
}

/** The simulator refuses: tables that are not its own, or nothing to append to. The CLI exits 1. */
export class SimulationError extends JobError {
  override readonly name = 'SimulationError';
}

/** Relative activity by ISO weekday (Mon = 1): a little lower on Friday, higher at the weekend. */
const WEEK_FACTOR = [0.98, 1.0, 1.0, 0.99, 0.95, 1.03, 1.06] as const;

function runsTable(tables: Sources): TableName {
  return siblingTable(tables.feed, '_simulation_runs');
}

/**
 * Creates the source tables afresh (dropping earlier simulated ones, never anything else) and
 * generates `[from, until)`.
 */
export async function simulateFresh(
  warehouse: Warehouse,
  tables: Sources,
  request: { population: Population; from: Date; until: Date; anomalies: readonly Anomaly[]; timezone: string },
  onProgress?: (progress: SimulationProgress) => void,
): Promise<SimulationResult> {
  const runs = runsTable(tables);
  for (const table of [tables.feed, tables.messages, runs]) {
    await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(table.database)}`, { idempotent: true });
    const [existing] = await warehouse.query<{ comment: string }>(
      'SELECT comment FROM system.tables WHERE database = {database:String} AND name = {table:String}',
      { params: { database: table.database, table: table.table } },
    );
    if (existing && existing.comment !== SIMULATOR_MARK) {
      throw new SimulationError(
        `${table.database}.${table.table} exists and was not made by vigil simulate; refusing to replace it. ` +
          'Point sources.feed / sources.messages at other tables to simulate into.',
      );
    }
    if (existing) await warehouse.command(`DROP TABLE ${table.sql}`, { idempotent: true });
  }
  await warehouse.command(createFeedTableSql(tables.feed), { idempotent: true });
  await warehouse.command(createMessagesTableSql(tables.messages, tables.receiverColumn), { idempotent: true });
  await warehouse.command(createRunsTableSql(runs), { idempotent: true });
  return generate(warehouse, tables, request, onProgress);
}

/** The last simulation recorded in the warehouse, if any. */
export async function lastSimulation(
  warehouse: Warehouse,
  tables: Sources,
): Promise<{ population: Population; until: Date; timezone: string } | undefined> {
  const runs = runsTable(tables);
  const [exists] = await warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    { params: { database: runs.database, table: runs.table } },
  );
  if (!exists || exists.n === 0) return undefined;
  const [last] = await warehouse.query<{
    generated_until: string;
    seed: number;
    users: number;
    events_per_day: number;
    timezone: string;
  }>(
    `SELECT generated_until, seed, users, events_per_day, timezone FROM ${runs.sql}
     ORDER BY generated_until DESC LIMIT 1`,
  );
  if (!last) return undefined;
  return {
    population: { seed: last.seed, users: last.users, eventsPerDay: last.events_per_day },
    until: fromSqlDateTime(last.generated_until),
    timezone: last.timezone,
  };
}

/**
 * Continues the recorded simulation up to `until`, with its own population, so the tables hold
 * exactly what one longer simulation would have produced. Returns undefined when already there.
 */
export async function simulateAppend(
  warehouse: Warehouse,
  tables: Sources,
  request: { until: Date; anomalies: readonly Anomaly[] },
  onProgress?: (progress: SimulationProgress) => void,
): Promise<SimulationResult | undefined> {
  const last = await lastSimulation(warehouse, tables);
  if (!last) {
    throw new SimulationError(
      `there is no simulation in ${tables.feed.database} to append to; run vigil simulate without --append first`,
    );
  }
  if (request.until <= last.until) return undefined;
  return generate(
    warehouse,
    tables,
    {
      population: last.population,
      from: last.until,
      until: request.until,
      anomalies: request.anomalies,
      timezone: last.timezone,
    },
    onProgress,
  );
}

async function generate(
  warehouse: Warehouse,
  tables: Sources,
  request: { population: Population; from: Date; until: Date; anomalies: readonly Anomaly[]; timezone: string },
  onProgress?: (progress: SimulationProgress) => void,
): Promise<SimulationResult> {
  const started = performance.now();
  const { population, from, until, anomalies, timezone } = request;
  const shared = {
    seed: population.seed,
    users: population.users,
    silent_users: Math.max(1, Math.round(population.users / 20)),
    posts: Math.max(100, Math.round(population.eventsPerDay / 200)),
    ...calibration(population),
    ...anomalyParams(anomalies, toSqlDateTime),
  };
  const days: string[] = [];
  for (let day = dayOf(from, timezone); startOfDay(day, timezone) < until; day = addDays(day, 1)) days.push(day);

  for (const [index, day] of days.entries()) {
    onProgress?.({ day, index, total: days.length });
    const dayStart = startOfDay(day, timezone);
    const dayEnd = startOfDay(addDays(day, 1), timezone);
    const params = {
      ...shared,
      day_start: toSqlDateTime(dayStart),
      day_seconds: (dayEnd.getTime() - dayStart.getTime()) / 1000,
      day_key: Date.parse(`${day}T00:00:00Z`) / 86_400_000,
      week_factor: WEEK_FACTOR[DateTime.fromISO(day).weekday - 1] ?? 1,
      from: toSqlDateTime(from > dayStart ? from : dayStart),
      to: toSqlDateTime(until < dayEnd ? until : dayEnd),
    };
    await warehouse.command(feedDaySql({ target: tables.feed, anomalies }), { params });
    await warehouse.command(messagesDaySql({ target: tables.messages, anomalies }, tables.receiverColumn), { params });
  }

  const range = { from: toSqlDateTime(from), until: toSqlDateTime(until) };
  const count = async (table: TableName) =>
    (
      await warehouse.query<{ n: number }>(
        `SELECT count() AS n FROM ${table.sql} WHERE time >= {from:DateTime('UTC')} AND time < {until:DateTime('UTC')}`,
        { params: range },
      )
    )[0]?.n ?? 0;
  const feedRows = await count(tables.feed);
  const messageRows = await count(tables.messages);
  await warehouse.insert(runsTable(tables), [
    {
      generated_from: range.from,
      generated_until: range.until,
      seed: population.seed,
      users: population.users,
      events_per_day: population.eventsPerDay,
      timezone,
      anomalies: JSON.stringify(anomalies),
    },
  ]);
  return { from, until, population, feedRows, messageRows, seconds: (performance.now() - started) / 1000 };
}

/**
 * Scales of the long-tailed per-user counts so that a day has about `eventsPerDay` feed events
 * and a twentieth of that in messages. Half the users read the feed on a given day and a like
 * follows a fifth of views; 30 % use the messenger, 45 % of them on a given day. A count
 * ⌊s·(1−u)^−½⌋ has mean about 2s − ½.
 */
function calibration(population: Population): { view_scale: number; message_scale: number } {
  const viewsPerActiveUser = population.eventsPerDay / (0.5 * population.users * 1.2);
  const messagesPerSender = (0.05 * population.eventsPerDay) / (0.135 * population.users);
  return {
    view_scale: Math.max(0, (viewsPerActiveUser + 0.5) / 2),
    message_scale: Math.max(0, (messagesPerSender - 1 + 0.5) / 2),
  };
}
