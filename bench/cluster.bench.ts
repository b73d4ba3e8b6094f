import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeeperClaims } from '../src/coordination/keeper-claims.js';
import { claimedRuns } from '../src/coordination/run-coordinator.js';
import { silentLogger } from '../src/log/logger.js';
import { dispatch, type Delivery } from '../src/notify/dispatch.js';
import { NotificationJournal } from '../src/notify/journal.js';
import type { Notification, Notifier } from '../src/notify/notifier.js';
import { ensureVigilTables, vigilTables } from '../src/tables/vigil-tables.js';
import { openChdbWarehouse } from '../src/warehouse/chdb-warehouse.js';
import { startZooKeeper } from '../test/support/zookeeper.js';
import { median, type Measurement } from './harness.js';

const RUNS = 100;
const TAKEOVERS = 10;
const LEASE_MS = 1_000;

/**
 * Claims through Keeper (Debian's ZooKeeper on 127.0.0.1, chDB with its config), in this process:
 * what a claim costs against a plain statement; over 100 runs that two replicas race for, the
 * notifications sent twice and never; how long a run whose holder died waits before another
 * takes it over. (Killed processes: the figures of test/integration/serve-replicas.test.ts.)
 */
export async function benchCluster(): Promise<Measurement[]> {
  const zookeeper = await startZooKeeper();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-cluster-'));
  const warehouse = openChdbWarehouse(join(dir, 'warehouse'), { configFile: zookeeper.clickhouseConfig });
  try {
    const tables = vigilTables('bench_cluster');
    await ensureVigilTables(warehouse, tables);
    const claims = (holder: string, leaseMs = 60_000) => new KeeperClaims(warehouse, tables.claims, holder, leaseMs);
    await claims('setup').ensure();

    // The cost of a claim (claim and complete) against one plain statement's round trip.
    const timed = async (count: number, work: (i: number) => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < count; i++) await work(i);
      return (performance.now() - started) / count;
    };
    const statementMs = await timed(200, () => warehouse.query('SELECT 1'));
    const claimMs = await timed(200, async (i) => {
      const outcome = await claims('bench').claim(`cost:${i}`);
      if (outcome.kind === 'won') await claims('bench').complete(outcome.claim);
    });

    // Two replicas race for each of 100 runs; each run decides one message and dispatches it.
    const sends = new Map<string, number>();
    const notifier: Notifier = {
      name: 'counter',
      send(notification: Notification) {
        sends.set(notification.key, (sends.get(notification.key) ?? 0) + 1);
        return Promise.resolve();
      },
    };
    const journal = new NotificationJournal(warehouse, tables);
    const replica = (holder: string) => {
      const delivery: Delivery = {
        destinations: new Map([['counter', notifier]]),
        policy: { budgetMs: 5_000, deadlineMs: 30_000 },
        logger: silentLogger,
        now: () => new Date(),
        claims: claims(holder, 10_000),
      };
      const runs = claimedRuns(claims(holder, LEASE_MS), silentLogger);
      return (i: number) =>
        runs.run(
          `run:bench:${i}`,
          async () => {
            const notification: Notification = { kind: 'alert', key: `run-${i}`, text: `run ${i}` };
            const decided = [{ subject: 'views', slice: '', kind: 'started', window: new Date(i * 900_000) }];
            const pending = [{ notification, destinations: ['counter'] }];
            await journal.write([{ decisions: decided, notification, destinations: ['counter'] }], new Date());
            await dispatch(delivery, journal, pending, []);
          },
          { wait: true },
        );
    };
    const [a, b] = [replica('a'), replica('b')];
    for (let i = 0; i < RUNS; i++) await Promise.all([a(i), b(i)]);
    const counts = Array.from({ length: RUNS }, (_, i) => sends.get(`run-${i}`) ?? 0);
    const duplicates = counts.filter((n) => n > 1).length;
    const missed = counts.filter((n) => n === 0).length;

    // A holder that claims a run and dies: how long until another replica has run it.
    const takeovers: number[] = [];
    const survivor = claimedRuns(claims('survivor', LEASE_MS), silentLogger);
    for (let i = 0; i < TAKEOVERS; i++) {
      const key = `takeover:${i}`;
      await claims('dead', LEASE_MS).claim(key);
      const died = performance.now();
      await survivor.run(key, () => Promise.resolve(), { wait: true });
      takeovers.push(performance.now() - died);
    }

    const suite = 'cluster (claims in Keeper)';
    return [
      { suite, name: 'claim + complete', value: claimMs, unit: 'ms' },
      { suite, name: 'claim + complete vs SELECT 1', value: claimMs / statementMs, unit: '×', note: 'same warehouse' },
      { suite, name: `notifications sent twice per ${RUNS} raced runs`, value: duplicates, unit: '' },
      { suite, name: `notifications never sent per ${RUNS} raced runs`, value: missed, unit: '' },
      {
        suite,
        name: 'takeover after a dead holder, median',
        value: median(takeovers),
        unit: 'ms',
        note: `lease ${LEASE_MS} ms`,
      },
      { suite, name: 'takeover after a dead holder, worst', value: Math.max(...takeovers), unit: 'ms' },
    ];
  } finally {
    await warehouse.close();
    await zookeeper.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
