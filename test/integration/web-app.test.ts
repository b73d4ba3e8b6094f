import { beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { readAlertState } from '../../src/alert/alert-inputs.js';
import { SilenceStore } from '../../src/silence/silences.js';
import { DASHBOARD_AT, dashboardApp, dashboardSettings, prepareDashboardData } from '../support/dashboard-fixture.js';
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

  it("serves a metric's day of windows, its band, last week's windows, its alerts and its incident", async () => {
    const { status, body } = await get('/api/metric/messages');
    expect(status).toBe(200);
    const points = body.points as { window: string; value: number | null; low: number | null; lastWeek: unknown }[];
    expect(points).toHaveLength(96);
    expect(points.at(-1)).toMatchObject({ window: '2024-03-06T14:00:00.000Z', value: 0 });
    // A count's band is shown from zero up, whatever the detector's lower edge.
    expect(points.every((p) => p.low === null || p.low >= 0)).toBe(true);
    expect(points.every((p) => typeof p.lastWeek === 'number')).toBe(true);
    expect(body.alerts).toEqual([
      expect.objectContaining({ window: '2024-03-06T14:00:00.000Z', kind: 'started', value: 0 }),
    ]);
    expect(body.incident).toMatchObject({ since: '2024-03-06T14:00:00.000Z', acknowledged: false, value: 0 });
    expect(body).toMatchObject({ range: '1d', pinned: false, timezone: 'Europe/Moscow', name: 'messages' });
  });

  it("serves the ranges, and centres one on an alert's window (never past the last one)", async () => {
    const sixHours = (await get('/api/metric/views?range=6h')).body.points as { window: string }[];
    expect(sixHours).toHaveLength(24);
    expect((await get('/api/metric/views?range=7d')).body.points).toHaveLength(7 * 96);
    // The simulation began on 2024-02-27: the windows before its first event are unknown, not zero.
    const month = (await get('/api/metric/views?range=28d')).body.points as { window: string; value: unknown }[];
    expect(month).toHaveLength(28 * 96);
    expect(month.filter((p) => p.value === null).map((p) => p.window)[0]).toBe('2024-02-07T14:15:00.000Z');
    expect(month.find((p) => p.value !== null)?.window).toBe('2024-02-26T21:00:00.000Z');
    const centred = await get('/api/metric/views?range=6h&at=2024-03-05T14:15:00.000Z');
    const windows = (centred.body.points as { window: string }[]).map((p) => p.window);
    expect(centred.body).toMatchObject({ window: '2024-03-05T14:00:00.000Z', pinned: true });
    // Twelve windows either side of the alert's.
    expect([windows[0], windows.at(-1)]).toEqual(['2024-03-05T11:15:00.000Z', '2024-03-05T17:00:00.000Z']);
    const late = await get('/api/metric/views?range=6h&at=2024-03-06T14:00:00.000Z');
    expect((late.body.points as { window: string }[]).at(-1)?.window).toBe('2024-03-06T14:00:00.000Z');
    // Each window carries the same window a week earlier.
    const day = (await get('/api/metric/views')).body.points as { window: string; value: number }[];
    const lastWeek = (await get('/api/metric/views?at=2024-02-28T14:15:00.000Z&range=6h')).body.points as {
      window: string;
      value: number;
    }[];
    const inBoth = (await get('/api/metric/views?range=6h&at=2024-03-06T11:15:00.000Z')).body.points as {
      window: string;
      lastWeek: number;
    }[];
    const weekEarlier = new Map(lastWeek.map((p) => [Date.parse(p.window) + 7 * 86_400_000, p.value]));
    const matched = inBoth.filter((p) => weekEarlier.has(Date.parse(p.window)));
    expect(matched.length).toBeGreaterThan(10);
    for (const p of matched) expect(p.lastWeek).toBe(weekEarlier.get(Date.parse(p.window)));
    expect(day).toHaveLength(96);
  });

  it('serves a slice of a metric', async () => {
    const { status, body } = await get('/api/metric/views?slice=os%3DiOS');
    expect(status).toBe(200);
    expect(body.slice).toBe('os=iOS');
    const points = body.points as { value: number | null }[];
    expect(points).toHaveLength(96);
    expect(points.every((p) => p.value !== null && p.value > 0)).toBe(true);
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
    expect((await get('/api/runs')).body).toEqual({ timezone: 'Europe/Moscow', runs: [] });
    const alerts = (await get('/api/alerts')).body.alerts as { metric: string; kind: string }[];
    expect(alerts.map((a) => `${a.metric}:${a.kind}`).sort()).toEqual(['messages:started', 'senders:started']);
  });

  it.each([
    ['/api/metric/clicks', 'metric: expected one of users, active_posts, views, likes, ctr, senders, messages'],
    ['/api/metric/views?slice=planet%3DMars', 'slice: expected attribute=value'],
    ['/api/metric/views?at=noon', 'at: expected an ISO time'],
    ['/api/daily?until=2024-02-30', 'until: expected a date YYYY-MM-DD'],
    ['/api/daily?days=500', 'days: expected'],
    ['/api/slices?day=2024-03-05&dimension=os%3B', "dimension: expected one of the ETL's dimensions: os, gender, age"],
    ['/api/metric/views?range=2w', 'range: expected one of 6h, 1d, 7d, 28d'],
    ['/api/metric/views?at=2024-03-07T00:00:00Z', 'at: 2024-03-07T00:00:00Z is in the future'],
    ["/api/metric/views'%20OR%201=1", 'metric: expected one of'],
    ['/api/metric/views?slice=os', 'slice: expected attribute=value'],
    ['/api/runs?job=backup', 'job: expected one of etl, report, alert'],
  ])('answers %s with 400 naming the parameter', async (path, message) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body.error).toContain(message);
  });

  it('reads a slice value as a value, never as SQL', async () => {
    for (const value of ["iOS' OR 1=1 --", 'iOS\\', "x'); DROP TABLE web_state.notifications; --"]) {
      const { status, body } = await get(`/api/metric/views?slice=${encodeURIComponent(`os=${value}`)}`);
      expect(status, value).toBe(200);
      expect(body.slice).toBe(`os=${value}`);
      // No such slice: nothing was counted, so nothing is known.
      expect((body.points as { value: unknown }[]).every((p) => p.value === null)).toBe(true);
    }
    expect((await get('/api/alerts')).status).toBe(200);
  });

  it('answers an unknown path with 404', async () => {
    const page = await app().request('/nowhere');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('There is no page /nowhere.');
    expect(await get('/api/nowhere')).toEqual({
      status: 404,
      body: { error: 'no such API: /api/nowhere; try /api/overview' },
    });
  });

  it('asks for its token on the API when one is configured; the pages (without data) ask the person', async () => {
    const secured = app('s3cret-dashboard-token');
    expect((await secured.request('/api/alerts')).status).toBe(401);
    expect((await secured.request('/api/overview?token=s3cret-dashboard-token-and-more')).status).toBe(401);
    expect((await secured.request('/api/overview?token=s3cret')).status).toBe(401);
    expect((await secured.request('/')).status).toBe(200);
    const post = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' };
    expect((await secured.request('/api/acknowledge', post)).status).toBe(401);
    expect((await secured.request('/api/alerts?token=wrong-token-123')).status).toBe(401);
    expect(
      (await secured.request('/api/alerts', { headers: { Authorization: 'Bearer s3cret-dashboard-token' } })).status,
    ).toBe(200);
    expect((await secured.request('/api/alerts?token=s3cret-dashboard-token')).status).toBe(200);
    expect((await secured.request('/healthz')).status).toBe(200);
  });

  it('serves the pages and one bundled script with Vega, under a policy that allows no other origin', async () => {
    for (const path of ['/', '/metric/views', '/daily', '/slices', '/runs']) {
      const response = await app().request(path);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html).toContain('<script type="module" src="/static/dashboard.js"></script>');
      expect(html).not.toMatch(/https?:\/\//);
      // No inline code: the policy allows scripts from vigil's own files only.
      expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toMatch(/https?:|\*|unsafe-eval/);
    }
    expect(await (await app().request('/slices')).text()).toContain('data-arg="2024-03-05"');
    const script = await app().request('/static/dashboard.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    const code = await script.text();
    expect(code.length).toBeGreaterThan(300_000);
    expect(code).toContain('vega-lite');
    expect((await app().request('/static/dashboard.css')).headers.get('content-type')).toContain('text/css');
    expect((await app().request('/static/secrets.txt')).status).toBe(404);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '..%2Fweb-app.ts']) {
      expect((await app().request(`/static/${name}`)).status, name).toBe(404);
    }
    const missing = await app().request('/metric/clicks');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('There is no metric clicks: vigil watches users, active_posts');
  });
});

describe('the overview', () => {
  it('shows every metric with its state, value and band, the open incidents, the sources and the runs', async () => {
    const { status, body } = await get('/api/overview');
    expect(status).toBe(200);
    const tiles = body.tiles as { metric: string; slice: string; state: string; value: number; up: number }[];
    expect(tiles.map((t) => `${t.metric}:${t.state}`)).toEqual([
      'users:ok',
      'active_posts:ok',
      'views:ok',
      'likes:ok',
      'ctr:ok',
      'senders:anomalous',
      'messages:anomalous',
    ]);
    const messages = tiles.find((t) => t.metric === 'messages');
    expect(messages).toMatchObject({ value: 0, window: '2024-03-06T14:00:00.000Z', since: '2024-03-06T14:00:00.000Z' });
    expect(messages?.up).toBeGreaterThan(50);
    const sparks = messages as unknown as { today: { minute: number }[]; lastWeek: { minute: number }[] };
    // Since local midnight (21:00 UTC), up to the evaluated window; last week's whole day.
    expect(sparks.today).toHaveLength(4 * 17 + 1);
    expect(sparks.lastWeek).toHaveLength(96);
    expect(sparks.today.at(-1)?.minute).toBe(17 * 60);
    expect((body.incidents as { metric: string }[]).map((i) => i.metric).sort()).toEqual(['messages', 'senders']);
    expect(body.sources).toEqual([
      { source: 'feed', table: 'web_src.feed_actions', newest: expect.stringMatching(/^2024-03-06T14:1/) as string },
      {
        source: 'messages',
        table: 'web_src.message_actions',
        newest: expect.stringMatching(/^2024-03-06T1[34]/) as string,
      },
    ]);
    expect(body.jobs).toEqual([]);
  });

  it('folds in a tile for each watched slice evaluated', async () => {
    await warehouse.insert(dashboardSettings.tables.evaluations, [
      {
        evaluated_at: '2024-03-06 14:15:00',
        window_start: '2024-03-06 14:00:00',
        metric: 'views',
        slice: 'os=iOS',
        value: 1200,
        low: 1000,
        up: 1500,
        alert: 0,
        notified: 0,
      },
    ]);
    const tiles = (await get('/api/overview')).body.tiles as { metric: string; slice: string; state: string }[];
    const sliced = tiles.filter((t) => t.slice !== '');
    expect(sliced).toEqual([expect.objectContaining({ metric: 'views', slice: 'os=iOS', state: 'ok', value: 1200 })]);
    expect((sliced[0] as unknown as { today: unknown[] }).today.length).toBe(4 * 17 + 1);
  });
});

describe("the dashboard's actions", () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app().request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Host: 'localhost:8787', ...headers },
      body: JSON.stringify(body),
    });

  it('silences a metric, which the overview shows, and removes the silence', async () => {
    const created = await post('/api/silences', { metric: 'likes', slice: '', hours: 2, comment: 'deploy', by: 'ann' });
    expect(created.status).toBe(201);
    const { silence } = (await created.json()) as { silence: { id: string; endsAt: string } };
    expect(silence.endsAt).toBe('2024-03-06T16:15:00.000Z');
    const store = new SilenceStore(warehouse, dashboardSettings.tables);
    expect((await store.current(AT.getTime())).map((s) => [s.id, s.metric, s.createdBy, s.comment])).toContainEqual([
      silence.id,
      'likes',
      'ann',
      'deploy',
    ]);
    const tiles = (await get('/api/overview')).body.tiles as { metric: string; state: string; silencedUntil: string }[];
    expect(tiles.find((t) => t.metric === 'likes')).toMatchObject({
      state: 'silenced',
      silencedUntil: '2024-03-06T16:15:00.000Z',
    });
    expect((await post(`/api/silences/${silence.id}/remove`, { by: 'ann' })).status).toBe(200);
    expect((await store.current(AT.getTime())).map((s) => s.id)).not.toContain(silence.id);
    expect((await post(`/api/silences/${silence.id}/remove`, { by: 'ann' })).status).toBe(404);
  });

  it("says on a metric's incident until when the silence in force holds it, not a silence still to come", async () => {
    const store = new SilenceStore(warehouse, dashboardSettings.tables);
    const hour = 3_600_000;
    const silence = (id: string, from: number, to: number) => ({
      id,
      metric: 'messages',
      slice: '',
      startsAt: from,
      endsAt: to,
      createdBy: 'ann',
      createdAt: AT.getTime(),
      comment: '',
    });
    await store.add(silence('s-later', AT.getTime() + hour, AT.getTime() + 3 * hour));
    const incident = async () => (await get('/api/metric/messages')).body.incident as { silencedUntil: string | null };
    expect((await incident()).silencedUntil).toBeNull();
    await store.add(silence('s-now', AT.getTime() - hour, AT.getTime() + 2 * hour));
    expect((await incident()).silencedUntil).toBe(new Date(AT.getTime() + 2 * hour).toISOString());
    for (const id of ['s-later', 's-now']) await store.remove(id, 'ann', AT.getTime());
  });

  it('acknowledges an open incident, and refuses one that is not open', async () => {
    const acked = await post('/api/acknowledge', { metric: 'senders', slice: '', by: 'bob' });
    expect(acked.status).toBe(200);
    const state = await readAlertState(warehouse, dashboardSettings.tables);
    expect(state.get('senders|')?.acknowledged).toBe(true);
    const tiles = (await get('/api/overview')).body.tiles as { metric: string; state: string }[];
    expect(tiles.find((t) => t.metric === 'senders')?.state).toBe('acknowledged');
    const refused = await post('/api/acknowledge', { metric: 'views', slice: '', by: 'bob' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('views has no open incident');
  });

  it.each([
    [{ metric: 'clicks', slice: '', hours: 1 }, 'metric: expected one of'],
    [{ metric: 'views', slice: 'os', hours: 1 }, 'slice: expected attribute=value'],
    [{ metric: 'views', slice: '', hours: -1 }, 'hours: expected'],
    [{ metric: 'views', slice: '', hours: 24 * 365 }, 'hours: expected'],
    [{ metric: 'views', slice: '', hours: 1, extra: true }, 'Unrecognized key'],
  ])('refuses a bad silence %j with 400', async (body, message) => {
    const response = await post('/api/silences', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(message);
  });

  it('refuses actions from another site', async () => {
    const body = { metric: 'views', slice: '', hours: 1 };
    const refusals = [
      await post('/api/silences', body, { Origin: 'https://evil.example' }),
      await post('/api/silences', body, { 'Sec-Fetch-Site': 'cross-site' }),
      await post('/api/silences', body, { Origin: 'null' }),
      await app().request('/api/silences', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify(body),
      }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    const store = new SilenceStore(warehouse, dashboardSettings.tables);
    expect((await store.current(AT.getTime())).filter((s) => s.metric === 'views')).toEqual([]);
    expect((await post('/api/silences', body, { Origin: 'http://localhost:8787' })).status).toBe(201);
  });
});
