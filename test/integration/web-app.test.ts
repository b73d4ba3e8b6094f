import { beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { DASHBOARD_AT, dashboardApp, prepareDashboardData } from '../support/dashboard-fixture.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

const AT = DASHBOARD_AT;
const opened = useEmbeddedWarehouse();
let warehouse: Warehouse;
const app = (token?: string) => dashboardApp(warehouse, token);
const get = async (path: string, init?: RequestInit) => {
  const response = await app().request(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  warehouse = opened();
  await prepareDashboardData(warehouse);
});

describe('web app', () => {
  it('reports health', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok', now: AT.toISOString(), jobs: {} } });
  });

  it("serves a metric's day of windows, its band, its alerts and the chart specification", async () => {
    const { status, body } = await get('/api/metric/messages');
    expect(status).toBe(200);
    const points = body.points as { window: string; value: number | null; low: number | null }[];
    expect(points).toHaveLength(4 * 24 + 4 * 17 + 1);
    expect(points.at(-1)).toMatchObject({ window: '2024-03-06T14:00:00.000Z', value: 0 });
    // A count's band is shown from zero up, whatever the detector's lower edge.
    expect(points.every((p) => p.low === null || p.low >= 0)).toBe(true);
    expect(body.alerts).toEqual([
      expect.objectContaining({ window: '2024-03-06T14:00:00.000Z', kind: 'started', value: 0 }),
    ]);
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
      ['2024-03-03', false],
      ['2024-03-04', false],
      ['2024-03-05', false],
    ]);
    const slices = await get('/api/slices?day=2024-03-05&dimension=os');
    expect((slices.body.rows as { dimension_value: string }[]).map((r) => r.dimension_value)).toEqual([
      'Android',
      'iOS',
      'unknown',
    ]);
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
    expect(
      (await secured.request('/api/alerts', { headers: { Authorization: 'Bearer s3cret-dashboard-token' } })).status,
    ).toBe(200);
    expect((await secured.request('/api/alerts?token=s3cret-dashboard-token')).status).toBe(200);
    expect((await secured.request('/healthz')).status).toBe(200);
  });

  it('serves the pages, with Vega from vigil itself', async () => {
    for (const path of ['/', '/metric/views', '/daily', '/slices', '/runs']) {
      const response = await app().request(path);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html).toContain('<script src="/static/vega-embed.min.js"></script>');
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
    expect(await (await app().request('/slices')).text()).toContain('value="2024-03-05"');
    const vega = await app().request('/static/vega.min.js');
    expect(vega.headers.get('content-type')).toContain('javascript');
    expect((await vega.text()).length).toBeGreaterThan(100_000);
    expect((await app().request('/static/secrets.txt')).status).toBe(404);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect((await app().request(`/static/${name}`)).status, name).toBe(404);
    }
    expect((await app().request('/metric/clicks')).status).toBe(400);
  });

  it('marks the alerts sent in the chart specification', async () => {
    const { body } = await get('/api/metric/messages');
    const values = (body.spec as { data: { values: { alerted: boolean }[] } }).data.values;
    expect(values.filter((v) => v.alerted)).toHaveLength(1);
  });
});
