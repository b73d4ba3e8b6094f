import { resolveDimensions } from '../src/etl/dimensions.js';
import { digestedDaysTable, prepareEtl, runEtlDay, userDaysTable, type EtlSettings } from '../src/etl/etl-job.js';
import { silentLogger } from '../src/log/logger.js';
import { simulateFresh } from '../src/simulate/simulate.js';
import { addDays, startOfDay, toSqlDateTime } from '../src/time/time.js';
import { quoteIdentifier, tableName } from '../src/warehouse/identifiers.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { bestOf, median, peakRssMiB, time, type Measurement } from './harness.js';
import { originalEtl } from './original-etl.js';

export const DAY = '2024-03-10';
export const TZ = 'UTC';
export const SOURCES = {
  feed: tableName('bench_etl.feed_actions'),
  messages: tableName('bench_etl.message_actions'),
  receiverColumn: 'reciever_id',
};
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
  await settled(warehouse);
  return loaded.events;
}

/**
 * Waits (up to two minutes) for the engine's background merges of freshly written parts: they
 * take a core of two for seconds at 10M events a day and would weigh on whatever is measured
 * next. A warehouse's tables are merged in steady state.
 */
export async function settled(warehouse: Warehouse): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const [merges] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM system.merges');
    if (!merges || merges.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The ETL for one day with 8 days of history, against baselines measured in the same run: a
 * plain scan of the day (per-user counts over each source table, inside the engine), two floors
 * under any ETL from raw events (counting; counting and reading the attributes), and the
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
    maxShrink: 0.5,
  };
  await warehouse.command('DROP DATABASE IF EXISTS bench_etl_out');
  const events = await ensureHistory(warehouse, eventsPerDay);
  const deps = { warehouse, logger: silentLogger };
  const plan = await prepareEtl(deps, settings);
  for (let back = 7; back >= 1; back--) await runEtlDay(deps, settings, plan, addDays(DAY, -back));

  await settled(warehouse);

  const params = { start: toSqlDateTime(startOfDay(DAY, TZ)), end: toSqlDateTime(startOfDay(addDays(DAY, 1), TZ)) };
  const scanTheDay = async () => {
    for (const table of [settings.sources.feed, settings.sources.messages]) {
      await warehouse.command(
        `SELECT user_id, count() FROM ${table.sql} WHERE time >= {start:DateTime('UTC')} AND ` +
          `time < {end:DateTime('UTC')} GROUP BY user_id FORMAT Null`,
        { params },
      );
    }
  };
  // Two floors under any exact ETL from raw events, each reading the day and writing nothing.
  // Counting: every user's views, likes and latest time, every (sender, receiver) pair's
  // messages; no design does less on every row. Reading: the same plus the attributes on every
  // row (`any`, not the latest row's), the least a design that picks the latest row in the same
  // pass must do.
  const receiver = quoteIdentifier(settings.sources.receiverColumn);
  const readTheDay = (attributes: string) => async () => {
    await warehouse.command(
      `SELECT user_id, max(time), countIf(action = 'view'), countIf(action = 'like')${attributes}
        FROM ${settings.sources.feed.sql}
WHERE time >= {start:DateTime('UTC')} AND time < {end:DateTime('UTC')} GROUP BY user_id FORMAT Null`,
      { params },
    );
    await warehouse.command(
      `SELECT user_id, ${receiver}, max(time), count()${attributes} FROM ${settings.sources.messages.sql}
WHERE time >= {start:DateTime('UTC')} AND time < {end:DateTime('UTC')} GROUP BY user_id, ${receiver} FORMAT Null`,
      { params },
    );
  };
  const countTheDay = readTheDay('');
  const readAttributesToo = readTheDay(plan.attributes.map((a) => `, any(${quoteIdentifier(a)})`).join(''));
  // Interleaved, so that whatever else the machine does weighs on all alike; five rounds, because
  // single runs of either side vary widely on a small machine (docs/benchmarks.md).
  const times = { scan: [] as number[], counting: [] as number[], reading: [] as number[], etl: [] as number[] };
  for (let run = 0; run < 5; run++) {
    times.scan.push((await time(scanTheDay)).seconds);
    times.counting.push((await time(countTheDay)).seconds);
    times.reading.push((await time(readAttributesToo)).seconds);
    times.etl.push((await time(() => runEtlDay(deps, settings, plan, DAY))).seconds);
  }
  if (process.env.BENCH_DEBUG) console.log(JSON.stringify(times));
  const plainScan = Math.min(...times.scan);
  const counting = Math.min(...times.counting);
  const reading = Math.min(...times.reading);
  const etl = Math.min(...times.etl);
  const original = await bestOf(2, () =>
    originalEtl(warehouse, settings.sources.feed.sql, settings.sources.messages.sql, DAY, TZ),
  );
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
    {
      suite,
      name: 'counting alone / plain scan',
      value: counting / plainScan,
      unit: '×',
      note: 'floor of any ETL from raw events',
    },
    {
      suite,
      name: 'counting + attributes / plain scan',
      value: reading / plainScan,
      unit: '×',
      note: 'floor of a one-pass ETL',
    },
    { suite, name: 'ETL / counting + attributes', value: etl / reading, unit: '×' },
    {
      suite,
      name: 'the same, median of the rounds',
      value: median(times.etl.map((seconds, round) => seconds / (times.reading[round] ?? seconds))),
      unit: '×',
      note: 'each round measures both in turn',
    },
    { suite, name: 'original approach (client-side merge)', value: original, unit: 's' },
    { suite, name: 'ETL / original approach', value: etl / original, unit: '×', note: 'target ≤ 0.5 at 10M' },
    { suite, name: 'ETL of the day, look-back digested from raw', value: cold, unit: 's', note: 'first run only' },
    { suite, name: 'peak RSS so far', value: peakRssMiB(), unit: 'MiB' },
  ];
}
