import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlert, type AlertResult } from '../../src/alert/alert-job.js';
import type { AlertSettings } from '../../src/alert/alert-settings.js';
import { silentLogger } from '../../src/log/logger.js';
import { TelegramNotifier } from '../../src/notify/telegram-notifier.js';
import { simulateAppend, simulateFresh } from '../../src/simulate/simulate.js';
import type { Anomaly } from '../../src/simulate/simulation-options.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { testDelivery } from '../support/delivery.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { worldSettings } from '../support/settings.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

/*
 * Issue 14: ordinary situations that must not silence, poison or double an alert. Each scenario
 * runs on the embedded warehouse of this file's folder (the CLI's default), with real SQL and a
 * fake Telegram Bot API over real HTTP.
 */

const TZ = 'Europe/Moscow';
const TOKEN = '777:trust-token';
const population = { seed: 11, users: 20_000, eventsPerDay: 300_000 };
const MIN = 60_000;
let dir: { path: string; remove: () => void };
let warehouse: Warehouse;
let fake: FakeTelegram;

beforeAll(async () => {
  dir = tempDir();
  warehouse = openChdbWarehouse(join(dir.path, '.vigil/warehouse'));
  fake = await startFakeTelegram(TOKEN);
});
afterAll(async () => {
  await warehouse.close();
  await fake.close();
  dir.remove();
});

/** A world of its own: sources, vigil's tables, settings written as in vigil.yaml. */
async function world(name: string, anomalies: readonly Anomaly[], until: Date, config: Record<string, unknown> = {}) {
  const settings = worldSettings(name, `${name}_state`, { timezone: TZ, serve: { port: 0 }, ...config });
  await simulateFresh(warehouse, settings.sources, {
    population,
    from: new Date('2024-03-04T21:00:00Z'),
    until,
    anomalies,
    timezone: TZ,
  });
  return settings;
}

const telegram = () =>
  testDelivery(
    [new TelegramNotifier({ token: TOKEN, chatId: '-1', apiRoot: fake.apiRoot }, { retries: 1, baseDelayMs: 10 })],
    {
      policy: { budgetMs: 5_000, deadlineMs: 10_000 },
    },
  );

const run = (settings: AlertSettings, at: Date) =>
  runAlert({ warehouse, delivery: telegram(), logger: silentLogger }, settings, { at });

/** The notifications a run decided, as `subject:kind`, the no-data ones as `no_data <source>:kind`. */
const notified = (result: AlertResult) => [
  ...result.sources.flatMap((s) => (s.notification ? [`no_data ${s.source}:${s.notification}`] : [])),
  ...result.outcomes.flatMap((o) => (o.notification && o.slice === '' ? [`${o.metric}:${o.notification}`] : [])),
];

const quarters = (from: string, to: string) => {
  const times: Date[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 15 * MIN) times.push(new Date(t));
  return times;
};

describe('a dry run changes nothing', () => {
  it('records nothing, so the real run after it notifies', async () => {
    const at = new Date('2024-03-06T14:15:00Z');
    await world('dry', [{ metric: 'messages', factor: 0, from: new Date('2024-03-06T14:00:00Z'), to: at }], at);
    writeFileSync(
      join(dir.path, 'dry.yaml'),
      `timezone: ${TZ}\nsources:\n  feed: dry.feed_actions\n  messages: dry.message_actions\ndatabase: dry_state\n` +
        `notify:\n  telegram:\n    token: \${TG}\n    chatId: -1\n    apiRoot: ${fake.apiRoot}\nserve:\n  port: 0\n`,
    );
    const options = { cwd: dir.path, env: { TG: TOKEN }, now: () => new Date('2024-03-06T14:16:00Z') };
    const before = fake.received.length;
    const dry = await vigil(['alert', '--at', at.toISOString(), '--dry-run', '-c', 'dry.yaml'], options);
    expect(dry.code, dry.stderr).toBe(0);
    // Two metrics start in the window: one grouped message.
    expect(dry.stdout).toContain('dry run: would send 1 notification(s); nothing was recorded or sent');
    expect(dry.stdout).toContain('🔴 2 metrics anomalous at 17:00 (Europe/Moscow)');
    // Values as people read them: a ratio in percent, counts whole.
    expect(dry.stdout).toMatch(/ {2}CTR {21}\s+\d+\.\d% {2}band \d+\.\d% … \d+\.\d%/);
    expect(dry.stdout).toMatch(/ {2}views {19}\s+[\d,]+ {2}band [\d,]+ … [\d,]+ /);
    rmSync(dirname(/picture: (\S+\.png)/.exec(dry.stdout)?.[1] ?? ''), { recursive: true });
    expect(fake.received.length).toBe(before);
    const [recorded] = await warehouse.query<{ n: number }>(
      "SELECT count() AS n FROM system.tables WHERE database = 'dry_state' AND total_rows > 0",
    );
    expect(recorded?.n).toBe(0);

    const real = await vigil(['alert', '--at', at.toISOString(), '-c', 'dry.yaml'], options);
    expect(real.code, real.stderr).toBe(0);
    expect(
      fake.received
        .slice(before)
        .flatMap((r) => [...(r.caption ?? '').matchAll(/• <b>(\w+)<\/b>/g)].map((m) => m[1]))
        .sort(),
    ).toEqual(['messages', 'senders']);
  });
});

describe('late data cannot freeze zeros', () => {
  it('gives, once the events arrive, the band a fresh warehouse gives', async () => {
    // The loader stalls at 11:00 UTC; the alert keeps running every 15 minutes until 13:00.
    const stall = new Date('2024-03-06T11:00:00Z');
    const settings = await world('late', [], stall);
    for (const at of quarters('2024-03-06T11:15:00Z', '2024-03-06T13:00:00Z')) {
      const result = await run(settings.alert, at);
      const users = result.outcomes.find((o) => o.metric === 'users' && o.slice === '');
      // From 11:15 on, the evaluated window ends after the newest event: nothing is judged or cached
      // (and from 12:00, an hour without events, the sources are in "no data").
      expect(users?.status, at.toISOString()).toBe(at < new Date('2024-03-06T12:00:00Z') ? 'not-arrived' : 'held');
    }
    // The late events arrive.
    await simulateAppend(warehouse, settings.sources, { until: new Date('2024-03-06T13:30:00Z'), anomalies: [] });
    const at = new Date('2024-03-06T13:30:00Z');
    const afterStall = await run(settings.alert, at);
    const fresh = await run({ ...settings.alert, tables: worldSettings('late', 'late_fresh').tables }, at);
    const band = (result: AlertResult) => result.outcomes.map((o) => [o.metric, o.slice, o.verdict]);
    expect(band(afterStall)).toEqual(band(fresh));
    const users = afterStall.outcomes.find((o) => o.metric === 'users' && o.slice === '');
    expect(users?.verdict.low).toBeGreaterThan(1_000);
  });

  it('says so for an --at beyond the data, and refuses one in the future', async () => {
    writeFileSync(
      join(dir.path, 'late.yaml'),
      `timezone: ${TZ}\nsources:\n  feed: late.feed_actions\n  messages: late.message_actions\ndatabase: late_cli\n`,
    );
    const now = () => new Date('2024-03-06T13:50:00Z');
    const beyond = await vigil(['alert', '--at', '2024-03-06T13:45:00Z', '-c', 'late.yaml'], { cwd: dir.path, now });
    expect(beyond.code, beyond.stderr).toBe(0);
    expect(beyond.stdout).toContain('the events of this window have not arrived yet: nothing judged');
    const future = await vigil(['alert', '--at', '2024-03-06T15:00:00Z', '-c', 'late.yaml'], { cwd: dir.path, now });
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--at 2024-03-06 18:00 \S+ is in the future/);
  });
});

describe('a dead source is not silent', () => {
  it('notifies once that a source has no data, and once that data is back', async () => {
    const outage = {
      metric: 'messages' as const,
      factor: 0,
      from: new Date('2024-03-06T10:00:00Z'),
      to: new Date('2024-03-06T12:00:00Z'),
    };
    // A repeat later than the outage's end: one "no data", one "data is back".
    const settings = await world('dead', [outage], new Date('2024-03-06T13:00:00Z'), { alerts: { repeat: '2h' } });
    const sent = new Map<string, string[]>();
    for (const at of quarters('2024-03-06T09:45:00Z', '2024-03-06T12:45:00Z')) {
      for (const n of notified(await run(settings.alert, at))) sent.set(n, [...(sent.get(n) ?? []), at.toISOString()]);
    }
    expect(sent.get('no_data messages:started')).toEqual(['2024-03-06T11:00:00.000Z']);
    expect(sent.get('no_data messages:resolved')).toEqual(['2024-03-06T12:15:00.000Z']);
    expect([...sent.keys()].filter((k) => k.startsWith('no_data'))).toHaveLength(2);
    expect([...sent.keys()].some((k) => k.startsWith('no_data feed'))).toBe(false);
    const texts = fake.received.map((r) => r.text ?? r.caption ?? '');
    expect(texts.some((t) => t.includes('No data: dead.message_actions'))).toBe(true);
    expect(
      texts.some((t) => t.includes('No events in dead.message_actions since 2024-03-06 12:59 (Europe/Moscow)')),
    ).toBe(true);
    expect(texts.some((t) => t.includes('Data is back: dead.message_actions'))).toBe(true);
  });
});

describe('an outage is not resolved while it lasts', () => {
  it('gives started, repeated, resolved, in that order, resolved only after it ends; no restart', async () => {
    const outage = {
      metric: 'views' as const,
      factor: 0,
      from: new Date('2024-03-06T12:00:00Z'),
      to: new Date('2024-03-06T13:00:00Z'),
    };
    const settings = await world('outage', [outage], new Date('2024-03-06T15:30:00Z'), { alerts: { repeat: '30m' } });
    const views: [string, string][] = [];
    // Past the recovery by two hours: the outage's windows, once resolved, are no normal to judge the return by.
    for (const at of quarters('2024-03-06T11:45:00Z', '2024-03-06T15:15:00Z')) {
      const result = await run(settings.alert, at);
      for (const n of notified(result).filter((n) => n.startsWith('views:')))
        views.push([n, result.window.toISOString()]);
    }
    expect(views).toEqual([
      ['views:started', '2024-03-06T12:00:00.000Z'],
      ['views:repeated', '2024-03-06T12:30:00.000Z'],
      ['views:resolved', '2024-03-06T13:00:00.000Z'],
    ]);
  });
});

describe('an alert notification goes out once, whatever the retries', () => {
  it('is kept when Telegram fails, delivered by the next run, and never again', async () => {
    const at = new Date('2024-03-06T14:15:00Z');
    const settings = await world(
      'once',
      [{ metric: 'likes', factor: 5, from: new Date('2024-03-06T14:00:00Z'), to: at }],
      at,
    );
    fake.failAlways({ status: 502, description: 'Bad Gateway' });
    const first = await run(settings.alert, at);
    fake.failAlways(undefined);
    expect(notified(first)).toContain('likes:started');
    expect(first.deliveries.every((d) => !d.sent)).toBe(true);
    const before = fake.received.length;
    // The scheduler retries the same window: nothing new is decided, the kept ones go out.
    const retried = await run(settings.alert, at);
    expect(notified(retried)).toEqual([]);
    expect(retried.deliveries.filter((d) => d.sent).map((d) => d.earlier)).toEqual(first.deliveries.map(() => true));
    const delivered = fake.received.length - before;
    expect(delivered).toBe(first.deliveries.length);
    await run(settings.alert, at);
    await run(settings.alert, new Date(at.getTime() + 15 * MIN));
    const likes = (caption = '') => caption.includes('Anomaly: likes') || caption.includes('• <b>likes</b>: ');
    expect(fake.received.slice(before).filter((r) => likes(r.caption))).toHaveLength(1);
  });
});
