import { beforeAll, describe, expect, it } from 'vitest';
import { startLiveSimulation } from '../../src/simulate/live-simulation.js';
import type { Population } from '../../src/simulate/population.js';
import { simulateAppend, simulateFresh, SimulationError } from '../../src/simulate/simulate.js';
import { parseAnomaly, type Anomaly } from '../../src/simulate/simulation-options.js';
import type { Sources } from '../../src/sources/sources.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';
import { VirtualClock } from '../support/virtual-clock.js';

const population: Population = { seed: 7, users: 3_000, eventsPerDay: 60_000 };
const from = new Date('2024-03-04T00:00:00Z');
const until = new Date('2024-03-07T00:00:00Z');
const timezone = 'Europe/Moscow';

const opened = useEmbeddedWarehouse();
let warehouse: Warehouse;
beforeAll(() => {
  warehouse = opened();
});

function tablesIn(database: string, receiverColumn = 'reciever_id'): Sources {
  return {
    feed: tableName(`${database}.feed_actions`),
    messages: tableName(`${database}.message_actions`),
    receiverColumn,
  };
}

async function simulate(database: string, anomalies: readonly Anomaly[] = [], end = until, receiverColumn?: string) {
  return simulateFresh(warehouse, tablesIn(database, receiverColumn), {
    population,
    from,
    until: end,
    anomalies,
    timezone,
  });
}

/** A fingerprint of a table's whole content, independent of how its parts are stored. */
async function checksum(table: string): Promise<string> {
  const [row] = await warehouse.query<{ n: number; h: string }>(
    `SELECT count() AS n, toString(cityHash64(groupArray(row_hash))) AS h FROM (SELECT ` +
      `cityHash64(*) AS row_hash FROM ${table} ORDER BY ALL)`,
  );
  return `${row?.n}:${row?.h}`;
}

/** Events per 15-minute window, keyed by window start (UTC). */
async function windows(sql: string): Promise<Map<string, number>> {
  const rows = await warehouse.query<{ w: string; n: number }>(
    `SELECT toString(toStartOfFifteenMinutes(time)) AS w, count() AS n FROM ${sql} GROUP BY w`,
  );
  return new Map(rows.map((r) => [r.w, r.n]));
}

describe('simulator', () => {
  beforeAll(async () => {
    await simulate('sim_base');
  });

  it('creates both source tables with exactly the SPEC §1 schema', async () => {
    const describeTable = async (table: string) =>
      (await warehouse.query<{ name: string; type: string }>(`DESCRIBE TABLE ${table}`)).map(
        (c) => `${c.name} ${c.type}`,
      );
    expect(await describeTable('sim_base.feed_actions')).toEqual([
      'user_id UInt32',
      'post_id UInt32',
      'action String',
      'time DateTime',
      'gender UInt8',
      'age UInt8',
      'country String',
      'city String',
      'os String',
      'source String',
      'exp_group Int8',
    ]);
    expect(await describeTable('sim_base.message_actions')).toEqual([
      'user_id UInt32',
      'reciever_id UInt32',
      'time DateTime',
      'source String',
      'exp_group Int8',
      'gender UInt8',
      'age UInt8',
      'country String',
      'city String',
      'os String',
    ]);
  });

  it('names the receiver column as configured', async () => {
    await simulate('sim_receiver', [], new Date('2024-03-04T06:00:00Z'), 'receiver_id');
    const columns = await warehouse.query<{ name: string }>('DESCRIBE TABLE sim_receiver.message_actions');
    expect(columns.map((c) => c.name)).toContain('receiver_id');
  });

  it('is deterministic: the same options give identical tables', async () => {
    await simulate('sim_again');
    expect(await checksum('sim_again.feed_actions')).toBe(await checksum('sim_base.feed_actions'));
    expect(await checksum('sim_again.message_actions')).toBe(await checksum('sim_base.message_actions'));
    expect(await checksum('sim_base.feed_actions')).not.toBe(await checksum('sim_base.message_actions'));
  });

  it('generates only inside [from, until), at about the requested volume', async () => {
    const [feed] = await warehouse.query<{ n: number; first: string; last: string }>(
      'SELECT count() AS n, toString(min(time)) AS first, toString(max(time)) AS last FROM sim_base.feed_actions',
    );
    expect(feed?.first).toBeDefined();
    expect((feed?.first ?? '') >= '2024-03-04 00:00:00').toBe(true);
    expect((feed?.last ?? '9') < '2024-03-07 00:00:00').toBe(true);
    // Three days from midnight UTC in Moscow time cover 3 full days' worth of seconds.
    expect(feed?.n).toBeGreaterThan(population.eventsPerDay * 3 * 0.85);
    expect(feed?.n).toBeLessThan(population.eventsPerDay * 3 * 1.15);
  });

  it('peaks in the evening, local time, and is quiet at night', async () => {
    const hours = await warehouse.query<{ h: number; n: number }>(
      `SELECT toHour(time, {tz:String}) AS h, count() AS n FROM sim_base.feed_actions GROUP BY h ORDER BY n DESC`,
      { params: { tz: timezone } },
    );
    expect(hours[0]?.h).toBeGreaterThanOrEqual(18);
    expect(hours[0]?.h).toBeLessThanOrEqual(22);
    const quietest = hours.at(-1)?.h ?? -1;
    expect(quietest).toBeGreaterThanOrEqual(2);
    expect(quietest).toBeLessThanOrEqual(7);
    expect((hours[0]?.n ?? 0) / (hours.at(-1)?.n ?? 1)).toBeGreaterThan(3);
  });

  it('has a CTR of about 0.2, varying by user', async () => {
    const [all] = await warehouse.query<{ ctr: number }>(
      "SELECT countIf(action = 'like') / countIf(action = 'view') AS ctr FROM sim_base.feed_actions",
    );
    expect(all?.ctr).toBeGreaterThan(0.15);
    expect(all?.ctr).toBeLessThan(0.25);
    const [spread] = await warehouse.query<{ sd: number }>(
      `SELECT stddevPop(ctr) AS sd FROM (SELECT countIf(action = 'like') / countIf(action = 'view') AS ctr
        FROM sim_base.feed_actions
       GROUP BY user_id HAVING countIf(action = 'view') >= 100)`,
    );
    expect(spread?.sd).toBeGreaterThan(0.03);
  });

  it('gives users stable attributes of the right shape', async () => {
    const [stable] = await warehouse.query<{ unstable: number }>(
      `SELECT countIf(variants > 1) AS unstable FROM (
         SELECT user_id, uniqExact(gender, age, os, country, city, source, exp_group) AS variants
         FROM (SELECT user_id, gender, age, os, country, city, source, exp_group FROM sim_base.feed_actions
               UNION ALL SELECT user_id, gender, age, os, country, city, source, exp_group
                 FROM sim_base.message_actions)
         GROUP BY user_id)`,
    );
    expect(stable?.unstable).toBe(0);
    const [shape] = await warehouse.query<{
      android: number;
      young: number;
      minAge: number;
      maxAge: number;
      genders: number;
    }>(
      `SELECT avg(os = 'Android') AS android, avg(age < 30) AS young, min(age) AS minAge,
        max(age) AS maxAge, uniqExact(gender) AS genders
       FROM (SELECT DISTINCT user_id, os, age, gender FROM sim_base.feed_actions)`,
    );
    expect(shape?.android).toBeGreaterThan(0.6);
    expect(shape?.android).toBeLessThan(0.74);
    expect(shape?.young).toBeGreaterThan(0.5);
    expect(shape?.minAge).toBeGreaterThanOrEqual(14);
    expect(shape?.maxAge).toBeLessThanOrEqual(70);
    expect(shape?.genders).toBe(2);
  });

  it('has a long tail of views per user and skewed post popularity', async () => {
    const [views] = await warehouse.query<{ median: number; p99: number }>(
      `SELECT quantileExact(0.5)(n) AS median, quantileExact(0.99)(n) AS p99 FROM
       (SELECT count() AS n FROM sim_base.feed_actions WHERE action = 'view' GROUP BY user_id, toDate(time))`,
    );
    expect((views?.p99 ?? 0) / (views?.median ?? 1)).toBeGreaterThan(5);
    const [posts] = await warehouse.query<{ top_share: number }>(
      `SELECT sum(n) / (SELECT count() FROM sim_base.feed_actions) AS top_share FROM
       (SELECT count() AS n FROM sim_base.feed_actions GROUP BY post_id ORDER BY n DESC LIMIT 10)`,
    );
    expect(posts?.top_share).toBeGreaterThan(0.1);
  });

  it('has a minority of messenger users, repeated pairs, and receivers of every kind', async () => {
    const [m] = await warehouse.query<{
      senders: number;
      feed_users: number;
      repeated: number;
      never_act: number;
      other_days: number;
    }>(
      `WITH
         actors AS (SELECT DISTINCT user_id FROM (SELECT user_id FROM sim_base.feed_actions UNION ALL SELECT user_id
           FROM sim_base.message_actions)),
         day_one AS (SELECT DISTINCT user_id FROM (SELECT user_id, time FROM sim_base.feed_actions UNION ALL
           SELECT user_id, time FROM sim_base.message_actions)
                     WHERE toDate(time, {tz:String}) = '2024-03-05')
       SELECT
         (SELECT uniqExact(user_id) FROM sim_base.message_actions) AS senders,
         (SELECT uniqExact(user_id) FROM sim_base.feed_actions) AS feed_users,
         (SELECT count() FROM (SELECT user_id, reciever_id, toDate(time) AS d FROM sim_base.message_actions
           GROUP BY user_id, reciever_id, d HAVING count() > 1)) AS repeated,
         (SELECT uniqExact(reciever_id) FROM sim_base.message_actions WHERE reciever_id NOT IN actors) AS never_act,
         (SELECT uniqExact(reciever_id) FROM sim_base.message_actions
            WHERE toDate(time, {tz:String}) = '2024-03-05' AND reciever_id IN actors
              AND reciever_id NOT IN day_one) AS other_days`,
      { params: { tz: timezone } },
    );
    expect(m?.senders).toBeLessThan((m?.feed_users ?? 0) * 0.5);
    expect(m?.senders).toBeGreaterThan(0);
    expect(m?.repeated).toBeGreaterThan(0);
    expect(m?.never_act).toBeGreaterThan(0);
    expect(m?.other_days).toBeGreaterThan(0);
  });

  it('appends exactly what one longer simulation would have generated, without duplicates', async () => {
    const middle = new Date('2024-03-05T13:37:00Z');
    await simulateFresh(warehouse, tablesIn('sim_append'), {
      population,
      from,
      until: middle,
      anomalies: [],
      timezone,
    });
    await simulateAppend(warehouse, tablesIn('sim_append'), { until: new Date('2024-03-06T02:00:00Z'), anomalies: [] });
    await simulateAppend(warehouse, tablesIn('sim_append'), { until, anomalies: [] });
    const again = await simulateAppend(warehouse, tablesIn('sim_append'), { until, anomalies: [] });
    expect(again).toBeUndefined();
    expect(await checksum('sim_append.feed_actions')).toBe(await checksum('sim_base.feed_actions'));
    expect(await checksum('sim_append.message_actions')).toBe(await checksum('sim_base.message_actions'));
  });

  it('refuses to append when there is nothing to continue', async () => {
    await expect(simulateAppend(warehouse, tablesIn('sim_nothing'), { until, anomalies: [] })).rejects.toThrow(
      SimulationError,
    );
  });

  it('never replaces a table it did not make', async () => {
    await warehouse.command('CREATE DATABASE IF NOT EXISTS real_data');
    await warehouse.command('CREATE TABLE real_data.feed_actions (x UInt8) ENGINE = MergeTree ORDER BY x');
    await warehouse.insert(tableName('real_data.feed_actions'), [{ x: 1 }]);
    await expect(simulate('real_data')).rejects.toThrow(/exists and was not made by vigil simulate/);
    expect(await warehouse.query('SELECT x FROM real_data.feed_actions')).toEqual([{ x: 1 }]);
  });
});

describe('simulator anomalies', () => {
  const start = new Date('2024-03-05T15:00:00Z');
  const end = new Date('2024-03-05T16:30:00Z');
  const inRange = (w: string) => w >= '2024-03-05 15:00:00' && w < '2024-03-05 16:30:00';

  /** Per-window counts of a filtered table in the anomalous simulation and in the baseline. */
  async function compare(database: string, table: string, where: string) {
    const distorted = await windows(`${database}.${table} WHERE ${where}`);
    const baseline = await windows(`sim_base.${table} WHERE ${where}`);
    const inside: number[] = [];
    let outsideDiffers = 0;
    for (const [w, n] of baseline) {
      const m = distorted.get(w) ?? 0;
      if (inRange(w)) inside.push(m / n);
      else if (m !== n) outsideDiffers++;
    }
    return { inside, outsideDiffers };
  }

  it('thins views to the factor inside the range and nowhere else', async () => {
    await simulate('sim_drop', [{ metric: 'views', factor: 0.3, from: start, to: end }]);
    const { inside, outsideDiffers } = await compare('sim_drop', 'feed_actions', "action = 'view'");
    expect(inside).toHaveLength(6);
    for (const ratio of inside) expect(ratio).toBeCloseTo(0.3, 1);
    expect(outsideDiffers).toBe(0);
    const likes = await compare('sim_drop', 'feed_actions', "action = 'like'");
    expect(likes.inside.every((r) => r === 1)).toBe(true);
  });

  it('takes the messenger down to zero for an outage', async () => {
    await simulate('sim_outage', [
      parseAnomaly('metric=messages,factor=0,from=2024-03-05T18:00,to=2024-03-05T19:30', until, timezone),
    ]);
    const { inside, outsideDiffers } = await compare('sim_outage', 'message_actions', '1');
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.every((r) => r === 0)).toBe(true);
    expect(outsideDiffers).toBe(0);
  });

  it('multiplies likes five times for iOS users only', async () => {
    await simulate('sim_spike', [
      { metric: 'likes', factor: 5, from: start, to: end, filter: { attribute: 'os', value: 'iOS' } },
    ]);
    const ios = await compare('sim_spike', 'feed_actions', "action = 'like' AND os = 'iOS'");
    expect(ios.inside.every((r) => r === 5)).toBe(true);
    expect(ios.outsideDiffers).toBe(0);
    const android = await compare('sim_spike', 'feed_actions', "action = 'like' AND os = 'Android'");
    expect(android.inside.every((r) => r === 1)).toBe(true);
  });
});

describe('simulator live mode', () => {
  it('appends each elapsed minute, exactly as one simulation up to then would have', async () => {
    const tables = tablesIn('sim_live');
    await simulateFresh(warehouse, tables, {
      population,
      from,
      until: new Date('2024-03-05T12:00:00Z'),
      anomalies: [],
      timezone,
    });
    const clock = new VirtualClock(new Date('2024-03-05T12:03:30Z'));
    const appended: string[] = [];
    const live = startLiveSimulation({
      warehouse,
      tables,
      clock,
      onAppend: (r) => appended.push(r.until.toISOString().slice(11, 16)),
    });
    // Each append is real I/O the virtual clock cannot see: step a minute, then wait for it.
    const appendedAt = async (count: number) => {
      for (let waited = 0; appended.length < count && waited < 20_000; waited += 10)
        await new Promise((r) => setTimeout(r, 10));
    };
    await appendedAt(1);
    for (const minute of ['12:04', '12:05', '12:06']) {
      const expected = appended.length + 1;
      await clock.advanceTo(new Date(`2024-03-05T${minute}:00Z`));
      await appendedAt(expected);
    }
    // An alert at a minute's tick first catches the simulation up (serve --simulate-live): once
    // catchUp resolves, the minute that just ended is there, whichever of the two woke first.
    await clock.advanceTo(new Date('2024-03-05T12:07:00Z'));
    await live.catchUp();
    expect(appended.at(-1)).toBe('12:07');
    const [newest] = await warehouse.query<{ t: string }>('SELECT toString(max(time)) AS t FROM sim_live.feed_actions');
    expect(newest?.t.slice(11, 16)).toBe('12:06');
    await live.stop();
    expect(appended.slice(0, 4)).toEqual(['12:03', '12:04', '12:05', '12:06']);
    await simulateFresh(warehouse, tablesIn('sim_live_reference'), {
      population,
      from,
      until: new Date('2024-03-05T12:07:00Z'),
      anomalies: [],
      timezone,
    });
    expect(await checksum('sim_live.feed_actions')).toBe(await checksum('sim_live_reference.feed_actions'));
    expect(await checksum('sim_live.message_actions')).toBe(await checksum('sim_live_reference.message_actions'));
  });
});
