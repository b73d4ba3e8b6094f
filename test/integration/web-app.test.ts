import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertMetricsFrom, alertTables, runAlert } from '../../src/alert/alert-job.js';
import { resolveDimensions } from '../../src/etl/dimensions.js';
import { runEtlDays } from '../../src/etl/etl-range.js';
import { silentLogger } from '../../src/log/logger.js';
import { OutboxNotifier } from '../../src/notify/outbox-notifier.js';
import { RunLedger } from '../../src/schedule/run-ledger.js';
import { simulateFresh } from '../../src/simulate/simulate.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { createWebApp } from '../../src/web/web-app.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

const TZ = 'Europe/Moscow';
const AT = new Date('2024-03-06T14:15:00Z');
const sources = { feed: tableName('web_src.feed_actions'), messages: tableName('web_src.message_actions'), receiverColumn: 'reciever_id' };
const target = tableName('web_out.slices');
const opened = useEmbeddedWarehouse();
let warehouse: Warehouse;

const settings = {
  sources, target, timezone: TZ, locale: 'en' as const, lagMs: 0,
  metricOptions: () => ({ a: 4, n: 5 }), notifications: alertTables('web_state').notifications,
};
const app = (token?: string) =>
  createWebApp({ warehouse, settings, ledger: new RunLedger(warehouse, 'web_state'), lastRuns: () => new Map(), now: () => AT, token });
const get = async (path: string, init?: RequestInit) => {
  const response = await app().request(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  warehouse = opened();
  await simulateFresh(warehouse, sources, {
    population: { seed: 11, users: 20_000, eventsPerDay: 300_000 }, from: new Date('2024-03-02T21:00:00Z'), until: AT,
    anomalies: [{ metric: 'messages', factor: 0, from: new Date('2024-03-06T14:00:00Z'), to: AT }], timezone: TZ,
  });
  await runEtlDays({ warehouse, logger: silentLogger }, { sources, target, lookback: 30, dimensions: resolveDimensions({}), timezone: TZ }, ['2024-03-04', '2024-03-05']);
  await runAlert(
    { warehouse, delivery: { notifier: new OutboxNotifier(mkdtempSync(join(tmpdir(), 'vigil-web-'))), logger: silentLogger }, logger: silentLogger },
    { sources, timezone: TZ, locale: 'en', database: 'web_state', lagMs: 0, repeatMs: 3_600_000, dashboardUrl: undefined, metrics: alertMetricsFrom({}), slices: [] },
    AT,
  );
});

describe('web app', () => {
  it('reports health', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok', now: AT.toISOString(), jobs: {} } });
  });

  it("serves a metric's day of windows, its band, its alerts and the chart specification", async () => {
    const { status, body } = await get('/api/metric/messages');
    expect(status).toBe(200);
    const points = body.points as { window: string; value: number | null }[];
    expect(points).toHaveLength(4 * 24 + 4 * 17 + 1);
    expect(points.at(-1)).toMatchObject({ window: '2024-03-06T14:00:00.000Z', value: 0 });
    expect(body.alerts).toEqual([expect.objectContaining({ window: '2024-03-06T14:00:00.000Z', kind: 'started', value: 0 })]);
    expect((body.spec as { $schema: string }).$schema).toContain('vega-lite');
  });

  it('serves a slice of a metric', async () => {
    const { status, body } = await get('/api/metric/views?slice=os%3DiOS');
    expect(status).toBe(200);
    expect(body.slice).toBe('os=iOS');
    expect((body.points as unknown[]).length).toBeGreaterThan(100);
  });

  it('serves the daily metrics and the slice table of a day', async () => {
    const daily = await get('/api/daily?until=2024-03-05&days=3');
    expect(daily.status).toBe(200);
    expect((daily.body.days as { day: string; metrics: unknown }[]).map((d) => [d.day, d.metrics === null])).toEqual([
      ['2024-03-03', false], ['2024-03-04', false], ['2024-03-05', false],
    ]);
    const slices = await get('/api/slices?day=2024-03-05&dimension=os');
    expect((slices.body.rows as { dimension_value: string }[]).map((r) => r.dimension_value)).toEqual(['Android', 'iOS', 'unknown']);
  });

  it('serves the run ledger and the alert history', async () => {
    expect((await get('/api/runs')).body).toEqual({ runs: [] });
    const alerts = (await get('/api/alerts')).body.alerts as { metric: string; kind: string }[];
    expect(alerts.map((a) => `${a.metric}:${a.kind}`).sort()).toEqual(['messages:started', 'senders:started']);
  });

  it.each([
    ['/api/metric/clicks', 'metric: expected one of users, active_posts, views, likes, ctr, senders, messages'],
    ['/api/metric/views?slice=planet%3DMars', 'slice: expected attribute=value'],
    ['/api/metric/views?at=noon', 'at: expected an ISO time'],
    ['/api/daily?until=2024-02-30', 'until: expected a date YYYY-MM-DD'],
    ['/api/daily?days=500', 'days: expected'],
    ['/api/slices?day=2024-03-05&dimension=os%3B', 'dimension: expected a dimension name'],
    ['/api/runs?job=backup', 'job: expected one of etl, report, alert'],
  ])('answers %s with 400 naming the parameter', async (path, message) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body.error).toContain(message);
  });

  it('answers an unknown path with 404', async () => {
    expect((await get('/nowhere')).status).toBe(404);
  });

  it('asks for its token when one is configured, except on /healthz', async () => {
    const secured = app('s3cret-dashboard-token');
    expect((await secured.request('/api/alerts')).status).toBe(401);
    expect((await secured.request('/api/alerts?token=wrong-token-123')).status).toBe(401);
    expect((await secured.request('/api/alerts', { headers: { Authorization: 'Bearer s3cret-dashboard-token' } })).status).toBe(200);
    expect((await secured.request('/api/alerts?token=s3cret-dashboard-token')).status).toBe(200);
    expect((await secured.request('/healthz')).status).toBe(200);
  });
});
