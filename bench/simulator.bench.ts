import { simulateFresh } from '../src/simulate/simulate.js';
import { tableName } from '../src/warehouse/identifiers.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { bestOf, time, type Measurement } from './harness.js';

const DAY = { from: new Date('2024-03-04T00:00:00Z'), until: new Date('2024-03-05T00:00:00Z') };

/**
 * Simulator throughput at a given daily volume, against a baseline measured in the same process:
 * an INSERT … SELECT of the same number of rows of the same table shape from numbers() with
 * trivial values, i.e. what merely writing those rows costs in this engine.
 */
export async function benchSimulator(warehouse: Warehouse, eventsPerDay: number): Promise<Measurement[]> {
  const suite = `simulator ${eventsPerDay / 1e6}M events/day`;
  const tables = {
    feed: tableName('bench_sim.feed_actions'),
    messages: tableName('bench_sim.message_actions'),
    receiverColumn: 'reciever_id',
  };
  const population = { seed: 1, users: Math.round(eventsPerDay / 16.7), eventsPerDay };
  const run = () => simulateFresh(warehouse, tables, { population, ...DAY, anomalies: [], timezone: 'UTC' });
  await run();
  const { seconds, result } = await time(run);
  const events = result.feedRows + result.messageRows;

  await warehouse.command('CREATE TABLE IF NOT EXISTS bench_sim.baseline AS bench_sim.feed_actions');
  const baseline = await bestOf(1, async () => {
    await warehouse.command('TRUNCATE TABLE bench_sim.baseline');
    await warehouse.command(
      `INSERT INTO bench_sim.baseline SELECT number % 60000, number % 5000, if(number % 5 = 0, 'like', 'view'),
         toDateTime('2024-03-04 00:00:00') + intDiv(number, 12), 1, 25, 'Russia', 'Moscow', 'Android', 'ads', 1
       FROM numbers({n:UInt64})`,
      { params: { n: events } },
    );
  });
  return [
    { suite, name: 'events generated', value: events, unit: 'events' },
    { suite, name: 'time for one day', value: seconds, unit: 's' },
    { suite, name: 'events per second', value: events / seconds, unit: 'events/s' },
    {
      suite,
      name: 'time / plain insert of as many rows',
      value: seconds / baseline,
      unit: '×',
      note: `plain insert ${baseline.toFixed(2)} s`,
    },
  ];
}
