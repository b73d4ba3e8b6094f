import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ALERT_METRICS } from '../metrics/metrics.js';
import { USER_ATTRIBUTES } from '../sources/sources.js';
import { JOBS, type JobName } from '../schedule/jobs.js';
import type { RunLedger, RunRecord } from '../schedule/run-ledger.js';
import { parseIsoDate, parseIsoTime, yesterday } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { alertHistory, dailyView, metricView, slicesView, type DashboardSettings } from './dashboard-data.js';
import { dailyPage, indexPage, metricPage, runsPage, slicesPage } from './pages.js';

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
 * vigil's web app: /healthz, the dashboard's pages and their JSON API. A value, so tests call `app.request()`
 * in-process; `vigil serve` puts it on serve.host:serve.port.
 */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => {
    const jobs = Object.fromEntries(
      [...deps.lastRuns()].map(([job, run]) => [
        job,
        {
          logical: run.logical,
          status: run.status,
          attempt: run.attempt,
          finishedAt: run.finishedAt.toISOString(),
          ...(run.error ? { error: run.error } : {}),
        },
      ]),
    );
    return c.json({ status: 'ok', now: deps.now().toISOString(), jobs });
  });

  app.get('/static/:file', async (c) => {
    const script = await staticScript(c.req.param('file'));
    if (script === undefined) return c.json({ error: 'no such file' }, 404);
    return c.body(script, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
    });
  });

  app.use('*', async (c, next) => {
    if (deps.token === undefined || c.req.path === '/healthz') return next();
    const given = c.req.header('authorization')?.replace(/^Bearer /, '') ?? c.req.query('token');
    if (given !== deps.token)
      return c.json({ error: 'this dashboard needs its token: Authorization: Bearer <serve.token>, or ?token=' }, 401);
    return next();
  });

  app.get('/api/metric/:metric', async (c) => {
    const parsed = parse(
      c,
      z.object({
        metric: z.enum(ALERT_METRICS),
        slice: z
          .string()
          .regex(new RegExp(`^(${USER_ATTRIBUTES.join('|')})=.+$`), { error: 'attribute=value, e.g. os=iOS' })
          .optional(),
        at: z
          .string()
          .refine((t) => parseIsoTime(t, deps.settings.timezone) !== undefined, { error: 'an ISO time' })
          .optional(),
      }),
      { metric: c.req.param('metric'), slice: c.req.query('slice'), at: c.req.query('at') },
    );
    if ('error' in parsed) return parsed.error;
    const { metric, slice, at } = parsed.data;
    const [attribute = '', ...rest] = slice?.split('=') ?? [];
    const when = at === undefined ? deps.now() : (parseIsoTime(at, deps.settings.timezone) ?? deps.now());
    return c.json(
      await metricView(
        deps.warehouse,
        deps.settings,
        metric,
        slice ? { attribute: attribute as (typeof USER_ATTRIBUTES)[number], value: rest.join('=') } : undefined,
        when,
      ),
    );
  });

  app.get('/api/daily', async (c) => {
    const parsed = parse(c, z.object({ until: isoDay.optional(), days: count(90, 28) }), {
      until: c.req.query('until'),
      days: c.req.query('days'),
    });
    if ('error' in parsed) return parsed.error;
    const until = parsed.data.until ?? yesterday(deps.now(), deps.settings.timezone);
    return c.json({ until, ...(await dailyView(deps.warehouse, deps.settings, until, parsed.data.days)) });
  });

  app.get('/api/slices', async (c) => {
    const parsed = parse(
      c,
      z.object({
        day: isoDay,
        dimension: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a dimension name such as os' }),
      }),
      {
        day: c.req.query('day'),
        dimension: c.req.query('dimension') ?? 'os',
      },
    );
    if ('error' in parsed) return parsed.error;
    return c.json({
      ...parsed.data,
      rows: await slicesView(deps.warehouse, deps.settings, parsed.data.day, parsed.data.dimension),
    });
  });

  app.get('/api/runs', async (c) => {
    const parsed = parse(c, z.object({ job: z.enum(JOBS).optional(), limit: count(1000, 50) }), {
      job: c.req.query('job'),
      limit: c.req.query('limit'),
    });
    if ('error' in parsed) return parsed.error;
    const runs = await deps.ledger.recent({
      limit: parsed.data.limit,
      ...(parsed.data.job ? { job: parsed.data.job } : {}),
    });
    return c.json({
      runs: runs.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })),
    });
  });

  app.get('/api/alerts', async (c) => {
    const parsed = parse(c, z.object({ limit: count(1000, 50) }), { limit: c.req.query('limit') });
    if ('error' in parsed) return parsed.error;
    return c.json({ alerts: await alertHistory(deps.warehouse, deps.settings, parsed.data.limit) });
  });

  app.get('/', (c) => c.html(indexPage(ALERT_METRICS)));
  app.get('/metric/:metric', (c) => {
    const metric = c.req.param('metric');
    if (!(ALERT_METRICS as readonly string[]).includes(metric))
      return c.json({ error: `metric: expected one of ${ALERT_METRICS.join(', ')}` }, 400);
    return c.html(metricPage(metric));
  });
  app.get('/daily', (c) => c.html(dailyPage()));
  app.get('/slices', (c) =>
    c.html(slicesPage(yesterday(deps.now(), deps.settings.timezone), deps.settings.dimensions)),
  );
  app.get('/runs', (c) => c.html(runsPage()));

  app.notFound((c) => c.json({ error: `no such page: ${c.req.path}; try /healthz or /api/daily` }, 404));
  app.onError((error, c) => {
    const message = error instanceof WarehouseError ? `warehouse: ${error.message}` : 'internal error';
    return c.json({ error: message }, error instanceof WarehouseError && error.retryable ? 503 : 500);
  });
  return app;
}

const require = createRequire(import.meta.url);
/** The browser builds of Vega that the pages load, served from vigil's own node_modules. */
const STATIC_SCRIPTS: Readonly<Record<string, [string, string]>> = {
  'vega.min.js': ['vega', 'build/vega.min.js'],
  'vega-lite.min.js': ['vega-lite', 'build/vega-lite.min.js'],
  'vega-embed.min.js': ['vega-embed', 'build/vega-embed.min.js'],
};
const scripts = new Map<string, string>();

async function staticScript(file: string): Promise<string | undefined> {
  const entry = Object.hasOwn(STATIC_SCRIPTS, file) ? STATIC_SCRIPTS[file] : undefined;
  if (!entry) return undefined;
  let script = scripts.get(file);
  if (script === undefined) {
    const [pkg, path] = entry;
    // The package root, from its main entry (some packages do not export package.json).
    const main = require.resolve(pkg);
    const root = main.slice(0, main.lastIndexOf(`node_modules/${pkg}/`) + `node_modules/${pkg}/`.length);
    script = await readFile(join(root, path), 'utf8');
    scripts.set(file, script);
  }
  return script;
}

/** Validates request parameters; a bad one is a 400 naming it and what was expected. */
function parse<T extends z.ZodType>(
  c: Context,
  schema: T,
  input: unknown,
): { data: z.output<T> } | { error: Response } {
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data };
  const problems = result.error.issues.map(
    (issue) =>
      `${issue.path.join('.')}: expected ` +
      (issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : issue.message),
  );
  return { error: c.json({ error: problems.join('; ') }, 400) };
}
