import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { tempDir } from '../support/temp-dir.js';
import { TSX_IMPORT } from '../support/tsx-loader.js';
import { vigil } from '../support/vigil.js';

/*
 * Issue 15: whatever moment a `vigil etl` backfill is killed (SIGKILL, no cleanup), every reader
 * of the target sees each day old or new: never twice, never half. Kills spread over a whole
 * run, each checked on the reopened warehouse.
 */

const KILLS = 16;
const DAYS = ['2024-03-05', '2024-03-06', '2024-03-07'];
let dir: { path: string; remove: () => void };
let runMs = 0;

/** Runs `vigil etl` over the days in a process of its own; kills it after `killAfterMs` if given. */
function etlProcess(killAfterMs?: number): Promise<{ code: number | null; ms: number }> {
  const entry = new URL('../support/cli-entry.ts', import.meta.url).pathname;
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', TSX_IMPORT, entry, 'etl', '--from', DAYS[0] ?? '', '--to', DAYS.at(-1) ?? ''],
    {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '' },
      stdio: 'ignore',
    },
  );
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - started });
    }),
  );
}

/** What readers see of each day: rows per key (more than one is a doubled day) and each dimension's sums. */
async function readTarget() {
  const warehouse = openChdbWarehouse(join(dir.path, '.vigil/warehouse'));
  try {
    const doubled = await warehouse.query<{ day: string }>(
      `SELECT DISTINCT toString(event_date) AS day FROM (
         SELECT event_date, dimension, dimension_value, count() AS n FROM vigil.daily_slices
         GROUP BY event_date, dimension, dimension_value HAVING n > 1)`,
    );
    const sums = await warehouse.query<{ day: string; dimension: string; events: number }>(
      `SELECT toString(event_date) AS day, dimension, sum(views + likes + messages_sent) AS events
       FROM vigil.daily_slices GROUP BY event_date, dimension ORDER BY day, dimension`,
    );
    return { doubled: doubled.map((d) => d.day), sums };
  } finally {
    await warehouse.close();
  }
}

beforeAll(async () => {
  dir = tempDir();
  const simulate = [
    'simulate',
    '--days',
    '4',
    '--until',
    '2024-03-08T00:00:00Z',
    '--events-per-day',
    '1000000',
    '--users',
    '60000',
  ];
  expect((await vigil(simulate, { cwd: dir.path })).code).toBe(0);
  // The days as a complete run publishes them, and how long a run takes in its own process.
  const complete = await etlProcess();
  expect(complete.code).toBe(0);
  runMs = complete.ms;
}, 180_000);
afterAll(() => dir.remove());

describe('a killed ETL', () => {
  it(
    `never leaves a day doubled or half written (${KILLS} kills spread over a run)`,
    { timeout: 600_000 },
    async () => {
      const expected = (await readTarget()).sums;
      expect(expected).toHaveLength(DAYS.length * 3);
      const doubledDays: string[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        // From early in the process's start to the end of its last day.
        const after = Math.round(runMs * (0.25 + (0.8 * kill) / KILLS));
        await etlProcess(after);
        const seen = await readTarget();
        doubledDays.push(...seen.doubled);
        // Each day old or new: the data did not change, so either way its sums are the complete ones.
        expect(seen.sums, `killed after ${after} ms`).toEqual(expected);
      }
      expect(doubledDays).toEqual([]);
    },
  );
});
