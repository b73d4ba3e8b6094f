import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlert } from '../../src/alert/alert-job.js';
import { silentLogger } from '../../src/log/logger.js';
import { NotificationJournal } from '../../src/notify/journal.js';
import { TelegramNotifier } from '../../src/notify/telegram-notifier.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { testDelivery } from '../support/delivery.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { worldSettings } from '../support/settings.js';
import { tempDir } from '../support/temp-dir.js';
import { TSX_IMPORT } from '../support/tsx-loader.js';
import { vigil } from '../support/vigil.js';

/*
 * Issue 15: delivery that is bounded in time, written ahead of the send so a crash loses nothing,
 * and never blocked by what an older vigil kept in files. The CLI and the warehouse of this
 * file's folder, a fake Telegram over real HTTP, and a real process killed with SIGKILL.
 */

const TOKEN = '888:delivery-token';
const AT = new Date('2024-03-06T14:15:00Z');
let dir: { path: string; remove: () => void };
let fake: FakeTelegram;
const env = () => ({ TG: TOKEN });
const settings = () =>
  worldSettings('simulator', 'vigil', {
    sources: { feed: 'simulator.feed_actions', messages: 'simulator.message_actions' },
    etl: { target: 'vigil.daily_slices' },
    timezone: 'Europe/Moscow',
    serve: { port: 0 },
  });

beforeAll(async () => {
  dir = tempDir();
  fake = await startFakeTelegram(TOKEN);
  writeFileSync(
    join(dir.path, 'vigil.yaml'),
    `timezone: Europe/Moscow\nserve:\n  port: 0\nnotify:\n  budget: 2s\n  deadline: 4s\n` +
      `  telegram:\n    token: \${TG}\n    chatId: -1\n    apiRoot: ${fake.apiRoot}\n`,
  );
  const simulated = await vigil(
    [
      'simulate',
      '--days',
      '2',
      '--until',
      '2024-03-06T15:00:00Z',
      '--anomaly',
      'metric=messages,factor=0,from=2024-03-06T14:00Z,to=2024-03-06T14:30Z',
    ],
    { cwd: dir.path, env: env() },
  );
  expect(simulated.code, simulated.stderr).toBe(0);
});
afterAll(async () => {
  await fake.close();
  dir.remove();
});

/** What the journal has not delivered yet, read with the warehouse open for this moment only. */
async function pending(): Promise<string[]> {
  const warehouse = openChdbWarehouse(join(dir.path, '.vigil/warehouse'));
  try {
    return (await new NotificationJournal(warehouse, settings().tables).pending(100)).map((p) => p.notification.key);
  } finally {
    await warehouse.close();
  }
}

describe('bounded delivery', () => {
  it.each([
    ['answers 429 forever', { status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 }],
    ['never answers', 'hang' as const],
  ])('ends the run within its deadline and keeps the notification when Telegram %s', async (_what, failure) => {
    const warehouse = openChdbWarehouse(join(dir.path, '.vigil/warehouse'));
    const world = settings();
    const database = `bounded_${failure === 'hang' ? 'hang' : 'busy'}`;
    const alert = { ...world.alert, tables: worldSettings('simulator', database).tables };
    const notifier = new TelegramNotifier({ token: TOKEN, chatId: '-1', apiRoot: fake.apiRoot });
    const delivery = testDelivery([notifier], { policy: { budgetMs: 1_500, deadlineMs: 3_000 } });
    fake.failAlways(failure);
    const started = Date.now();
    try {
      const result = await runAlert({ warehouse, delivery, logger: silentLogger }, alert, { at: AT });
      // Without a budget this run never ended (429) or took minutes (no answer).
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.notifications.length).toBeGreaterThan(0);
      expect(result.deliveries.every((d) => !d.sent)).toBe(true);
      const kept = await new NotificationJournal(warehouse, alert.tables).pending(100);
      expect(kept.map((k) => k.notification.key).sort()).toEqual(result.notifications.map((n) => n.key).sort());
    } finally {
      fake.failAlways(undefined);
      await warehouse.close();
    }
  });
});

describe('write-ahead notifications', () => {
  it('survive a kill -9 during a hanging send: the next run delivers them, once', async () => {
    fake.failAlways('hang');
    const attemptsBefore = fake.attempts.length;
    const entry = new URL('../support/cli-entry.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', TSX_IMPORT, entry, 'alert', '--at', AT.toISOString()], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '', TG: TOKEN },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Wait until vigil is inside the send, then kill it.
    for (let waited = 0; fake.attempts.length === attemptsBefore && waited < 30_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(fake.attempts.length).toBeGreaterThan(attemptsBefore);
    child.kill('SIGKILL');
    await exited;
    fake.failAlways(undefined);
    const kept = await pending();
    // The two metrics that started in the window are one grouped message.
    expect(kept.sort()).toEqual(['group-2024-03-06T140000-started']);

    const receivedBefore = fake.received.length;
    const next = await vigil(['alert', '--at', '2024-03-06T14:30:00Z'], { cwd: dir.path, env: env() });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      'delivered alert-group-2024-03-06T140000-started to telegram, kept from an earlier run',
    );
    const again = await vigil(['alert', '--at', '2024-03-06T14:45:00Z'], { cwd: dir.path, env: env() });
    expect(again.code, again.stderr).toBe(0);
    const started = fake.received.slice(receivedBefore).filter((r) => /2 metrics anomalous/.test(r.caption ?? ''));
    expect(started).toHaveLength(1);
    expect(started[0]?.caption).toMatch(/• <b>senders<\/b>: 0 .*\n• <b>messages<\/b>: 0 /);
    expect(await pending()).toEqual([]);
  });
});

describe('notifications an older vigil kept as files', () => {
  it('are moved into the journal and sent; a broken one is moved aside and never stops the run', async () => {
    const kept = join(dir.path, '.vigil/outbox/undelivered');
    mkdirSync(kept, { recursive: true });
    writeFileSync(join(kept, 'report-2024-03-01.json'), '{"kind": "report", "key": "2024-03-0');
    writeFileSync(join(kept, 'report-2024-03-01.txt'), 'truncated');
    const text = '<b>kept by vigil 0.1</b>';
    writeFileSync(join(kept, 'alert-legacy.json'), JSON.stringify({ kind: 'alert', key: 'legacy', text }));
    writeFileSync(join(kept, 'alert-legacy.txt'), text);

    const result = await vigil(['report', '--date', '2024-03-05'], { cwd: dir.path, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${join(kept, 'report-2024-03-01.json')} is not a readable kept notification`);
    expect(result.stderr).toContain(`moved it to ${join(kept, 'broken')}`);
    expect(readdirSync(join(kept, 'broken')).sort()).toEqual(['report-2024-03-01.json', 'report-2024-03-01.txt']);
    expect(existsSync(join(kept, 'alert-legacy.json'))).toBe(false);
    expect(fake.received.some((r) => r.text === text)).toBe(true);
    expect(result.stdout).toContain('report 2024-03-05 sent to Telegram chat -1');
  });
});
