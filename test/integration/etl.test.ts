import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { resolveDimensions } from '../../src/etl/dimensions.js';
import { prepareEtl, runEtlDay, missingDays, type EtlSettings } from '../../src/etl/etl-job.js';
import { runEtlDays } from '../../src/etl/etl-range.js';
import { SourceError } from '../../src/sources/source-check.js';
import { silentLogger } from '../../src/log/logger.js';
import { createFeedTableSql, createMessagesTableSql } from '../../src/simulate/source-tables.js';
import { simulateFresh } from '../../src/simulate/simulate.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import {
  referenceSlices,
  type Attributes,
  type FeedRow,
  type MessageRow,
  type SliceRow,
} from '../support/slices-reference.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

const TZ = 'Asia/Kolkata'; // UTC+05:30: local midnight is 18:30 UTC the day before
const opened = useEmbeddedWarehouse();
let warehouse: Warehouse;
beforeAll(() => {
  warehouse = opened();
});

const A: Attributes = {
  gender: 0,
  age: 19,
  os: 'Android',
  country: 'Russia',
  city: 'Moscow',
  source: 'ads',
  exp_group: 1,
};
const B: Attributes = {
  gender: 1,
  age: 34,
  os: 'iOS',
  country: 'Russia',
  city: 'Kazan',
  source: 'organic',
  exp_group: 2,
};
const C: Attributes = {
  gender: 1,
  age: 52,
  os: 'Android',
  country: 'Belarus',
  city: 'Minsk',
  source: 'ads',
  exp_group: 3,
};
const C2: Attributes = { ...C, os: 'iOS', age: 53 };

const feed = (
  user_id: number,
  action: 'view' | 'like',
  time: string,
  attributes: Attributes,
  post_id = 1,
): FeedRow => ({ user_id, post_id, action, time, ...attributes });
const message = (user_id: number, reciever_id: number, time: string, attributes: Attributes): MessageRow => ({
  user_id,
  reciever_id,
  time,
  ...attributes,
});

// D = 2024-03-10 in Asia/Kolkata: [2024-03-09 18:30:00 UTC, 2024-03-10 18:30:00 UTC).
const FEED: FeedRow[] = [
  feed(1, 'view', '2024-02-20 10:00:00', C), // user 1's older attributes: the latest row wins
  feed(1, 'view', '2024-03-10 08:00:00', A),
  feed(1, 'view', '2024-03-10 08:00:05', A, 2),
  feed(1, 'like', '2024-03-10 08:00:10', A, 2),
  feed(3, 'view', '2024-03-05 12:00:00', B), // receiver 3 acted 5 days before D only
  feed(4, 'view', '2024-01-25 12:00:00', A), // receiver 4 acted 45 days before D (outside the look-back) ...
  feed(4, 'view', '2024-03-11 12:00:00', A), // ... and after D: rows after D are never used
  feed(5, 'view', '2024-03-09 18:29:59', B), // one second before local midnight: D−1
  feed(5, 'view', '2024-03-09 18:30:00', B), // local midnight: D
  feed(5, 'like', '2024-03-10 18:29:59', B), // last second of D
  feed(5, 'like', '2024-03-10 18:30:00', B), // D+1
  feed(6, 'view', '2024-03-10 01:00:00', C),
  feed(6, 'view', '2024-03-10 09:00:00', C2), // changes os and age during D: C2 is D's attributes
  feed(7, 'view', '2024-03-10 05:00:00', A), // a tie at the same second: the greater tuple (B > A by gender) wins
  feed(7, 'view', '2024-03-10 05:00:00', B),
  feed(8, 'view', '2024-03-11 03:00:00', C), // D+1 only
  feed(10, 'view', '2024-03-10 06:00:00', { ...A, os: 'iOS' }), // a tie that only the os string breaks: iOS > Android
  feed(10, 'like', '2024-03-10 06:00:00', A),
];
const MESSAGES: MessageRow[] = [
  message(2, 3, '2024-03-10 10:00:00', B), // user 2 only sends, three times to 3
  message(2, 3, '2024-03-10 10:05:00', B),
  message(2, 3, '2024-03-10 11:00:00', B),
  message(2, 4, '2024-03-10 11:30:00', B),
  message(2, 99, '2024-03-10 12:00:00', B), // 99 never acts: unknown
  message(2, 99, '2024-03-10 12:01:00', B),
  message(2, 99, '2024-03-07 12:00:00', B), // 99 only received before D too: still unknown, not blank
  message(6, 1, '2024-03-10 09:30:00', C2),
  message(6, 2, '2024-03-09 18:00:00', C2), // D−1
  message(9, 6, '2024-03-11 02:00:00', A), // D+1
];
const DAYS = ['2024-03-09', '2024-03-10', '2024-03-11', '2024-03-12'];
const extraDimensions = { age_bucket: "multiIf(age < 25, 'young', age < 45, 'middle', 'older')" };
const dimensionsForReference = [
  { name: 'os', value: (a: Attributes) => a.os },
  { name: 'gender', value: (a: Attributes) => String(a.gender) },
  { name: 'age', value: (a: Attributes) => String(a.age) },
  { name: 'age_bucket', value: (a: Attributes) => (a.age < 25 ? 'young' : a.age < 45 ? 'middle' : 'older') },
];

function settingsFor(database: string, overrides: Partial<EtlSettings> = {}): EtlSettings {
  return {
    sources: {
      feed: tableName(`${database}.feed_actions`),
      messages: tableName(`${database}.message_actions`),
      receiverColumn: 'reciever_id',
    },
    target: tableName(`${database}_out.slices`),
    lookback: 30,
    maxShrink: 0.5,
    dimensions: resolveDimensions(extraDimensions),
    timezone: TZ,
    ...overrides,
  };
}

async function loadSources(
  database: string,
  feedRows: readonly FeedRow[],
  messageRows: readonly MessageRow[],
): Promise<void> {
  await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await warehouse.command(createFeedTableSql(tableName(`${database}.feed_actions`)));
  await warehouse.command(createMessagesTableSql(tableName(`${database}.message_actions`), 'reciever_id'));
  await warehouse.insert(tableName(`${database}.feed_actions`), feedRows as unknown as Record<string, unknown>[]);
  await warehouse.insert(tableName(`${database}.message_actions`), messageRows as unknown as Record<string, unknown>[]);
}

async function targetRows(settings: EtlSettings, day: string): Promise<SliceRow[]> {
  const rows = await warehouse.query<SliceRow>(
    `SELECT event_date, dimension, dimension_value, views, likes, messages_received, messages_sent, users_received,
      users_sent
     FROM ${settings.target.sql} WHERE event_date = {day:Date}`,
    { params: { day } },
  );
  return rows.sort((a, b) =>
    `${a.dimension}|${a.dimension_value}`.localeCompare(`${b.dimension}|${b.dimension_value}`),
  );
}

async function etl(settings: EtlSettings, days: readonly string[], target: Warehouse = warehouse) {
  const plan = await prepareEtl({ warehouse: target, logger: silentLogger }, settings);
  const results = [];
  for (const day of days)
    results.push(await runEtlDay({ warehouse: target, logger: silentLogger }, settings, plan, day));
  return results;
}

describe('ETL against an independent reference on a hand-built dataset', () => {
  const settings = settingsFor('hand');
  beforeAll(async () => {
    await loadSources('hand', FEED, MESSAGES);
    await etl(settings, DAYS);
  });

  it.each(DAYS)('computes SPEC §3 exactly for %s', async (day) => {
    expect(await targetRows(settings, day)).toEqual(
      referenceSlices(FEED, MESSAGES, day, TZ, 30, dimensionsForReference),
    );
  });

  it('counts receivers by their own attributes, with unknown where they have no row in the look-back', async () => {
    const os = (await targetRows(settings, '2024-03-10')).filter((r) => r.dimension === 'os');
    // Receivers: 3 (B: iOS, from 5 days before), 4 and 99 (unknown), 1 (A: Android).
    expect(os.find((r) => r.dimension_value === 'unknown')).toMatchObject({
      messages_received: 3,
      users_received: 2,
      messages_sent: 0,
      views: 0,
    });
    expect(os.find((r) => r.dimension_value === 'iOS')).toMatchObject({
      messages_received: 3,
      users_received: 1,
      messages_sent: 7,
      users_sent: 4,
    });
  });

  it('has no rows for a day without events', async () => {
    expect(await targetRows(settings, '2024-03-12')).toEqual([]);
  });

  it('knows which days are missing', async () => {
    expect(await missingDays(warehouse, settings.target, '2024-03-08', '2024-03-12')).toEqual([
      '2024-03-08',
      '2024-03-12',
    ]);
    // A target not created yet lacks every day; its database may not exist either.
    expect(await missingDays(warehouse, tableName('hand_out.not_yet'), '2024-03-08', '2024-03-09')).toEqual([
      '2024-03-08',
      '2024-03-09',
    ]);
    expect(await missingDays(warehouse, tableName('no_such_db.slices'), '2024-03-08', '2024-03-08')).toEqual([
      '2024-03-08',
    ]);
  });
});

describe('ETL writes each day idempotently and atomically', () => {
  const settings = settingsFor('idem');
  const day = '2024-03-10';
  const snapshot = async () => JSON.stringify(await targetRows(settings, day));

  beforeAll(async () => {
    await loadSources('idem', FEED, MESSAGES);
  });

  it('holds exactly one set of rows for a day after three runs', async () => {
    await etl(settings, [day]);
    const once = await snapshot();
    await etl(settings, [day, day]);
    expect(await snapshot()).toBe(once);
    const [counts] = await warehouse.query<{ n: number }>(
      `SELECT count() AS n FROM ${settings.target.sql} WHERE event_date = {day:Date}`,
      { params: { day } },
    );
    expect(counts?.n).toBe(referenceSlices(FEED, MESSAGES, day, TZ, 30, dimensionsForReference).length);
  });

  it.each([
    ['while writing the slices', /INSERT INTO `idem_out`\.`slices_rows`/],
    ['just before publishing', /^insert idem_out\.slices_published$/],
    ['while digesting the day', /INSERT INTO `idem_out`\.`slices_user_days_staging_/],
  ])('leaves the previous rows intact when a run fails %s', async (_when, failOn) => {
    const before = await snapshot();
    await warehouse.insert(tableName('idem.feed_actions'), [
      feed(1, 'view', '2024-03-10 09:00:00', A),
    ] as unknown as Record<string, unknown>[]);
    const failing: Warehouse = {
      ...warehouse,
      command: (sql, options) =>
        failOn.test(sql) ? Promise.reject(new Error('killed')) : warehouse.command(sql, options),
      insert: (table, rows, options) =>
        failOn.test(`insert ${table.database}.${table.table}`)
          ? Promise.reject(new Error('killed'))
          : warehouse.insert(table, rows, options),
    };
    await expect(etl(settings, [day], failing)).rejects.toThrow('killed');
    expect(await snapshot()).toBe(before);
    await warehouse.command(
      "ALTER TABLE idem.feed_actions DELETE WHERE time = '2024-03-10 09:00:00' AND user_id = " +
        '1 SETTINGS mutations_sync = 1',
    );
  });

  it('keeps only the published generation of a day, dropping superseded ones and those a killed run left', async () => {
    // A run killed after writing its rows and before publishing them leaves an unpublished generation.
    const killedBeforePublishing: Warehouse = {
      ...warehouse,
      insert: (table, rows, options) =>
        table.table === 'slices_published'
          ? Promise.reject(new Error('killed'))
          : warehouse.insert(table, rows, options),
    };
    await expect(etl(settings, [day], killedBeforePublishing)).rejects.toThrow('killed');
    const generations = () =>
      warehouse.query<{ generation: number }>(
        'SELECT DISTINCT generation FROM idem_out.slices_rows WHERE event_date = {day:Date} ORDER BY generation',
        { params: { day } },
      );
    expect((await generations()).length).toBeGreaterThan(1);
    const expected = await snapshot();
    await etl(settings, [day]);
    const [published] = await warehouse.query<{ generation: number }>(
      'SELECT max(generation) AS generation FROM idem_out.slices_published WHERE event_date = {day:Date}',
      { params: { day } },
    );
    expect(await generations()).toEqual([{ generation: published?.generation }]);
    expect(await snapshot()).toBe(expected);
  });

  it('shows one set of rows after two runs of the same day at once (each writes a generation of its own)', async () => {
    await etl(settings, [day]);
    const once = await snapshot();
    const plan = await prepareEtl({ warehouse, logger: silentLogger }, settings);
    const run = () => runEtlDay({ warehouse, logger: silentLogger }, settings, plan, day);
    await Promise.all([run(), run(), run()]);
    expect(await snapshot()).toBe(once);
    // Whichever was published last, its rows are whole; older generations may wait for the next run.
    await etl(settings, [day]);
    expect(await snapshot()).toBe(once);
  });

  it('replaces staging tables of another layout that a killed run of an older vigil left behind', async () => {
    await etl(settings, [day]);
    const expected = await snapshot();
    const digestStaging = 'idem_out.slices_user_days_staging_20240310';
    await warehouse.command(
      `CREATE TABLE ${digestStaging} AS idem_out.slices_user_days ENGINE = MergeTree PARTITION ` +
        `BY event_date ORDER BY (event_date, user_id)`,
    );
    await warehouse.command(
      'CREATE TABLE idem_out.slices_staging_20240310 (event_date Date, dimension String, ' +
        'dimension_value String, views UInt64) ENGINE = MergeTree PARTITION BY event_date ORDER BY event_date',
    );
    await etl(settings, [day]);
    expect(await snapshot()).toBe(expected);
  });

  it('replaces a day when its events change, and leaves it as it was when they vanish', async () => {
    await warehouse.insert(tableName('idem.feed_actions'), [
      feed(1, 'view', '2024-03-10 09:00:00', A),
    ] as unknown as Record<string, unknown>[]);
    await etl(settings, [day]);
    const isAndroid = (r: SliceRow) => r.dimension === 'os' && r.dimension_value === 'Android';
    const android = (await targetRows(settings, day)).find(isAndroid);
    const expected = referenceSlices(FEED, MESSAGES, day, TZ, 30, dimensionsForReference).find(isAndroid);
    expect(android?.views).toBe((expected?.views ?? 0) + 1);
    await warehouse.command(
      "ALTER TABLE idem.feed_actions DELETE WHERE toDate(time, 'Asia/Kolkata') = '2024-03-10' " +
        'SETTINGS mutations_sync = 1',
    );
    await warehouse.command(
      "ALTER TABLE idem.message_actions DELETE WHERE toDate(time, 'Asia/Kolkata') = '2024-03-10' " +
        'SETTINGS mutations_sync = 1',
    );
    const published = await targetRows(settings, day);
    const [outcome] = await runEtlDays({ warehouse, logger: silentLogger }, settings, [day]);
    expect(outcome).toMatchObject({ ok: true, day, skipped: 'no-events', rows: 0 });
    expect(await targetRows(settings, day)).toEqual(published);
    expect(published.find(isAndroid)?.views).toBe((expected?.views ?? 0) + 1);
  });
});

describe('ETL on a simulated week', () => {
  const settings = settingsFor('week', { timezone: 'Europe/Moscow', dimensions: resolveDimensions({}) });
  const days = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09', '2024-03-10'];

  beforeAll(async () => {
    await simulateFresh(
      warehouse,
      { feed: settings.sources.feed, messages: settings.sources.messages, receiverColumn: 'reciever_id' },
      {
        population: { seed: 3, users: 1_500, eventsPerDay: 20_000 },
        from: new Date('2024-03-02T21:00:00Z'),
        until: new Date('2024-03-10T21:00:00Z'),
        anomalies: [],
        timezone: 'Europe/Moscow',
      },
    );
    await etl(settings, days);
  });

  it('keeps SPEC §3 invariants on every day and dimension', async () => {
    const totals = await warehouse.query<{ day: string; views: number; likes: number; messages: number }>(
      `SELECT toString(toDate(time, 'Europe/Moscow')) AS day, countIf(kind = 'view') AS views, countIf(kind = 'like')
        AS likes, countIf(kind = 'message') AS messages
       FROM (SELECT time, action AS kind FROM week.feed_actions UNION ALL SELECT time, 'message'
         FROM week.message_actions)
       GROUP BY day`,
    );
    const sums = await warehouse.query<{
      day: string;
      dimension: string;
      views: number;
      likes: number;
      sent: number;
      received: number;
    }>(
      `SELECT toString(event_date) AS day, dimension, sum(views) AS views, sum(likes) AS likes,
        sum(messages_sent) AS sent, sum(messages_received) AS received
       FROM ${settings.target.sql} GROUP BY day, dimension`,
    );
    expect(sums).toHaveLength(days.length * 3);
    for (const s of sums) {
      const t = totals.find((x) => x.day === s.day);
      expect(t).toBeDefined();
      expect([s.views, s.likes, s.sent, s.received]).toEqual([t?.views, t?.likes, t?.messages, t?.messages]);
    }
  });

  it('has unknown receivers and matches the reference on the last day', async () => {
    const feedRows = await warehouse.query<FeedRow>('SELECT *, toString(time) AS time FROM week.feed_actions');
    const messageRows = await warehouse.query<MessageRow>('SELECT *, toString(time) AS time FROM week.message_actions');
    const reference = referenceSlices(
      feedRows,
      messageRows,
      '2024-03-10',
      'Europe/Moscow',
      30,
      dimensionsForReference.slice(0, 3),
    );
    expect(await targetRows(settings, '2024-03-10')).toEqual(reference);
    expect(reference.some((r) => r.dimension_value === 'unknown' && r.users_received > 0)).toBe(true);
  });
});

describe('ETL refuses bad sources and dimensions before writing anything', () => {
  it('names a source table that does not exist', async () => {
    const settings = settingsFor('nowhere');
    await expect(prepareEtl({ warehouse, logger: silentLogger }, settings)).rejects.toThrow(SourceError);
    await expect(prepareEtl({ warehouse, logger: silentLogger }, settings)).rejects.toThrow(
      /sources\.feed: table nowhere\.feed_actions does not exist/,
    );
    const [exists] = await warehouse.query<{ n: number }>(
      "SELECT count() AS n FROM system.tables WHERE database = 'nowhere_out'",
    );
    expect(exists?.n).toBe(0);
  });

  it('names a missing column and suggests the other spelling of the receiver', async () => {
    await warehouse.command('CREATE DATABASE IF NOT EXISTS spelt');
    await warehouse.command(createFeedTableSql(tableName('spelt.feed_actions')));
    await warehouse.command(createMessagesTableSql(tableName('spelt.message_actions'), 'receiver_id'));
    await expect(prepareEtl({ warehouse, logger: silentLogger }, settingsFor('spelt'))).rejects.toThrow(
      'sources.messages: table spelt.message_actions lacks column reciever_id (this table ' +
        'spells it receiver_id: set sources.receiverColumn: receiver_id)',
    );
  });

  it('rejects a dimension expression ClickHouse cannot evaluate, as a config problem', async () => {
    const settings = settingsFor('hand', { dimensions: resolveDimensions({ bucket: 'age_in_years / 10' }) });
    const error = await prepareEtl({ warehouse, logger: silentLogger }, settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]?.path).toBe('etl.dimensions.bucket');
  });
});

describe('ETL over a range of days', () => {
  const settings = settingsFor('range');
  beforeAll(async () => {
    await loadSources('range', FEED, MESSAGES);
  });

  it('reports a failed day and goes on with the others', async () => {
    const failing: Warehouse = {
      ...warehouse,
      command: (sql, options) =>
        options?.params?.day === '2024-03-10' && sql.includes('slices_rows') && sql.startsWith('INSERT')
          ? Promise.reject(new Error('disk full'))
          : warehouse.command(sql, options),
    };
    const outcomes = await runEtlDays({ warehouse: failing, logger: silentLogger }, settings, [
      '2024-03-09',
      '2024-03-10',
      '2024-03-11',
    ]);
    expect(outcomes.map((o) => [o.day, o.ok])).toEqual([
      ['2024-03-09', true],
      ['2024-03-10', false],
      ['2024-03-11', true],
    ]);
    expect(await missingDays(warehouse, settings.target, '2024-03-09', '2024-03-11')).toEqual(['2024-03-10']);
  });

  it('digests each earlier day once, even a day without events', async () => {
    const first = await runEtlDays({ warehouse, logger: silentLogger }, settings, ['2024-03-12']);
    const again = await runEtlDays({ warehouse, logger: silentLogger }, settings, ['2024-03-12']);
    expect(first[0]?.ok && again[0]?.ok).toBe(true);
    expect(again[0]?.ok ? again[0].digestedDays : ['failed']).toEqual([]);
  });
});

describe('ETL digests only the attributes its dimensions use', () => {
  it('rebuilds the digests when a new dimension needs another attribute', async () => {
    await loadSources('digest', FEED, MESSAGES);
    const plain = settingsFor('digest', { dimensions: resolveDimensions({}) });
    await etl(plain, ['2024-03-09', '2024-03-10']);
    const withCity = settingsFor('digest', { dimensions: resolveDimensions({ place: "concat(country, '/', city)" }) });
    await etl(withCity, ['2024-03-10']);
    const expected = referenceSlices(FEED, MESSAGES, '2024-03-10', TZ, 30, [
      { name: 'place', value: (a) => `${a.country}/${a.city}` },
    ]);
    const place = (await targetRows(withCity, '2024-03-10')).filter((r) => r.dimension === 'place');
    expect(place).toEqual(expected);
    expect(place.map((r) => r.dimension_value)).toContain('Russia/Kazan'); // receiver 3, known only from the look-back
  });

  it('picks the latest row exactly when an attribute string is longer than its packed key holds', async () => {
    const longer = (rows: readonly (FeedRow | MessageRow)[]) =>
      rows.map((r) => (r.os === 'iOS' ? { ...r, os: 'iPadOS on a tablet' } : r));
    const feedRows = longer(FEED) as FeedRow[];
    const messageRows = longer(MESSAGES) as MessageRow[];
    await loadSources('long_os', feedRows, messageRows);
    const settings = settingsFor('long_os');
    await etl(settings, ['2024-03-09', '2024-03-10']);
    const rows = await targetRows(settings, '2024-03-10');
    expect(rows).toEqual(referenceSlices(feedRows, messageRows, '2024-03-10', TZ, 30, dimensionsForReference));
    expect(rows.map((r) => r.dimension_value)).toContain('iPadOS on a tablet');
  });
});
