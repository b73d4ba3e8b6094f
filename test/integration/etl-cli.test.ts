import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { vigil } from '../support/vigil.js';
import { tempDir } from '../support/temp-dir.js';

let dir: { path: string; remove: () => void };
beforeAll(async () => {
  dir = tempDir();
  const simulated = await vigil(
    ['simulate', '--days', '4', '--until', '2024-03-08T00:00:00Z', '--users', '500', '--events-per-day', '5000'],
    { cwd: dir.path },
  );
  expect(simulated.code).toBe(0);
});
afterAll(() => dir.remove());

describe('vigil etl', () => {
  it('backfills a range with a line per day and a summary', async () => {
    const result = await vigil(['etl', '--from', '2024-03-05', '--to', '2024-03-06'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}2024-03-05 +\d+ rows +[\d.]+ s/m);
    expect(result.stdout).toMatch(/^ {2}2024-03-06 +\d+ rows/m);
    expect(result.stdout).toContain('etl: 2 of 2 day(s) written to vigil.daily_slices');
  });

  it('fills only the missing days, bounded by the days that have events', async () => {
    const result = await vigil(['etl', '--missing'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ {2}2024-03-0\d/gm)).toEqual(['  2024-03-04', '  2024-03-07']);
    const again = await vigil(['etl', '--missing'], { cwd: dir.path });
    expect(again.stdout).toContain('nothing to do');
  });

  it.each([
    [['--from', '2024-03-06', '--to', '2024-03-05'], '--from 2024-03-06 is after --to 2024-03-05'],
    [['--date', '2024-02-30'], '--date must be a date YYYY-MM-DD (got "2024-02-30")'],
    [['--date', '2999-01-01'], '--date 2999-01-01 has not ended yet in UTC'],
    [['--date', '2024-03-05', '--from', '2024-03-01'], '--date computes one day'],
  ])('rejects %j as a usage error', async (args, message) => {
    const result = await vigil(['etl', ...args], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('fails with exit 1 and a clear message when a source table does not exist', async () => {
    writeFileSync(
      join(dir.path, 'missing.yaml'),
      'sources:\n  feed: nowhere.feed_actions\netl:\n  target: untouched.slices\n',
    );
    const result = await vigil(['etl', '--date', '2024-03-05', '-c', 'missing.yaml'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sources.feed: table nowhere.feed_actions does not exist');
    const status = await vigil(['status', '-c', 'missing.yaml'], { cwd: dir.path });
    expect(status.stdout).toMatch(/untouched\.slices\s+missing/);
  });

  it('exits 2 when an extra dimension cannot be evaluated', async () => {
    writeFileSync(join(dir.path, 'dims.yaml'), 'etl:\n  dimensions:\n    bucket: "agee > 30"\n');
    const result = await vigil(['etl', '--date', '2024-03-05', '-c', 'dims.yaml'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('etl.dimensions.bucket: ClickHouse cannot evaluate "agee > 30"');
  });

  it('writes an extra dimension from config next to the built-in ones', async () => {
    writeFileSync(
      join(dir.path, 'bucket.yaml'),
      "etl:\n  dimensions:\n    age_bucket: \"multiIf(age < 25, 'under 25', '25+')\"\n",
    );
    const result = await vigil(['etl', '--date', '2024-03-05', '-c', 'bucket.yaml'], { cwd: dir.path });
    expect(result.code).toBe(0);
    // The CLI has exited and released the embedded warehouse: read what it wrote.
    const warehouse = openChdbWarehouse(join(dir.path, '.vigil/warehouse'));
    const sums = await warehouse.query<{ dimension: string; values: string[]; views: number }>(
      `SELECT dimension, arraySort(groupArray(dimension_value)) AS values, sum(views) AS views
       FROM vigil.daily_slices WHERE event_date = '2024-03-05' GROUP BY dimension ORDER BY dimension`,
    );
    await warehouse.close();
    expect(sums.map((s) => s.dimension)).toEqual(['age', 'age_bucket', 'gender', 'os']);
    expect(sums.find((s) => s.dimension === 'age_bucket')?.values).toEqual(['25+', 'under 25', 'unknown']);
    expect(new Set(sums.map((s) => s.views)).size).toBe(1);
  });
});

describe('a fresh simulation and the ETL look-back', () => {
  it('discards the digests of the replaced events, so the next ETL rebuilds them', async () => {
    const fresh = tempDir();
    const simulate = (seed: string) =>
      vigil(
        [
          'simulate',
          '--days',
          '3',
          '--until',
          '2024-03-08T00:00:00Z',
          '--users',
          '300',
          '--events-per-day',
          '3000',
          '--seed',
          seed,
        ],
        { cwd: fresh.path },
      );
    expect((await simulate('1')).code).toBe(0);
    const first = await vigil(['etl', '--date', '2024-03-07'], { cwd: fresh.path });
    expect(first.stdout).toContain('(+2 earlier day(s) digested for the look-back)');
    expect((await simulate('2')).code).toBe(0);
    const second = await vigil(['etl', '--date', '2024-03-07'], { cwd: fresh.path });
    expect(second.stdout).toContain('(+2 earlier day(s) digested for the look-back)');
    fresh.remove();
  });
});
