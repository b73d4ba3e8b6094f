import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLedger } from '../../src/schedule/run-ledger.js';
import { vigilTables } from '../../src/tables/vigil-tables.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

const NOW = new Date('2024-03-06T15:02:00Z');

describe('one-off runs without Keeper', () => {
  const dir = tempDir('vigil-one-off-');
  const run = (args: string[]) => vigil(args, { cwd: dir.path, now: () => NOW });
  /** Writes to the run ledger as another process would (the CLI holds the warehouse only while it runs). */
  const withLedger = async (write: (ledger: RunLedger) => Promise<void>) => {
    const warehouse = openChdbWarehouse(join(dir.path, 'warehouse'));
    try {
      await write(new RunLedger(warehouse, vigilTables('vigil')));
    } finally {
      await warehouse.close();
    }
  };

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
});
