import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ALERT_METRICS, USER_ATTRIBUTES } from '../config/schema.js';
import { JOBS, type JobName, type RunLedger, type RunRecord } from '../schedule/run-ledger.js';
import { parseIsoDate, parseIsoTime, yesterday } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { alertHistory, dailyView, metricView, slicesView, type DashboardSettings } from './dashboard-data.js';

export interface WebDeps {
  readonly warehouse: Warehouse;
  readonly settings: DashboardSettings;
  readonly ledger: RunLedger;
  readonly lastRuns: () => ReadonlyMap<JobName, RunRecord>;
  readonly now: () => Date;
  /** When set, every route but /healthz asks for it (Bearer header or ?token=). */
  readonly token: string | undefined;
}

const isoDay = z.string().refine((t) => parseIsoDate(t) !== undefined, { error: 'a date YYYY-MM-DD' });
const count = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * vigil's web app: /healthz and the dashboard's JSON API. A value, so tests call `app.request()`
 * in-process; `vigil serve` puts it on serve.host:serve.port.
 */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => {
    const jobs = Object.fromEntries(
      [...deps.lastRuns()].map(([job, run]) => [job, { logical: run.logical, status: run.status, attempt: run.attempt, finishedAt: run.finishedAt.toISOString(), ...(run.error ? { error: run.error } : {}) }]),
    );
    return c.json({ status: 'ok', now: deps.now().toISOString(), jobs });
  });

  app.use('/api/*', async (c, next) => {
    if (deps.token === undefined) return next();
    const given = c.req.header('authorization')?.replace(/^Bearer /, '') ?? c.req.query('token');
    if (given !== deps.token) return c.json({ error: 'this dashboard needs its token: Authorization: Bearer <serve.token>, or ?token=' }, 401);
    return next();
  });

  app.get('/api/metric/:metric', async (c) => {
    const parsed = parse(c, z.object({
      metric: z.enum(ALERT_METRICS),
      slice: z.string().regex(new RegExp(`^(${USER_ATTRIBUTES.join('|')})=.+$`), { error: 'attribute=value, e.g. os=iOS' }).optional(),
      at: z.string().refine((t) => parseIsoTime(t, deps.settings.timezone) !== undefined, { error: 'an ISO time' }).optional(),
    }), { metric: c.req.param('metric'), slice: c.req.query('slice'), at: c.req.query('at') });
    if ('error' in parsed) return parsed.error;
    const { metric, slice, at } = parsed.data;
    const [attribute = '', ...rest] = slice?.split('=') ?? [];
    const when = at === undefined ? deps.now() : (parseIsoTime(at, deps.settings.timezone) ?? deps.now());
    return c.json(await metricView(deps.warehouse, deps.settings, metric, slice ? { attribute: attribute as (typeof USER_ATTRIBUTES)[number], value: rest.join('=') } : undefined, when));
  });

  app.get('/api/daily', async (c) => {
    const parsed = parse(c, z.object({ until: isoDay.optional(), days: count(90, 28) }), { until: c.req.query('until'), days: c.req.query('days') });
    if ('error' in parsed) return parsed.error;
    const until = parsed.data.until ?? yesterday(deps.now(), deps.settings.timezone);
    return c.json({ until, days: await dailyView(deps.warehouse, deps.settings, until, parsed.data.days) });
  });

  app.get('/api/slices', async (c) => {
    const parsed = parse(c, z.object({ day: isoDay, dimension: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a dimension name such as os' }) }), {
      day: c.req.query('day'),
      dimension: c.req.query('dimension') ?? 'os',
    });
    if ('error' in parsed) return parsed.error;
    return c.json({ ...parsed.data, rows: await slicesView(deps.warehouse, deps.settings, parsed.data.day, parsed.data.dimension) });
  });

  app.get('/api/runs', async (c) => {
    const parsed = parse(c, z.object({ job: z.enum(JOBS).optional(), limit: count(1000, 50) }), { job: c.req.query('job'), limit: c.req.query('limit') });
    if ('error' in parsed) return parsed.error;
    const runs = await deps.ledger.recent({ limit: parsed.data.limit, ...(parsed.data.job ? { job: parsed.data.job } : {}) });
    return c.json({ runs: runs.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })) });
  });

  app.get('/api/alerts', async (c) => {
    const parsed = parse(c, z.object({ limit: count(1000, 50) }), { limit: c.req.query('limit') });
    if ('error' in parsed) return parsed.error;
    return c.json({ alerts: await alertHistory(deps.warehouse, deps.settings, parsed.data.limit) });
  });

  app.notFound((c) => c.json({ error: `no such page: ${c.req.path}; try /healthz or /api/daily` }, 404));
  app.onError((error, c) => {
    const message = error instanceof WarehouseError ? `warehouse: ${error.message}` : 'internal error';
    return c.json({ error: message }, error instanceof WarehouseError && error.retryable ? 503 : 500);
  });
  return app;
}

/** Validates request parameters; a bad one is a 400 naming it and what was expected. */
function parse<T extends z.ZodType>(c: Context, schema: T, input: unknown): { data: z.output<T> } | { error: Response } {
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data };
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: expected ${issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : issue.message}`);
  return { error: c.json({ error: problems.join('; ') }, 400) };
}
