import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKey } from '../../src/app/coordination.js';
import { serviceJobs } from '../../src/app/service-jobs.js';
import { KeeperClaims } from '../../src/coordination/keeper-claims.js';
import { claimedRuns } from '../../src/coordination/run-coordinator.js';
import { silentLogger } from '../../src/log/logger.js';
import { dispatch } from '../../src/notify/dispatch.js';
import { NotificationJournal } from '../../src/notify/journal.js';
import { TelegramNotifier } from '../../src/notify/telegram-notifier.js';
import { simulateFresh } from '../../src/simulate/simulate.js';
import { ensureVigilTables } from '../../src/tables/vigil-tables.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { testDelivery } from '../support/delivery.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { worldSettings } from '../support/settings.js';
import { tempDir } from '../support/temp-dir.js';
import { haveZooKeeper, startZooKeeper, type ZooKeeper } from '../support/zookeeper.js';

const TOKEN = '777:replicas';
const AT = new Date('2024-03-06T15:00:00Z');
const LEASE_MS = 1_500;

describe.skipIf(!haveZooKeeper && process.env.CI === undefined)('runs and sends of replicas, through Keeper', () => {
  let zookeeper: ZooKeeper;
  let fake: FakeTelegram;
  let warehouse: Warehouse;
  const dir = tempDir('vigil-replicas-');
  const settings = worldSettings('rep_src', 'rep_state', { timezone: 'UTC' });

  /** One replica of vigil serve: its own claims (holder), delivery and jobs, sharing the warehouse. */
  const replica = (holder: string) => {
    const telegram = new TelegramNotifier({ token: TOKEN, chatId: '-1', apiRoot: fake.apiRoot });
    const claims = new KeeperClaims(warehouse, settings.tables.claims, holder, LEASE_MS);
    const delivery = {
      ...testDelivery([telegram]),
      claims: new KeeperClaims(warehouse, settings.tables.claims, holder, 10_000),
    };
    const deps = { warehouse, delivery, logger: silentLogger, coordinator: claimedRuns(claims, silentLogger) };
    const alert = serviceJobs(settings, deps).find((job) => job.name === 'alert');
    if (!alert) throw new Error('no alert job');
    return { claims, delivery, alert };
  };

  beforeAll(async () => {
    zookeeper = await startZooKeeper();
    fake = await startFakeTelegram(TOKEN);
    warehouse = openChdbWarehouse(join(dir.path, 'warehouse'), { configFile: zookeeper.clickhouseConfig });
    await simulateFresh(warehouse, settings.sources, {
      population: { seed: 5, users: 5_000, eventsPerDay: 120_000 },
      from: new Date('2024-03-03T00:00:00Z'),
      until: new Date('2024-03-06T18:00:00Z'),
      anomalies: [
        { metric: 'messages', factor: 0, from: new Date('2024-03-06T14:00:00Z'), to: new Date('2024-03-06T18:00:00Z') },
      ],
      timezone: 'UTC',
    });
    await ensureVigilTables(warehouse, settings.tables);
    await new KeeperClaims(warehouse, settings.tables.claims, 'setup', LEASE_MS).ensure();
  }, 120_000);
  afterAll(async () => {
    await warehouse.close();
    await fake.close();
    await zookeeper.stop();
    dir.remove();
  });

  const sentTexts = () => fake.received.map((r) => r.caption ?? r.text ?? '');

  it('runs a tick in one replica only; the other finds it done, and each alert goes out once', async () => {
    const [a, b] = [replica('a'), replica('b')];
    const [ranA, ranB] = await Promise.all([a.alert.run(AT), b.alert.run(AT)]);
    const ran = [ranA, ranB].filter((r) => r.skipped === undefined);
    expect(ran).toHaveLength(1);
    expect(ran[0]?.rows).toBeGreaterThan(0);
    expect([ranA, ranB].find((r) => r.skipped !== undefined)?.skipped).toMatch(/^done by [ab]\/\d+$/);
    const texts = sentTexts();
    expect(texts.length).toBe(ran[0]?.rows);
    expect(new Set(texts).size).toBe(texts.length);
    // A later tick of the same window is done already: nothing runs, nothing is sent.
    const later = await replica('c').alert.run(new Date(AT.getTime() + 5 * 60_000));
    expect(later.skipped).toMatch(/^done by a\/\d+$/);
  });

  it("takes a run over once its holder's lease runs out (the holder died), and sends its alerts once", async () => {
    const at = new Date(AT.getTime() + 45 * 60_000);
    const before = fake.received.length;
    // A replica claimed this tick and died: it never renews nor finishes.
    const dead = await new KeeperClaims(warehouse, settings.tables.claims, 'dead', LEASE_MS).claim(runKey('alert', at));
    expect(dead.kind).toBe('won');
    const started = Date.now();
    const outcome = await replica('survivor').alert.run(at);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - 200);
    expect(outcome.skipped).toBeUndefined();
    const texts = sentTexts().slice(before);
    expect(texts.length).toBe(outcome.rows);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('sends a message left pending once, however many replicas deliver it at once', async () => {
    const journal = new NotificationJournal(warehouse, settings.tables);
    const notification = { kind: 'alert' as const, key: 'pending-once', text: '<b>left pending</b>' };
    await journal.write(
      [
        {
          decisions: [{ subject: 'views', slice: '', kind: 'started', window: new Date(AT.getTime() - 3_600_000) }],
          notification,
          destinations: ['telegram'],
        },
      ],
      new Date(),
    );
    const before = fake.received.length;
    const replicas = [replica('x'), replica('y'), replica('z')];
    const outcomes = await Promise.all(replicas.map((r) => dispatch(r.delivery, journal, [])));
    const sent = outcomes.flat().filter((o) => o.id === 'alert-pending-once');
    expect(sent.filter((o) => o.sent)).toHaveLength(1);
    expect(sent.filter((o) => o.elsewhere !== undefined)).toHaveLength(2);
    expect(fake.received.slice(before).map((r) => r.text)).toEqual(['<b>left pending</b>']);
    expect(await journal.pending(100)).toEqual([]);
  });

  it('sends nothing without a claim: with Keeper gone the message stays pending, and goes out after', async () => {
    const journal = new NotificationJournal(warehouse, settings.tables);
    await journal.write(
      [
        {
          decisions: [{ subject: 'likes', slice: '', kind: 'started', window: new Date(AT.getTime() - 7_200_000) }],
          notification: { kind: 'alert', key: 'while-keeper-down', text: 'keeper down' },
          destinations: ['telegram'],
        },
      ],
      new Date(),
    );
    const before = fake.received.length;
    await zookeeper.pause();
    try {
      await expect(dispatch(replica('p').delivery, journal, [])).rejects.toThrow();
      expect(fake.received.length).toBe(before);
    } finally {
      await zookeeper.resume();
    }
    // The session comes back by itself.
    await expect
      .poll(
        async () => {
          await dispatch(replica('p').delivery, journal, []).catch(() => []);
          return fake.received.slice(before).map((r) => r.text);
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual(['keeper down']);
  }, 60_000);
});
