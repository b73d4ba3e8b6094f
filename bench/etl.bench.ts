import { resolveDimensions } from '../src/etl/dimensions.js';
import { digestedDaysTable, prepareEtl, runEtlDay, userDaysTable, type EtlSettings } from '../src/etl/etl-job.js';
import { silentLogger } from '../src/log/logger.js';
import { simulateFresh } from '../src/simulate/simulate.js';
import { addDays, startOfDay, toSqlDateTime } from '../src/time/time.js';
import { tableName } from '../src/warehouse/identifiers.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { bestOf, peakRssMiB, type Measurement } from './harness.js';
import { originalEtl } from './original-etl.js';

export const DAY = '2024-03-10';
export const TZ = 'UTC';
export const SOURCES = { feed: tableName('bench_etl.feed_actions'), messages: tableName('bench_etl.message_actions'), receiverColumn: 'reciever_id' };
let loaded: { eventsPerDay: number; events: number } | undefined;

/** Eight simulated days ending with DAY, generated once per volume and shared by the suites. */
export async function ensureHistory(warehouse: Warehouse, eventsPerDay: number): Promise<number> {
  if (loaded?.eventsPerDay === eventsPerDay) return loaded.events;
  const history = await simulateFresh(warehouse, SOURCES, {
    population: { seed: 1, users: Math.round(eventsPerDay / 16.7), eventsPerDay },
    from: startOfDay(addDays(DAY, -7), TZ),
    until: startOfDay(addDays(DAY, 1), TZ),
    anomalies: [],
    timezone: TZ,
  });
  loaded = { eventsPerDay, events: history.feedRows + history.messageRows };
  return loaded.events;
}

/**
 * The ETL for one day with 8 days of history, against two baselines measured in the same run:
 * a plain scan of the day (per-user counts over each source table, inside the engine) and the
 * original DAG's approach (per-user rows to the client, merged and grouped there).
 */
export async function benchEtl(warehouse: Warehouse, eventsPerDay: number): Promise<Measurement[]> {
  const suite = `etl ${eventsPerDay / 1e6}M events/day`;
  const settings: EtlSettings = {
    sources: SOURCES,
    target: tableName('bench_etl_out.slices'),
    lookback: 30,
    dimensions: resolveDimensions({}),
    timezone: TZ,
  };
  await warehouse.command('DROP DATABASE IF EXISTS bench_etl_out');
  const events = await ensureHistory(warehouse, eventsPerDay);
  const deps = { warehouse, logger: silentLogger };
  const plan = await prepareEtl(deps, settings);
  for (let back = 7; back >= 1; back--) await runEtlDay(deps, settings, plan, addDays(DAY, -back));

  const params = { start: toSqlDateTime(startOfDay(DAY, TZ)), end: toSqlDateTime(startOfDay(addDays(DAY, 1), TZ)) };
  const plainScan = await bestOf(3, async () => {
    for (const table of [settings.sources.feed, settings.sources.messages]) {
      await warehouse.command(
        `SELECT user_id, count() FROM ${table.sql} WHERE time >= {start:DateTime('UTC')} AND time < {end:DateTime('UTC')} GROUP BY user_id FORMAT Null`,
        { params },
      );
    }
  });
  const etl = await bestOf(3, () => runEtlDay(deps, settings, plan, DAY));
  const original = await bestOf(2, () => originalEtl(warehouse, settings.sources.feed.sql, settings.sources.messages.sql, DAY, TZ));
  const cold = await bestOf(1, async () => {
    await warehouse.command(`TRUNCATE TABLE ${userDaysTable(settings.target).sql}`);
    await warehouse.command(`TRUNCATE TABLE ${digestedDaysTable(settings.target).sql}`);
    await runEtlDay(deps, settings, plan, DAY);
  });

  return [
    { suite, name: 'events in the 8 days', value: events, unit: 'events' },
    { suite, name: 'plain scan of the day', value: plainScan, unit: 's' },
    { suite, name: 'ETL of the day', value: etl, unit: 's' },
    { suite, name: 'ETL / plain scan', value: etl / plainScan, unit: '×', note: 'target ≤ 3.0 at 10M' },
    { suite, name: 'original approach (client-side merge)', value: original, unit: 's' },
    { suite, name: 'ETL / original approach', value: etl / original, unit: '×', note: 'target ≤ 0.5 at 10M' },
    { suite, name: 'ETL of the day, look-back digested from raw', value: cold, unit: 's', note: 'first run only' },
    { suite, name: 'peak RSS so far', value: peakRssMiB(), unit: 'MiB' },
  ];
}
