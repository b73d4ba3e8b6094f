import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUpEtl, serviceJobs } from '../../src/app/service-jobs.js';
import { settingsFrom } from '../../src/app/settings.js';
import { loadConfig } from '../../src/config/load-config.js';
import { missingDays } from '../../src/etl/etl-job.js';
import { runEtlDays } from '../../src/etl/etl-range.js';
import { silentLogger } from '../../src/log/logger.js';
import { RunLedger } from '../../src/schedule/run-ledger.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { countingWarehouse } from '../support/counting-warehouse.js';
import { testDelivery } from '../support/delivery.js';
import { tempDir } from '../support/temp-dir.js';
import { TSX_IMPORT } from '../support/tsx-loader.js';
import { vigil } from '../support/vigil.js';

let dir: { path: string; remove: () => void };
beforeAll(async () => {
  dir = tempDir();
  writeFileSync(
    join(dir.path, 'vigil.yaml'),
    'timezone: Europe/Moscow\nserve:\n  port: 0\nschedule:\n  catchupDays: 4\n',
  );
  const simulated = await vigil(
    ['simulate', '--days', '6', '--until', '2024-03-10T21:00:00Z', '--users', '400', '--events-per-day', '4000'],
    { cwd: dir.path },
  );
  expect(simulated.code, simulated.stderr).toBe(0);
});
afterAll(() => dir.remove());

describe('catch-up on start', () => {
  it('fills exactly the missing days among the last catchupDays, and records them', async () => {
    const { config } = loadConfig({ env: {}, cwd: dir.path });
    const settings = settingsFrom(config);
    const warehouse = openChdbWarehouse(config.warehouse.embedded?.path ?? '');
    try {
      const deps = {
        warehouse,
        delivery: testDelivery([{ name: 'none', send: () => Promise.resolve() }]),
        logger: silentLogger,
      };
      await runEtlDays(deps, settings.etl, ['2024-03-06', '2024-03-09']);
      const ledger = new RunLedger(warehouse, settings.tables);
      // Now is 2024-03-11 10:00 Moscow: yesterday is the 10th; the last 4 days are the 7th to the 10th.
      const filled = await catchUpEtl(settings, deps, ledger, new Date('2024-03-11T07:00:00Z'), (t) => t);
      expect(filled).toEqual(['2024-03-07', '2024-03-08', '2024-03-10']);
      expect(await missingDays(warehouse, settings.etl.target, '2024-03-06', '2024-03-10')).toEqual([]);
      const recorded = await ledger.recent({ job: 'etl', limit: 10 });
      expect(recorded.map((r) => [r.logical, r.status]).sort()).toEqual([
        ['2024-03-07', 'success'],
        ['2024-03-08', 'success'],
        ['2024-03-10', 'success'],
      ]);
      expect(await catchUpEtl(settings, deps, ledger, new Date('2024-03-11T07:00:00Z'), (t) => t)).toEqual([]);

      // A failed attempt keeps its (redacted) error in the ledger.
      const at = new Date('2024-03-11T08:00:00Z');
      const failed = {
        job: 'report' as const,
        logical: '2024-03-10',
        attempt: 3,
        startedAt: at,
        finishedAt: new Date(at.getTime() + 1500),
        status: 'failure' as const,
        error: 'Telegram refused sendPhoto (400 chat not found): ***',
        rows: 0,
      };
      await ledger.record(failed);
      expect((await ledger.recent({ job: 'report', limit: 1 }))[0]).toEqual(failed);
    } finally {
      await warehouse.close();
    }
  });
});

describe('the scheduled alert job', () => {
  it('keeps the windows it counted from run to run, so a warm run reads no cache', async () => {
    const { config } = loadConfig({ env: {}, cwd: dir.path });
    const settings = settingsFrom(config);
    const warehouse = openChdbWarehouse(config.warehouse.embedded?.path ?? '');
    try {
      const counted = countingWarehouse(warehouse);
      const deps = {
        warehouse: counted.warehouse,
        delivery: testDelivery([{ name: 'none', send: () => Promise.resolve() }]),
        logger: silentLogger,
      };
      const alert = serviceJobs(settings, deps).find((job) => job.name === 'alert');
      const readsCache = () => counted.queries().some((sql) => sql.includes('alert_windows'));
      for (let quarter = 0; quarter < 3; quarter++) {
        counted.reset();
        await alert?.run(new Date(Date.parse('2024-03-10T15:00:00Z') + quarter * 15 * 60_000));
        expect(readsCache(), `run ${quarter}`).toBe(quarter === 0);
      }
      // A job list made afresh (a restarted service) starts without memory.
      counted.reset();
      await serviceJobs(settings, deps)
        .find((job) => job.name === 'alert')
        ?.run(new Date('2024-03-10T15:45:00Z'));
      expect(readsCache()).toBe(true);
    } finally {
      await warehouse.close();
    }
  });
});

describe('vigil serve', () => {
  it('answers /healthz, exits 0 on SIGTERM, and its runs show in vigil runs', async () => {
    const child = spawn(
      process.execPath,
      ['--import', TSX_IMPORT, new URL('../support/cli-entry.ts', import.meta.url).pathname, 'serve'],
      {
        cwd: dir.path,
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines = createInterface({ input: child.stderr });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve did not start')), 30_000);
      lines.on('line', (line) => {
        const found = /(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(line);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as {
      status: string;
      jobs: Record<string, { status: string }>;
    };
    expect(health.status).toBe('ok');
    expect(health.jobs.etl?.status).toBe('success');
    expect((await fetch(`${url}/nope`)).status).toBe(404);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const runs = await vigil(['runs', '--json', '--job', 'etl'], { cwd: dir.path });
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(runs.stdout.split('\n')[0] ?? '{}')).toMatchObject({ job: 'etl', status: 'success', attempt: 1 });
    const table = await vigil(['runs'], { cwd: dir.path });
    expect(table.stdout).toMatch(/^job\s+for\s+try\s+started/);
    expect((await vigil(['runs', '--job', 'backup'], { cwd: dir.path })).code).toBe(2);
  });
});
