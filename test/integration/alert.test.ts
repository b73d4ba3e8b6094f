import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlert } from '../../src/alert/alert-job.js';
import { AlertMemory } from '../../src/alert/alert-memory.js';
import type { AlertSettings } from '../../src/alert/alert-settings.js';
import { silentLogger } from '../../src/log/logger.js';
import { simulateFresh } from '../../src/simulate/simulate.js';
import type { Anomaly } from '../../src/simulate/simulation-options.js';
import { SilenceStore } from '../../src/silence/silences.js';
import { ensureVigilTables, vigilTables } from '../../src/tables/vigil-tables.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { countingWarehouse } from '../support/counting-warehouse.js';
import { WebhookNotifier } from '../../src/notify/webhook-notifier.js';
import { outboxDelivery, readOutbox, testDelivery } from '../support/delivery.js';
import { startFakeWebhook } from '../support/fake-webhook.js';
import { worldSettings } from '../support/settings.js';
import { tempDir } from '../support/temp-dir.js';

const TZ = 'Europe/Moscow';
// The evaluated window is 2024-03-06 17:00–17:15 Moscow (14:00 UTC), in the afternoon rise.
const AT = new Date('2024-03-06T14:15:00Z');
const WINDOW = { from: new Date('2024-03-06T14:00:00Z'), to: new Date('2024-03-06T14:15:00Z') };
const population = { seed: 11, users: 20_000, eventsPerDay: 300_000 };

let dir: { path: string; remove: () => void };
let warehouse: Warehouse;
beforeAll(() => {
  dir = tempDir();
  warehouse = openChdbWarehouse(join(dir.path, 'warehouse'));
});
afterAll(async () => {
  await warehouse.close();
  dir.remove();
});

async function scenario(
  database: string,
  anomalies: readonly Anomaly[],
  until = new Date('2024-03-06T15:00:00Z'),
  // Most tests here look at one metric's own message; grouping has its own test.
  alerts: Record<string, unknown> = { group: false },
) {
  const settings: AlertSettings = worldSettings(database, `${database}_state`, {
    timezone: TZ,
    alerts: { dashboardUrl: 'https://dash.example.com/d/{metric}?w={window}', ...alerts },
  }).alert;
  await simulateFresh(warehouse, settings.sources, {
    population,
    from: new Date('2024-03-04T21:00:00Z'),
    until,
    anomalies,
    timezone: TZ,
  });
  const outbox = join(dir.path, `outbox-${database}`);
  return {
    settings,
    outbox,
    run: (at: Date, on: Warehouse = warehouse) =>
      runAlert({ warehouse: on, delivery: outboxDelivery(outbox), logger: silentLogger }, settings, { at }),
  };
}

const notified = (result: Awaited<ReturnType<Awaited<ReturnType<typeof scenario>>['run']>>) =>
  result.outcomes
    .filter((o) => o.notification !== undefined)
    .map((o) => `${o.metric}:${o.notification ?? ''}`)
    .sort();

describe('alerts end to end on the simulator', () => {
  it('stays quiet on a normal day at that hour', async () => {
    const { run } = await scenario('normal', []);
    const result = await run(AT);
    expect(result.window).toEqual(WINDOW.from);
    // alerts.history (28 days) from the start of a day (Moscow) to the evaluated window, every window present.
    expect(result.windows).toBe(28 * 96 + 4 * 17 + 1);
    expect(notified(result)).toEqual([]);
  });

  it('fires on a messenger outage to zero in the last window, with message and picture', async () => {
    const { run, outbox, settings } = await scenario('outage', [{ metric: 'messages', factor: 0, ...WINDOW }]);
    const result = await run(AT);
    expect(notified(result)).toEqual(['messages:started', 'senders:started']);
    const messages = result.outcomes.find((o) => o.metric === 'messages');
    expect(messages?.verdict.value).toBe(0);
    const files = readdirSync(outbox).filter((f) => f.startsWith('alert-messages-'));
    expect(files.sort()).toEqual([
      'alert-messages-2024-03-06T140000-started.json',
      'alert-messages-2024-03-06T140000-started.png',
      'alert-messages-2024-03-06T140000-started.txt',
    ]);
    const [sent] = readOutbox(outbox).filter((n) => n.key.startsWith('messages-'));
    expect(sent?.text).toContain('🔴 <b>Anomaly: messages</b>');
    expect(sent?.text).toContain(
      'Value <b>0</b> in 2024-03-06 17:00–17:15 (Europe/Moscow), -100% vs the previous window',
    );
    expect(sent?.text).toMatch(/Expected [\d,]+ … [\d,]+/);
    expect(sent?.text).toContain(
      '<a href="https://dash.example.com/d/messages?w=2024-03-06T14%3A00%3A00.000Z">Dashboard</a>',
    );
    const png = PNG.sync.read(readFileSync(join(outbox, 'alert-messages-2024-03-06T140000-started.png')));
    expect(png.width).toBeGreaterThan(1000);
    const [recorded] = await warehouse.query<{ n: number; alerts: number }>(
      `SELECT count() AS n, sum(alert) AS alerts FROM ${settings.tables.evaluations.sql}`,
    );
    expect(recorded).toEqual({ n: 7, alerts: 2 });
  });

  it('fires on a spike of likes', async () => {
    const { run } = await scenario('spike', [{ metric: 'likes', factor: 5, ...WINDOW }]);
    const result = await run(AT);
    expect(notified(result)).toContain('likes:started');
    expect(notified(result)).toContain('ctr:started');
  });

  it('keeps its state in the warehouse: no repeat in the next window or after a restart, then resolved', async () => {
    const outage = { metric: 'messages' as const, factor: 0, from: WINDOW.from, to: new Date('2024-03-06T14:30:00Z') };
    const { run, settings } = await scenario('state', [outage]);
    expect(notified(await run(AT))).toEqual(['messages:started', 'senders:started']);
    // The same window again (a retried run): nothing new.
    expect(notified(await run(AT))).toEqual([]);
    // 15 minutes later, still down: nothing new, after a restart of the process's warehouse too.
    await warehouse.close();
    warehouse = openChdbWarehouse(join(dir.path, 'warehouse'));
    expect(notified(await run(new Date('2024-03-06T14:30:00Z')))).toEqual([]);
    // Traffic is back: resolved once the band has width again.
    const later = [await run(new Date('2024-03-06T14:45:00Z')), await run(new Date('2024-03-06T15:00:00Z'))].flatMap(
      notified,
    );
    expect(later.filter((n) => n.startsWith('messages:'))).toEqual(['messages:resolved']);
    const kinds = await warehouse.query<{ kind: string }>(
      `SELECT kind FROM ${settings.tables.notifications.sql}
       WHERE subject = 'messages' AND entry = 'decided' ORDER BY window_start`,
    );
    expect(kinds.map((k) => k.kind)).toEqual(['started', 'resolved']);
    expect(existsSync(join(dir.path, 'outbox-state'))).toBe(true);
  });

  it('reads earlier windows from its cache, with the same verdicts as from raw events', async () => {
    const { settings, outbox } = await scenario('cached', [{ metric: 'views', factor: 0.2, ...WINDOW }]);
    const run = (database: string, at: Date) =>
      runAlert(
        { warehouse, delivery: outboxDelivery(outbox), logger: silentLogger },
        { ...settings, tables: vigilTables(database) },
        { at },
      );
    await run('cached_state', new Date(AT.getTime() - 3_600_000));
    const [cachedRows] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM cached_state.alert_windows');
    expect(cachedRows?.n).toBe(28 * 96 + 4 * 16 + 1);
    const fromCache = await run('cached_state', AT);
    const fromRaw = await run('fresh_state', AT);
    expect(fromCache.outcomes.map((o) => o.verdict)).toEqual(fromRaw.outcomes.map((o) => o.verdict));
    expect(fromCache.outcomes.find((o) => o.metric === 'views')?.verdict.alert).toBe(true);
  });

  it(
    'reads a warm run in one query, also over windows where nothing happened; ' +
      'a serving process judges as one-off runs do',
    async () => {
      // Half an hour without any event earlier in the day: no row of any slice value exists there.
      const quiet = { from: new Date('2024-03-06T08:00:00Z'), to: new Date('2024-03-06T08:30:00Z') };
      const { settings, outbox } = await scenario('memory', [
        { metric: 'feed', factor: 0, ...quiet },
        { metric: 'messages', factor: 0, ...quiet },
      ]);
      const counted = countingWarehouse(warehouse);
      const deps = {
        warehouse: counted.warehouse,
        delivery: outboxDelivery(outbox),
        logger: silentLogger,
      };
      const oneOff = (at: Date) =>
        runAlert(deps, { ...settings, slices: ['os'], tables: vigilTables('memory_one_off') }, { at });
      const serving = { ...deps, memory: new AlertMemory() };
      const service = (at: Date) =>
        runAlert(serving, { ...settings, slices: ['os'], tables: vigilTables('memory_service') }, { at });

      const steady: { oneOff: Record<string, number>; service: Record<string, number> }[] = [];
      for (let quarter = 0; quarter < 9; quarter++) {
        const at = new Date(AT.getTime() - 2 * 3_600_000 + quarter * 15 * 60_000);
        counted.reset();
        const fromOneOff = await oneOff(at);
        const oneOffStatements = counted.snapshot();
        counted.reset();
        const fromService = await service(at);
        steady.push({ oneOff: oneOffStatements, service: counted.snapshot() });
        expect(fromService.outcomes.map((o) => [o.slice, o.metric, o.verdict])).toEqual(
          fromOneOff.outcomes.map((o) => [o.slice, o.metric, o.verdict]),
        );
      }
      const [first, ...warm] = steady;
      // The first runs found no cache: counted the history from raw events in a second query.
      expect(first?.oneOff.query).toBe(2);
      expect(first?.service.query).toBe(2);
      for (const run of warm) {
        expect(run.oneOff).toEqual({
          query: 1,
          'insert memory_one_off.alert_windows': 1,
          'insert memory_one_off.alert_evaluations': 1,
        });
        expect(run.service.query).toBe(1);
        expect(run.service['insert memory_service.alert_evaluations']).toBe(1);
      }
      // The serving process writes settled windows to the cache an hour at a time.
      expect(warm.map((run) => run.service['insert memory_service.alert_windows'] ?? 0).reduce((a, b) => a + b)).toBe(
        2,
      );
      // From the history's start (Moscow midnight 28 days before) to the last window the runs no
      // longer recount (alerts.recount, 1h, before the last run's window 14:00 UTC): 13:00 UTC.
      const [cache] = await warehouse.query<{ windows: number; first: string; last: string }>(
        'SELECT uniqExact(window_start) AS windows, toString(min(window_start)) AS first, ' +
          "toString(max(window_start)) AS last FROM memory_service.alert_windows WHERE slice = ''",
      );
      expect(cache).toEqual({
        windows: 28 * 96 + 4 * 16 + 1,
        first: '2024-02-06 21:00:00',
        last: '2024-03-06 13:00:00',
      });
    },
  );

  it(
    'makes its tables again when they were dropped behind its back, ' + 'and forgets the windows it remembered',
    async () => {
      const first = await scenario('redone', []);
      const serving = {
        warehouse,
        delivery: outboxDelivery(first.outbox),
        logger: silentLogger,
        memory: new AlertMemory(),
      };
      const service = (at: Date) =>
        runAlert(serving, { ...first.settings, tables: vigilTables('redone_state') }, { at });
      await service(new Date(AT.getTime() - 15 * 60_000));
      // The sources are simulated afresh with a spike within the band's reach, and vigil's tables
      // dropped, as `vigil simulate` does.
      const { settings } = await scenario('redone', [
        { metric: 'views', factor: 5, from: new Date('2024-03-06T13:00:00Z'), to: new Date('2024-03-06T13:15:00Z') },
      ]);
      await warehouse.command('DROP DATABASE redone_state');
      const fromService = await service(AT);
      const fromOneOff = await runAlert(
        { ...serving, memory: undefined },
        { ...settings, tables: vigilTables('redone_one_off') },
        { at: AT },
      );
      expect(fromService.outcomes.map((o) => o.verdict)).toEqual(fromOneOff.outcomes.map((o) => o.verdict));
      const [evaluations] = await warehouse.query<{ n: number }>(
        'SELECT count() AS n FROM redone_state.alert_evaluations',
      );
      expect(evaluations?.n).toBe(fromService.outcomes.length);
    },
  );

  it(
    'serving, reads the state only while an anomaly is open or a metric alerts, ' +
      'so it never repeats what another process announced',
    async () => {
      const outage = {
        metric: 'messages' as const,
        factor: 0,
        from: WINDOW.from,
        to: new Date('2024-03-06T14:30:00Z'),
      };
      const { settings, outbox } = await scenario('shared', [outage]);
      const counted = countingWarehouse(warehouse);
      const deps = {
        warehouse: counted.warehouse,
        delivery: outboxDelivery(outbox),
        logger: silentLogger,
      };
      const serving = { ...deps, memory: new AlertMemory() };
      const service = (at: Date) => runAlert(serving, settings, { at });
      const readsState = () =>
        counted.queries().some((sql) => sql.includes("part = 'state'") || sql.includes("'state' AS part"));

      await service(new Date(AT.getTime() - 30 * 60_000));
      counted.reset();
      expect(notified(await service(new Date(AT.getTime() - 15 * 60_000)))).toEqual([]);
      expect(readsState()).toBe(false);
      // Another process (a one-off run) sees the outage first and announces it.
      expect(notified(await runAlert(deps, settings, { at: AT }))).toEqual(['messages:started', 'senders:started']);
      counted.reset();
      expect(notified(await service(AT))).toEqual([]);
      expect(readsState()).toBe(true);
      // Still down 15 minutes later, then back: the service resolves what the other process started.
      expect(notified(await service(new Date('2024-03-06T14:30:00Z')))).toEqual([]);
      const later = [
        await service(new Date('2024-03-06T14:45:00Z')),
        await service(new Date('2024-03-06T15:00:00Z')),
      ].flatMap(notified);
      expect(later.filter((n) => n.startsWith('messages:'))).toEqual(['messages:resolved']);
    },
  );

  it('groups the metrics that start in the same window into one message, one picture with a panel each', async () => {
    const { settings, outbox } = await scenario(
      'grouped',
      [{ metric: 'views', factor: 0, ...WINDOW }],
      new Date('2024-03-06T15:00:00Z'),
      { slices: ['os'] },
    );
    const result = await runAlert({ warehouse, delivery: outboxDelivery(outbox), logger: silentLogger }, settings, {
      at: AT,
    });
    const started = result.outcomes.filter((o) => o.notification === 'started');
    // The feed's outage, for the whole product and both os values: more than one picture holds.
    expect(started.length).toBeGreaterThan(6);
    expect(new Set(started.map((o) => o.key))).toEqual(new Set(['group-2024-03-06T140000-started']));
    const [message, ...others] = readOutbox(outbox);
    expect(others).toEqual([]);
    const lines = message?.text.split('\n') ?? [];
    expect(lines[0]).toBe(`🔴 <b>${started.length} metrics anomalous at 17:00 (Europe/Moscow)</b>`);
    const items = lines.filter((line) => line.startsWith('• '));
    expect(items).toHaveLength(6);
    expect(items[0]).toMatch(/^• <b>[a-z ]+(, os \w+)?<\/b>: [\d,]+ \(expected [\d,]+ … [\d,]+; -\d+(\.\d)?%\)$/);
    expect(lines).toContain(`and ${started.length - 6} more`);
    expect(lines.at(-1)).toMatch(
      /^<a href="https:\/\/dash\.example\.com\/d\/\w+\?w=2024-03-06T14%3A00%3A00\.000Z">Dashboard<\/a>$/,
    );
    // Six panels, two to a row: three rows of small charts.
    const png = PNG.sync.read(readFileSync(join(outbox, `alert-${message?.key ?? ''}.png`)));
    expect(png.height).toBeGreaterThan(png.width * 0.6);
  });

  it('keeps a silenced anomaly quiet but recorded, and notifies it as a start when the silence lapses', async () => {
    const { run, settings, outbox } = await scenario('silenced', [
      { metric: 'messages', factor: 0, from: WINDOW.from, to: new Date('2024-03-06T15:00:00Z') },
    ]);
    await ensureVigilTables(warehouse, settings.tables);
    await new SilenceStore(warehouse, settings.tables).add({
      id: 's-test',
      metric: '',
      slice: '',
      // Added a minute before the run, after its window began: it covers the run all the same.
      startsAt: AT.getTime() - 60_000,
      endsAt: Date.parse('2024-03-06T14:40:00Z'),
      createdBy: 'on-call',
      createdAt: AT.getTime() - 60_000,
      comment: 'messenger migration',
    });
    const during = await run(AT);
    expect(notified(during)).toEqual([]);
    expect(during.outcomes.filter((o) => o.silenced !== undefined).map((o) => [o.metric, o.verdict.alert])).toEqual([
      ['senders', true],
      ['messages', true],
    ]);
    expect(during.outcomes.find((o) => o.metric === 'messages')?.silenced).toMatch(
      /^silence s-test until 2024-03-06 17:40/,
    );
    expect(readOutbox(outbox)).toEqual([]);
    const recorded = await warehouse.query<{ subject: string; kind: string }>(
      `SELECT subject, kind FROM ${settings.tables.notifications.sql} WHERE entry = 'decided' ORDER BY subject`,
    );
    expect(recorded).toEqual([
      { subject: 'messages', kind: 'silenced' },
      { subject: 'senders', kind: 'silenced' },
    ]);
    // A silence is judged at the run's time: in force at 14:30, ended by 14:45 while the outage goes on: a start.
    expect(notified(await run(new Date('2024-03-06T14:30:00Z')))).toEqual([]);
    expect(notified(await run(new Date('2024-03-06T14:45:00Z')))).toEqual(['messages:started', 'senders:started']);
  });

  it('keeps for the next run what the webhook did not take, and delivers it there once', async () => {
    const hook = await startFakeWebhook('the-alert-webhook-secret');
    try {
      const { settings } = await scenario(
        'hooked',
        [{ metric: 'messages', factor: 0, ...WINDOW }],
        new Date('2024-03-06T15:00:00Z'),
        {},
      );
      const webhook = new WebhookNotifier({ url: hook.url, secret: 'the-alert-webhook-secret' }, { baseDelayMs: 50 });
      const delivery = testDelivery([webhook], { policy: { budgetMs: 300 } });
      hook.answerNext(...Array.from({ length: 5 }, () => 503));
      const first = await runAlert({ warehouse, delivery, logger: silentLogger }, settings, { at: AT });
      expect(first.deliveries.map((d) => [d.destination, d.sent])).toEqual([['webhook', false]]);
      expect(hook.delivered).toEqual([]);
      const next = await runAlert({ warehouse, delivery, logger: silentLogger }, settings, {
        at: new Date(AT.getTime() + 15 * 60_000),
      });
      expect(next.deliveries.filter((d) => d.earlier).map((d) => d.sent)).toEqual([true]);
      await runAlert({ warehouse, delivery, logger: silentLogger }, settings, {
        at: new Date(AT.getTime() + 30 * 60_000),
      });
      // The grouped start delivered once, though the receiver was asked more than once; then the end.
      const keys = hook.delivered.map((d) => d.body.key);
      expect(keys.filter((k) => k === 'group-2024-03-06T140000-started')).toHaveLength(1);
      expect(keys.filter((k) => k.endsWith('-resolved'))).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it('watches each value of a slice on its own, and names the slice', async () => {
    const { settings, outbox } = await scenario('sliced', [
      { metric: 'likes', factor: 5, ...WINDOW, filter: { attribute: 'os', value: 'iOS' } },
    ]);
    const result = await runAlert(
      { warehouse, delivery: outboxDelivery(outbox), logger: silentLogger },
      { ...settings, slices: ['os'], dashboardUrl: 'https://dash.example.com/{metric}?slice={slice}' },
      { at: AT },
    );
    expect(result.outcomes.map((o) => o.slice).filter((s, i, all) => all.indexOf(s) === i)).toEqual([
      '',
      'os=Android',
      'os=iOS',
    ]);
    const sliced = notified(result).length;
    expect(
      result.outcomes.filter((o) => o.slice === 'os=iOS' && o.notification === 'started').map((o) => o.metric),
    ).toContain('likes');
    expect(result.outcomes.filter((o) => o.slice === 'os=Android' && o.notification !== undefined)).toEqual([]);
    expect(sliced).toBeGreaterThan(0);
    const sent = readOutbox(outbox).find((n) => n.key.startsWith('likes-os_iOS-'));
    expect(sent?.text).toContain('🔴 <b>Anomaly: likes, os iOS</b>');
    expect(sent?.text).toContain('slice=os%3DiOS');
  });
});
