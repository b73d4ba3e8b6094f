import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLedger } from '../../src/schedule/run-ledger.js';
import { vigilTables } from '../../src/tables/vigil-tables.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

const NOW = new Date('2024-03-06T15:02:00Z');

describe('one-off runs without Keeper', () => {
  const dir = tempDir('vigil-one-off-');
  const run = (args: string[]) => vigil(args, { cwd: dir.path, now: () => NOW });
  const withWarehouse = async (path: string, work: (warehouse: Warehouse) => Promise<void>) => {
    const warehouse = openChdbWarehouse(path);
    try {
      await work(warehouse);
    } finally {
      await warehouse.close();
    }
  };
  /** Writes to the run ledger as another process would (the CLI holds the warehouse only while it runs). */
  const withLedger = (write: (ledger: RunLedger) => Promise<void>) =>
    withWarehouse(join(dir.path, 'warehouse'), (warehouse) => write(new RunLedger(warehouse, vigilTables('vigil'))));

  beforeAll(async () => {
    writeFileSync(join(dir.path, 'vigil.yaml'), 'timezone: UTC\nwarehouse: { embedded: { path: ./warehouse } }\n');
    const simulated = await run([
      'simulate',
      '--days',
      '2',
      '--until',
      '2024-03-06T15:00:00Z',
      '--users',
      '2000',
      '--events-per-day',
      '20000',
    ]);
    expect(simulated.code, simulated.stderr).toBe(0);
  }, 120_000);
  afterAll(() => dir.remove());

  it('refuse while the ledger shows an attempt of the job under way, and run once it has finished', async () => {
    const begun = {
      job: 'alert' as const,
      logical: '2024-03-06T15:00:00.000Z',
      attempt: 1,
      startedAt: new Date(NOW.getTime() - 60_000),
    };
    await withLedger((ledger) => ledger.begin(begun));
    const refused = await run(['alert']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'an alert run (for 2024-03-06T15:00:00.000Z) began at 2024-03-06 15:01 UTC and has not finished: ' +
        'not running a second one at once',
    );
    await withLedger((ledger) => ledger.record({ ...begun, finishedAt: NOW, status: 'success', error: '', rows: 0 }));
    const ran = await run(['alert']);
    expect(ran.stderr).not.toContain('has not finished');
    expect(ran.stdout).toContain('window 2024-03-06 14:45 UTC');
    // Its own attempt is in the ledger, begun and finished (the finished row only is listed).
    const runs = await run(['runs', '--json', '--job', 'alert']);
    const rows = runs.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { logical: string; status: string });
    expect(rows.map((r) => r.status)).not.toContain('running');
    expect(rows.find((r) => r.logical === '2024-03-06T14:45:00.000Z')?.status).toMatch(/success|failure/);
  });

  it('forget an attempt begun too long ago to be running (it crashed)', async () => {
    await withLedger((ledger) =>
      ledger.begin({
        job: 'report',
        logical: '2024-03-05',
        attempt: 1,
        startedAt: new Date(NOW.getTime() - 3_600_000),
      }),
    );
    const report = await run(['report', '--date', '2024-03-05']);
    expect(report.stderr).not.toContain('has not finished');
  });

  it('gives a ledger made before the holder column the column, and leaves one that has it untouched', async () => {
    const path = join(dir.path, 'old-ledger');
    const tables = vigilTables('old');
    const modified = async (warehouse: Warehouse) =>
      (
        await warehouse.query<{ at: string }>(
          'SELECT toString(metadata_modification_time) AS at FROM system.tables ' +
            "WHERE database = 'old' AND name = 'runs'",
        )
      )[0]?.at;
    let before: string | undefined;
    await withWarehouse(path, async (warehouse) => {
      await warehouse.command('CREATE DATABASE old');
      // The run ledger as vigil made it before one-off runs said who began an attempt.
      await warehouse.command(`CREATE TABLE ${tables.runs.sql} (
  job LowCardinality(String), logical String, attempt UInt8,
  started_at DateTime64(3, 'UTC'), finished_at DateTime64(3, 'UTC'),
  status LowCardinality(String), error String, rows UInt64
) ENGINE = MergeTree ORDER BY (job, started_at)`);
      const ledger = new RunLedger(warehouse, tables);
      await ledger.begin({ job: 'etl', logical: '2024-03-05', attempt: 1, startedAt: NOW });
      expect(await ledger.inProgress('etl', NOW, 60_000)).toMatchObject({
        logical: '2024-03-05',
        holder: expect.stringMatching(/:\d+$/) as unknown,
      });
      before = await modified(warehouse);
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Another process (a new connection) ensures the tables again: the column is there, no ALTER.
    await withWarehouse(path, async (warehouse) => {
      await new RunLedger(warehouse, tables).recent({ limit: 1 });
      expect(await modified(warehouse)).toBe(before);
    });
  });
});
