import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlert } from '../../src/alert/alert-job.js';
import { missingDays } from '../../src/etl/etl-job.js';
import { runEtlDays } from '../../src/etl/etl-range.js';
import { silentLogger } from '../../src/log/logger.js';
import { runReport } from '../../src/report/report-job.js';
import { simulateAppend, simulateFresh } from '../../src/simulate/simulate.js';
import { openServerWarehouse } from '../../src/warehouse/server-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { startClickHouseFront, type ClickHouseFront } from '../support/clickhouse-front-process.js';
import { outboxDelivery } from '../support/delivery.js';
import { worldSettings } from '../support/settings.js';
import { tempDir } from '../support/temp-dir.js';

/** SPEC §6: the same SQL runs on both warehouses. Every job, through the official client over HTTP. */
let front: ClickHouseFront;
let warehouse: Warehouse;
const outboxes = tempDir('vigil-http-');
const TZ = 'Europe/Moscow';
const world = worldSettings('http_src', 'http_state', {
  timezone: TZ,
  etl: { target: 'http_out.slices' },
  report: { locale: 'ru' },
  alerts: { slices: ['os'] },
  serve: { port: 0 },
});
const { sources } = world;

beforeAll(async () => {
  front = await startClickHouseFront('vigil', 'http-jobs-pw');
  warehouse = openServerWarehouse(
    {
      url: front.url,
      username: 'vigil',
      password: 'http-jobs-pw',
      database: 'default',
      requestTimeout: 60_000,
      retries: 1,
    },
    { baseDelayMs: 5 },
  );
  await simulateFresh(warehouse, sources, {
    population: { seed: 11, users: 20_000, eventsPerDay: 300_000 },
    from: new Date('2024-03-01T21:00:00Z'),
    until: new Date('2024-03-06T14:15:00Z'),
    anomalies: [
      { metric: 'messages', factor: 0, from: new Date('2024-03-06T14:00:00Z'), to: new Date('2024-03-06T14:15:00Z') },
    ],
    timezone: TZ,
  });
});
afterAll(async () => {
  await warehouse.close();
  await front.stop();
  outboxes.remove();
});

describe('every job against a ClickHouse server over HTTP', () => {
  it('simulates and appends', async () => {
    const appended = await simulateAppend(warehouse, sources, {
      until: new Date('2024-03-06T14:30:00Z'),
      anomalies: [],
    });
    expect(appended?.feedRows).toBeGreaterThan(0);
  });

  it('computes the ETL days, atomically published', async () => {
    const settings = world.etl;
    const outcomes = await runEtlDays({ warehouse, logger: silentLogger }, settings, [
      '2024-03-03',
      '2024-03-04',
      '2024-03-05',
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(await missingDays(warehouse, settings.target, '2024-03-03', '2024-03-05')).toEqual([]);
    const [sums] = await warehouse.query<{ dims: number; views: number }>(
      "SELECT uniqExact(dimension) AS dims, sumIf(views, dimension = 'os') AS views FROM " +
        "http_out.slices WHERE event_date = '2024-03-05'",
    );
    expect(sums?.dims).toBe(3);
    expect(sums?.views).toBeGreaterThan(0);
  });

  it('writes the report', async () => {
    const delivery = outboxDelivery(join(outboxes.path, 'report'));
    const result = await runReport({ warehouse, delivery, logger: silentLogger }, world.report, { day: '2024-03-05' });
    expect(result.deliveries.map((d) => [d.id, d.sent])).toEqual([['report-2024-03-05', true]]);
    expect(result.report.days.at(-1)?.metrics?.views).toBeGreaterThan(0);
    expect(result.notification.image?.png.length).toBeGreaterThan(10_000);
  });

  it('fires on the messenger outage, with state and the window cache in the server', async () => {
    const settings = world.alert;
    const deps = { warehouse, delivery: outboxDelivery(join(outboxes.path, 'alerts')), logger: silentLogger };
    const result = await runAlert(deps, settings, { at: new Date('2024-03-06T14:15:00Z') });
    expect(result.outcomes.find((o) => o.slice === '' && o.metric === 'messages')?.notification).toBe('started');
    const again = await runAlert(deps, settings, { at: new Date('2024-03-06T14:15:00Z') });
    expect(again.outcomes.filter((o) => o.notification !== undefined)).toEqual([]);
  });
});
