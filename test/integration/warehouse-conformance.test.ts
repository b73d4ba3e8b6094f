import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import { openServerWarehouse } from '../../src/warehouse/server-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { WarehouseError } from '../../src/warehouse/warehouse-error.js';
import { startClickHouseFront, type ClickHouseFront } from '../support/clickhouse-front-process.js';
import { tempDir } from '../support/temp-dir.js';

/** The same contract, checked against every adapter (and a real server when CLICKHOUSE_URL is set). */
interface Target {
  readonly name: string;
  open(): Promise<{ warehouse: Warehouse; done: () => Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'embedded chDB',
    open() {
      const dir = tempDir();
      const warehouse = openChdbWarehouse(dir.path);
      return Promise.resolve({
        warehouse,
        done: async () => {
          await warehouse.close();
          dir.remove();
        },
      });
    },
  },
  {
    name: 'server over HTTP (chDB front)',
    async open() {
      const front = await startClickHouseFront('vigil', 'front-password');
      const warehouse = openServerWarehouse(serverConfig(front.url, 'vigil', 'front-password'), { baseDelayMs: 5 });
      return {
        warehouse,
        done: async () => {
          await warehouse.close();
          await front.stop();
        },
      };
    },
  },
];
const realUrl = process.env.CLICKHOUSE_URL;
if (realUrl !== undefined && realUrl !== '') {
  targets.push({
    name: `real server ${new URL(realUrl).host}`,
    open() {
      const warehouse = openServerWarehouse(
        serverConfig(realUrl, process.env.CLICKHOUSE_USER ?? 'default', process.env.CLICKHOUSE_PASSWORD ?? ''),
      );
      return Promise.resolve({ warehouse, done: () => warehouse.close() });
    },
  });
}

function serverConfig(url: string, username: string, password: string) {
  return { url, username, password, database: 'default', requestTimeout: 10_000, retries: 3 };
}

async function failure(promise: Promise<unknown>): Promise<WarehouseError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WarehouseError);
  return error as WarehouseError;
}

describe.each(targets)('Warehouse conformance: $name', (target) => {
  let warehouse: Warehouse;
  let done: () => Promise<void>;
  const db = `conformance_${process.pid}`;
  const events = tableName(`${db}.events`);

  beforeAll(async () => {
    ({ warehouse, done } = await target.open());
    await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${db}`, { idempotent: true });
    await warehouse.command(
      `CREATE TABLE ${events.sql} (id UInt32, name String, day Date, at DateTime('UTC'), tags Array(String), big UInt64)
       ENGINE = MergeTree ORDER BY id`,
    );
  });
  afterAll(async () => {
    await warehouse.command(`DROP DATABASE IF EXISTS ${db}`, { idempotent: true });
    await done();
  });

  it('answers a ping', async () => {
    await expect(warehouse.ping()).resolves.toBeUndefined();
  });

  it('inserts rows and reads them back with their types', async () => {
    const written = [
      {
        id: 1,
        name: "O'Brien\ttab",
        day: '2024-03-04',
        at: '2024-03-04 23:59:59',
        tags: ['a', 'b'],
        big: 5_000_000_000,
      },
      { id: 2, name: 'Пётр', day: '2024-03-05', at: '2024-03-05 00:00:00', tags: [], big: 0 },
    ];
    await warehouse.insert(events, written);
    const rows = await warehouse.query(`SELECT id, name, day, at, tags, big FROM ${events.sql} ORDER BY id`);
    expect(rows).toEqual(written);
  });

  it('binds parameters of every type vigil uses, never pasting them into SQL', async () => {
    const rows = await warehouse.query<{ n: number }>(
      `SELECT count() AS n FROM ${events.sql}
       WHERE day = {day:Date} AND at < {before:DateTime('UTC')} AND name IN ({name:String}, {other:String})
         AND id >= {min:UInt32}`,
      {
        params: {
          day: '2024-03-04',
          before: '2024-03-05 00:00:00',
          name: "O'Brien\ttab",
          other: "x' OR 1=1 --",
          min: 1,
        },
      },
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('runs INSERT … SELECT as a command with parameters', async () => {
    await warehouse.command(
      `INSERT INTO ${events.sql} SELECT 100 + number, 'gen', {day:Date}, {day:Date}, [], number ` +
        `FROM numbers({count:UInt32})`,
      { params: { day: '2024-03-06', count: 5 } },
    );
    const rows = await warehouse.query<{ n: number; s: number }>(
      `SELECT count() AS n, sum(big) AS s FROM ${events.sql} WHERE name = 'gen'`,
    );
    expect(rows).toEqual([{ n: 5, s: 10 }]);
  });

  it('applies per-statement settings', async () => {
    const rows = await warehouse.query<{ t: string }>(`SELECT getSetting('max_threads') AS t`, {
      settings: { max_threads: 1 },
    });
    expect(Number(rows[0]?.t)).toBe(1);
  });

  it('reports an unknown table by ClickHouse type and code, as permanent', async () => {
    const error = await failure(warehouse.query(`SELECT * FROM ${db}.missing`));
    expect(error.type).toBe('UNKNOWN_TABLE');
    expect(error.code).toBe(60);
    expect(error.retryable).toBe(false);
  });

  it('reports a syntax error by type', async () => {
    const error = await failure(warehouse.query('SELEC 1'));
    expect(error.type).toBe('SYNTAX_ERROR');
    expect(error.retryable).toBe(false);
  });

  it('reports a parameter without a value', async () => {
    const error = await failure(warehouse.query('SELECT {missing:UInt32} AS x'));
    expect(error.type).toBe('UNKNOWN_QUERY_PARAMETER');
  });

  it('reports a bad parameter value', async () => {
    const error = await failure(warehouse.query('SELECT {n:UInt32} AS x', { params: { n: 'twelve' } }));
    expect(error.type).toBe('BAD_QUERY_PARAMETER');
  });
});

describe('server adapter over real HTTP: retries and credentials', () => {
  let front: ClickHouseFront;
  const password = 'pw-Very-Secret-4711';

  beforeAll(async () => {
    front = await startClickHouseFront('vigil', password);
  });
  afterAll(async () => {
    await front.stop();
  });

  it('retries a read through transient 503s and succeeds', async () => {
    const warehouse = openServerWarehouse(serverConfig(front.url, 'vigil', password), { baseDelayMs: 5 });
    const before = await front.requestCount();
    await front.injectFaults({ status: 503, count: 2 });
    await expect(warehouse.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    expect((await front.requestCount()) - before).toBe(3);
    await warehouse.close();
  });

  it('gives up after the configured retries with the last error', async () => {
    const warehouse = openServerWarehouse(
      { ...serverConfig(front.url, 'vigil', password), retries: 2 },
      { baseDelayMs: 5 },
    );
    const before = await front.requestCount();
    await front.injectFaults({ status: 502, count: 10 });
    const error = await failure(warehouse.query('SELECT 1'));
    await front.injectFaults({ count: 0 });
    expect(error.type).toBe('BAD_RESPONSE');
    // Three attempts, and one /ping that told a failing proxy from no ClickHouse at all.
    expect((await front.requestCount()) - before).toBe(4);
    await warehouse.close();
  });

  it('does not retry a permanent error', async () => {
    const warehouse = openServerWarehouse(serverConfig(front.url, 'vigil', password), { baseDelayMs: 5 });
    const before = await front.requestCount();
    const error = await failure(warehouse.query('SELECT * FROM nowhere.nothing'));
    expect(error.type).toBe('UNKNOWN_DATABASE');
    expect((await front.requestCount()) - before).toBe(1);
    await warehouse.close();
  });

  it('does not repeat an insert whose connection broke after it was sent', async () => {
    const warehouse = openServerWarehouse(serverConfig(front.url, 'vigil', password), { baseDelayMs: 5 });
    await warehouse.command('CREATE TABLE IF NOT EXISTS default.once (x UInt8) ENGINE = MergeTree ORDER BY x', {
      idempotent: true,
    });
    const before = await front.requestCount();
    await front.injectFaults({ reset: true, count: 1 });
    const error = await failure(warehouse.insert(tableName('default.once'), [{ x: 1 }]));
    expect(error.type).toBe('NETWORK');
    expect((await front.requestCount()) - before).toBe(1);
    await warehouse.close();
  });

  it('retries when the server cannot be reached at all, then says what to check', async () => {
    const retries: number[] = [];
    const warehouse = openServerWarehouse(
      { ...serverConfig('http://127.0.0.1:9', 'vigil', password), retries: 2 },
      { baseDelayMs: 5, onRetry: (_e, attempt) => retries.push(attempt) },
    );
    const error = await failure(warehouse.command('CREATE TABLE t (x UInt8) ENGINE = Memory'));
    expect(error.type).toBe('NETWORK');
    expect(error.message).toContain('warehouse.server.url');
    expect(retries).toEqual([1, 2]);
    await warehouse.close();
  });

  it('fails authentication once, without retrying and without printing the password', async () => {
    const wrong = 'pw-Wrong-But-Secret-0815';
    const warehouse = openServerWarehouse(serverConfig(front.url, 'vigil', wrong), { baseDelayMs: 5 });
    const before = await front.requestCount();
    const error = await failure(warehouse.query('SELECT 1'));
    expect(error.type).toBe('AUTHENTICATION_FAILED');
    expect((await front.requestCount()) - before).toBe(1);
    const everything = `${error.message}\n${error.stack ?? ''}\n${warehouse.location}\n${JSON.stringify(error)}`;
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(password);
    await warehouse.close();
  });
});
