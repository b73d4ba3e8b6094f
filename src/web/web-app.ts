import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import { z } from 'zod';
import { recordAcknowledgement } from '../alert/acknowledge.js';
import { readAlertState } from '../alert/alert-inputs.js';
import { isOpen, stateKey } from '../alert/alert-state.js';
import { ALERT_METRICS, DAILY, DAILY_METRICS } from '../metrics/metrics.js';
import { JOBS, type JobName } from '../schedule/jobs.js';
import type { RunLedger, RunRecord } from '../schedule/run-ledger.js';
import { newSilenceId, SilenceStore } from '../silence/silences.js';
import { parseSlice } from '../sources/sources.js';
import { parseIsoDate, parseIsoTime, yesterday } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { RANGES, type RangeName } from './api-types.js';
import { browserBundle } from './browser-bundle.js';
import { alertHistory, dailyView, slicesView, type DashboardSettings } from './dashboard-data.js';
import { metricView } from './metric-view.js';
import { overviewView } from './overview-view.js';
import { dailyPage, metricPage, missingPage, overviewPage, runsPage, slicesPage } from './pages.js';
import { silenceView } from './silence-view.js';

export interface WebDeps {
  readonly warehouse: Warehouse;
  readonly settings: DashboardSettings;
  readonly ledger: RunLedger;
  readonly lastRuns: () => ReadonlyMap<JobName, RunRecord>;
  readonly now: () => Date;
  /** The claims' health with replicas (serve.coordination: keeper), for /healthz. */
  readonly coordination?: () => Promise<{ mode: 'keeper' | 'none'; ok: boolean; error?: string }>;
  /** When set, the API asks for it (Bearer header or ?token=); the pages ask the person for it. */
  readonly token: string | undefined;
}

/**
 * Nothing from another origin: scripts and styles are vigil's own (Vega's inline styles aside),
 * no eval (Vega's expressions are interpreted), no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const isoDay = z.string().refine((t) => parseIsoDate(t) !== undefined, { error: 'a date YYYY-MM-DD' });
const count = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * vigil's web app: /healthz, the dashboard's pages and their JSON API. A value, so tests call `app.request()`
 * in-process; `vigil serve` puts it on serve.host:serve.port.
 */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();

  app.get('/healthz', async (c) => {
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
    const coordination = deps.coordination ? await deps.coordination() : undefined;
    // Without its claims a replica runs and sends nothing: it is not healthy.
    const healthy = coordination?.ok ?? true;
    return c.json(
      {
        status: healthy ? 'ok' : 'degraded',
        now: deps.now().toISOString(),
        jobs,
        ...(coordination ? { coordination } : {}),
      },
      healthy ? 200 : 503,
    );
  });

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
  });

  app.use('/static/*', compress(), etag());
  app.get('/static/dashboard.js', async (c) =>
    c.body((await browserBundle()).script, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
    }),
  );
  app.get('/static/dashboard.css', async (c) =>
    c.body((await browserBundle()).style, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'no-cache',
    }),
  );

  // The pages are shells without data; what they show comes from the API, which asks for the token.
  const tokenDigest = deps.token === undefined ? undefined : digest(deps.token);
  app.use('/api/*', async (c, next) => {
    if (tokenDigest === undefined) return next();
    const given = c.req.header('authorization')?.replace(/^Bearer /, '') ?? c.req.query('token');
    if (given === undefined || !timingSafeEqual(digest(given), tokenDigest))
      return c.json({ error: 'this dashboard needs its token: Authorization: Bearer <serve.token>, or ?token=' }, 401);
    return next();
  });
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const refusal = crossSiteRefusal((name) => c.req.header(name));
    if (refusal !== undefined) return c.json({ error: refusal }, 403);
    return next();
  });

  app.get('/api/overview', async (c) => c.json(await overviewView(deps, deps.now())));

  app.get('/api/metric/:metric', async (c) => {
    const parsed = parse(
      c,
      z.object({
        metric: z.enum(ALERT_METRICS),
        slice: sliceSchema.optional(),
        at: z
          .string()
          .refine((t) => parseIsoTime(t, deps.settings.timezone) !== undefined, { error: 'an ISO time' })
          .optional(),
        range: z.enum(Object.keys(RANGES) as [RangeName, ...RangeName[]]).default('1d'),
      }),
      {
        metric: c.req.param('metric'),
        slice: c.req.query('slice'),
        at: c.req.query('at'),
        range: c.req.query('range'),
      },
    );
    if ('error' in parsed) return parsed.error;
    const { metric, slice, at, range } = parsed.data;
    const now = deps.now();
    const when = at === undefined ? undefined : parseIsoTime(at, deps.settings.timezone);
    if (when !== undefined && when.getTime() > now.getTime())
      return c.json({ error: `at: ${at} is in the future; the last window is before ${now.toISOString()}` }, 400);
    return c.json(
      await metricView(deps.warehouse, deps.settings, {
        metric,
        slice: slice === undefined ? undefined : parseSlice(slice),
        range,
        at: when,
        now,
      }),
    );
  });

  app.get('/api/daily', async (c) => {
    const parsed = parse(c, z.object({ until: isoDay.optional(), days: count(90, 28) }), {
      until: c.req.query('until'),
      days: c.req.query('days'),
    });
    if ('error' in parsed) return parsed.error;
    const until = parsed.data.until ?? yesterday(deps.now(), deps.settings.timezone);
    const columns = DAILY_METRICS.map((key) => ({ key, name: DAILY[key].names.en, kind: DAILY[key].kind }));
    return c.json({ until, columns, ...(await dailyView(deps.warehouse, deps.settings, until, parsed.data.days)) });
  });

  app.get('/api/slices', async (c) => {
    const parsed = parse(
      c,
      z.object({
        day: isoDay,
        dimension: z.string().refine((d) => deps.settings.dimensions.includes(d), {
          error: `one of the ETL's dimensions: ${deps.settings.dimensions.join(', ')}`,
        }),
      }),
      {
        day: c.req.query('day'),
        dimension: c.req.query('dimension') ?? 'os',
      },
    );
    if ('error' in parsed) return parsed.error;
    return c.json({
      ...parsed.data,
      dimensions: deps.settings.dimensions,
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
      timezone: deps.settings.timezone,
      runs: runs.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })),
    });
  });

  app.get('/api/alerts', async (c) => {
    const parsed = parse(c, z.object({ limit: count(1000, 50) }), { limit: c.req.query('limit') });
    if ('error' in parsed) return parsed.error;
    return c.json({
      timezone: deps.settings.timezone,
      alerts: await alertHistory(deps.warehouse, deps.settings, parsed.data.limit),
    });
  });

  app.post('/api/silences', async (c) => {
    const parsed = parse(
      c,
      z.strictObject({
        metric: everyOr(ALERT_METRICS),
        slice: sliceOrWhole,
        hours: z
          .number()
          .positive()
          .max(24 * 30),
        comment: z.string().max(500).default(''),
        by: who,
      }),
      await jsonBody(c),
    );
    if ('error' in parsed) return parsed.error;
    const now = deps.now().getTime();
    const silence = {
      id: newSilenceId(),
      metric: parsed.data.metric,
      slice: parsed.data.slice,
      startsAt: now,
      endsAt: now + parsed.data.hours * 3_600_000,
      createdBy: parsed.data.by,
      createdAt: now,
      comment: parsed.data.comment === '' ? 'from the dashboard' : parsed.data.comment,
    };
    await new SilenceStore(deps.warehouse, deps.settings.tables).add(silence);
    return c.json({ silence: silenceView(silence) }, 201);
  });

  app.post('/api/silences/:id/remove', async (c) => {
    const parsed = parse(
      c,
      z.strictObject({
        id: z.string().regex(/^s-[0-9a-f]{8}$/, { error: 'a silence id such as s-1a2b3c4d' }),
        by: who,
      }),
      {
        id: c.req.param('id'),
        ...(await jsonBody(c)),
      },
    );
    if ('error' in parsed) return parsed.error;
    const store = new SilenceStore(deps.warehouse, deps.settings.tables);
    const removed = await store.remove(parsed.data.id, parsed.data.by, deps.now().getTime());
    if (!removed) return c.json({ error: `no silence ${parsed.data.id} in force or to come` }, 404);
    return c.json({ removed: parsed.data.id });
  });

  app.post('/api/acknowledge', async (c) => {
    const parsed = parse(
      c,
      z.strictObject({ metric: z.enum(ALERT_METRICS), slice: sliceOrWhole, by: who }),
      await jsonBody(c),
    );
    if ('error' in parsed) return parsed.error;
    const { metric, slice, by } = parsed.data;
    const last = (await readAlertState(deps.warehouse, deps.settings.tables)).get(stateKey(metric, slice));
    if (!isOpen(last))
      return c.json({ error: `${metric}${slice === '' ? '' : `, ${slice}`} has no open incident` }, 409);
    await recordAcknowledgement(
      deps.warehouse,
      deps.settings.tables,
      [{ subject: metric, slice, window: new Date(last.window) }],
      `acknowledged by ${by} (dashboard)`,
      deps.now(),
    );
    return c.json({ acknowledged: { metric, slice, since: new Date(last.started).toISOString() } });
  });

  app.get('/', (c) => c.html(overviewPage()));
  app.get('/metric/:metric', (c) => {
    const metric = c.req.param('metric');
    if (!(ALERT_METRICS as readonly string[]).includes(metric))
      return c.html(missingPage(`There is no metric ${metric}: vigil watches ${ALERT_METRICS.join(', ')}.`), 404);
    return c.html(metricPage(metric));
  });
  app.get('/daily', (c) => c.html(dailyPage()));
  app.get('/slices', (c) => c.html(slicesPage(yesterday(deps.now(), deps.settings.timezone))));
  app.get('/runs', (c) => c.html(runsPage()));

  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: `no such API: ${c.req.path}; try /api/overview` }, 404)
      : c.html(missingPage(`There is no page ${c.req.path}.`), 404),
  );
  app.onError((error, c) => {
    const message = error instanceof WarehouseError ? `warehouse: ${error.message}` : 'internal error';
    return c.json({ error: message }, error instanceof WarehouseError && error.retryable ? 503 : 500);
  });
  return app;
}

const sliceSchema = z
  .string()
  .max(200)
  .refine((slice) => parseSlice(slice) !== undefined, { error: 'attribute=value, e.g. os=iOS' });
/** A slice, or '' for the whole product. */
const sliceOrWhole = z.string().refine((slice) => slice === '' || sliceSchema.safeParse(slice).success, {
  error: "attribute=value, e.g. os=iOS, or '' for the whole product",
});
/** One of the metrics, or '' for every metric. */
const everyOr = (metrics: readonly string[]) =>
  z.string().refine((metric) => metric === '' || metrics.includes(metric), {
    error: `one of ${metrics.join(', ')}, or '' for every metric`,
  });
const who = z.string().trim().min(1).max(100).default('dashboard');

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Why an action must be refused as coming from another site, if it must: it must be JSON (a form
 * of another site cannot send that without asking first) from this page's own origin.
 */
function crossSiteRefusal(header: (name: string) => string | undefined): string | undefined {
  if (!(header('content-type') ?? '').startsWith('application/json'))
    return 'actions take a JSON body (Content-Type: application/json)';
  const site = header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'actions come from the dashboard itself';
  const origin = header('origin');
  if (origin !== undefined && origin !== 'null' && new URL(origin).host !== header('host'))
    return 'actions come from the dashboard itself';
  if (origin === 'null') return 'actions come from the dashboard itself';
  return undefined;
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const body: unknown = await c.req.json().catch(() => undefined);
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
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
