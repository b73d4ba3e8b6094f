import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKey } from '../../src/app/coordination.js';
import { openServerWarehouse } from '../../src/warehouse/server-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { evaluatedWindow } from '../../src/windows/windows.js';
import { startClickHouseFront, type ClickHouseFront } from '../support/clickhouse-front-process.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { tempDir } from '../support/temp-dir.js';
import { TSX_IMPORT } from '../support/tsx-loader.js';
import { vigil } from '../support/vigil.js';
import { haveZooKeeper, startZooKeeper, type ZooKeeper } from '../support/zookeeper.js';

const TOKEN = '555:replicas';
const PASSWORD = 'replicas-Passw0rd';
const LEASE_MS = 2_000;
const MINUTE = 60_000;
/** The longest a round takes when nothing goes wrong, with room to spare. */
const ROUND_MS = 75_000;
const CLI = new URL('../support/cli-entry.ts', import.meta.url).pathname;

interface Replica {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly log: string[];
  exited: boolean;
}

/**
 * Two `vigil serve` processes against one Keeper-backed ClickHouse (the HTTP front over chDB,
 * with ZooKeeper): every run and every send is claimed, so each happens once; a holder killed or
 * frozen mid-run is taken over. Each round makes the alert judge another window (a smaller
 * alerts.lag), whose repeats are new notifications: no state needs resetting between rounds.
 */
describe.skipIf(!haveZooKeeper && process.env.CI === undefined)('vigil serve replicas through Keeper', () => {
  let zookeeper: ZooKeeper;
  let front: ClickHouseFront;
  let fake: FakeTelegram;
  let warehouse: Warehouse;
  const dir = tempDir('vigil-serve-replicas-');
  const env = { CH_PW: PASSWORD, TG: TOKEN };
  const running: Replica[] = [];
  let round = 0;
  const failovers: number[] = [];

  beforeAll(async () => {
    zookeeper = await startZooKeeper();
    front = await startClickHouseFront('vigil', PASSWORD, { configFile: zookeeper.clickhouseConfig });
    fake = await startFakeTelegram(TOKEN);
    warehouse = openServerWarehouse({
      url: front.url,
      username: 'vigil',
      password: PASSWORD,
      database: 'default',
      requestTimeout: 30_000,
      retries: 0,
    });
    configure(0);
    const simulated = await vigil(
      [
        'simulate',
        '--days',
        '2',
        '--users',
        '3000',
        '--events-per-day',
        '60000',
        '--anomaly',
        'metric=messages,factor=0,last=4h',
      ],
      { cwd: dir.path, env },
    );
    expect(simulated.code, simulated.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    for (const replica of running) replica.child.kill('SIGKILL');
    await warehouse.close();
    await fake.close();
    await front.stop();
    await zookeeper.stop();
    dir.remove();
    if (failovers.length > 0) {
      const sorted = [...failovers].sort((a, b) => a - b);
      console.log(
        `failover over ${sorted.length} kills: median ${sorted[Math.floor(sorted.length / 2)] ?? 0} ms, ` +
          `worst ${sorted.at(-1) ?? 0} ms`,
      );
    }
  });

  /** The config of a round: its alert judges the window `3h − 15 min × round` back. */
  function configure(lagMinutes: number) {
    writeFileSync(
      join(dir.path, 'vigil.yaml'),
      [
        'timezone: UTC',
        `warehouse: { server: { url: "${front.url}", username: vigil, password: "\${CH_PW}", retries: 0 } }`,
        `alerts: { lag: ${lagMinutes}m, repeat: 15m, group: false }`,
        `notify: { budget: 3s, deadline: 2m, telegram: { token: "\${TG}", chatId: -1, apiRoot: "${fake.apiRoot}" } }`,
        `serve: { port: 0, coordination: keeper, lease: ${LEASE_MS / 1000}s }`,
        "schedule: { alert: '*/2 * * * * *', etl: '0 0 1 1 *', report: '0 0 1 1 *', catchupDays: 0, " +
          'retries: 10, retryDelay: 2s }',
      ].join('\n'),
    );
  }

  /**
   * Starts a round: a window of its own (and its config), returning its claim key and window. A
   * round never straddles the end of a 15-minute window (the replicas would judge the next one too,
   * and rightly send its repeats): close to one, it waits for the next to begin.
   */
  async function nextRound() {
    const toWindowEnd = 15 * MINUTE - (Date.now() % (15 * MINUTE));
    if (toWindowEnd < ROUND_MS) await new Promise((resolve) => setTimeout(resolve, toWindowEnd + 1_000));
    round += 1;
    const lagMinutes = 180 - 15 * round;
    configure(lagMinutes);
    const window = evaluatedWindow(new Date(), lagMinutes * MINUTE);
    return { key: runKey('alert', new Date(), lagMinutes * MINUTE), window };
  }

  async function startReplica(): Promise<Replica> {
    const child = spawn(process.execPath, ['--import', TSX_IMPORT, CLI, 'serve'], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (child.pid === undefined) throw new Error('serve did not start');
    const log: string[] = [];
    const lines = createInterface({ input: child.stderr });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log.join('\n')}`)), 60_000);
      lines.on('line', (line) => {
        log.push(line);
        const found = /dashboard (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    const replica: Replica = { child, pid: child.pid, url, log, exited: false };
    child.once('exit', () => (replica.exited = true));
    running.push(replica);
    return replica;
  }

  async function stop(...replicas: Replica[]) {
    await Promise.all(
      replicas.map(async (replica) => {
        if (replica.exited) return;
        const exited = new Promise((resolve) => replica.child.once('exit', resolve));
        replica.child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  /** The messages the alert decided about a window (written ahead of sending). */
  async function decided(window: Date): Promise<number> {
    const [row] = await warehouse.query<{ n: string }>(
      `SELECT uniqExact(message) AS n FROM vigil.notifications
       WHERE entry = 'decided' AND message != '' AND window_start = {window:DateTime('UTC')}`,
      { params: { window: window.toISOString().slice(0, 19).replace('T', ' ') } },
    );
    return Number(row?.n ?? 0);
  }

  /** Who holds a claim now (its pid) and whether the work is done, from the claims in Keeper. */
  async function claimOf(key: string): Promise<{ pid: number; state: string } | undefined> {
    const [row] = await warehouse.query<{ holder: string; state: string }>(
      'SELECT holder, state FROM vigil.claims WHERE key = {key:String}',
      { params: { key } },
    );
    return row === undefined ? undefined : { pid: Number(row.holder.split(':')[1]), state: row.state };
  }
  const holderPid = async (key: string) => (await claimOf(key))?.pid;
  const finishedBy = async (key: string, replica: Replica) => {
    const claim = await claimOf(key);
    return claim?.pid === replica.pid && claim.state === 'done';
  };

  const sentSince = (from: number) => fake.received.slice(from).map((r) => r.caption ?? r.text ?? '');
  const until = async (condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it(
    'runs each window once between two replicas and sends each notification once',
    async () => {
      const { key, window } = await nextRound();
      const from = fake.received.length;
      const [a, b] = await Promise.all([startReplica(), startReplica()]);
      await until(async () => (await decided(window)) > 0, 60_000, 'the alert to decide');
      const expected = await decided(window);
      await until(() => sentSince(from).length >= expected, 60_000, 'the alerts to be sent');
      // Many ticks later (every 2 s), still each message once.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const sent = sentSince(from);
      expect(sent).toHaveLength(expected);
      expect(new Set(sent).size).toBe(expected);
      const holder = await holderPid(key);
      expect([a.pid, b.pid]).toContain(holder);
      const other = holder === a.pid ? b : a;
      expect(other.log.join('\n')).toMatch(/alert \S+: not run here: done by /);
      // Telegram's buttons are answered by one replica: a second poller would get 409.
      const pollers = [a, b].filter((r) => r.log.some((line) => line.includes('this replica answers the buttons')));
      expect(pollers).toHaveLength(1);
      for (const replica of [a, b]) {
        const health = (await (await fetch(`${replica.url}/healthz`)).json()) as {
          coordination?: { mode: string; ok: boolean };
        };
        expect(health.coordination).toEqual({ mode: 'keeper', ok: true });
      }
      await stop(a, b);
    },
    120_000 + ROUND_MS,
  );

  it(
    'completes the run on the other replica when its holder is killed mid-send (kill -9), in rounds',
    async () => {
      fake.answerSendsAfter(1_200);
      try {
        for (let repetition = 0; repetition < 4; repetition++) {
          const { key, window } = await nextRound();
          const from = fake.received.length;
          const [a, b] = await Promise.all([startReplica(), startReplica()]);
          // Kill whoever holds the run once its first message is on its way.
          await until(() => sentSince(from).length >= 1, 60_000, 'the first send');
          const holder = await holderPid(key);
          const victim = holder === a.pid ? a : b;
          const survivor = victim === a ? b : a;
          victim.child.kill('SIGKILL');
          const killedAt = Date.now();
          const expected = await decided(window);
          await until(() => finishedBy(key, survivor), 90_000, `round ${repetition}: the survivor to finish`).catch(
            async (error: unknown) => {
              throw new Error(
                `${String(error)}; claim ${JSON.stringify(await claimOf(key))}, victim ${victim.pid}\n` +
                  `survivor ${survivor.pid}:\n${survivor.log.slice(-15).join('\n')}\n` +
                  `victim:\n${victim.log.slice(-8).join('\n')}`,
              );
            },
          );
          await until(() => new Set(sentSince(from)).size >= expected, 30_000, `round ${repetition}: every alert`);
          failovers.push(Date.now() - killedAt);
          const sent = sentSince(from);
          expect(new Set(sent).size, `round ${repetition}`).toBe(expected);
          // Only the message in flight when the holder died may go out twice (docs/cluster.md).
          expect(sent.length - new Set(sent).size, `round ${repetition}`).toBeLessThanOrEqual(1);
          // Whichever polled Telegram before, the survivor does now.
          await until(
            () => survivor.log.some((line) => line.includes('this replica answers the buttons')),
            15_000,
            'the survivor to answer the buttons',
          );
          await stop(a, b);
        }
      } finally {
        fake.answerSendsAfter(0);
      }
    },
    600_000 + ROUND_MS,
  );

  it(
    'sends nothing for a run it lost while frozen (SIGSTOP for twice the lease, then SIGCONT)',
    async () => {
      fake.answerSendsAfter(1_200);
      try {
        const { key, window } = await nextRound();
        const from = fake.received.length;
        const [a, b] = await Promise.all([startReplica(), startReplica()]);
        await until(() => sentSince(from).length >= 1, 60_000, 'the first send');
        const holder = (await holderPid(key)) === a.pid ? a : b;
        const other = holder === a ? b : a;
        holder.child.kill('SIGSTOP');
        const expected = await decided(window);
        await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
        await until(() => finishedBy(key, other), 90_000, 'the other replica to finish');
        await until(() => new Set(sentSince(from)).size >= expected, 30_000, 'every alert');
        const before = sentSince(from).length;
        holder.child.kill('SIGCONT');
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        expect(sentSince(from).length).toBe(before);
        expect(before - expected).toBeLessThanOrEqual(1);
        expect(holder.log.join('\n')).toMatch(
          /lost its claim|finished after another process took it over|being sent by|sent by/,
        );
        await stop(a, b);
      } finally {
        fake.answerSendsAfter(0);
      }
    },
    180_000 + ROUND_MS,
  );

  it(
    'sends nothing while ZooKeeper is down, and runs once it is back',
    async () => {
      const { window } = await nextRound();
      const from = fake.received.length;
      await zookeeper.pause();
      let a: Replica | undefined;
      let b: Replica | undefined;
      try {
        [a, b] = await Promise.all([startReplica(), startReplica()]);
        await new Promise((resolve) => setTimeout(resolve, 20_000));
        expect(sentSince(from)).toEqual([]);
        const health = (await (await fetch(`${a.url}/healthz`)).json()) as { status: string };
        expect(health.status).toBe('degraded');
      } finally {
        await zookeeper.resume();
      }
      await until(async () => (await decided(window)) > 0, 90_000, 'the alert to run after Keeper is back');
      const expected = await decided(window);
      await until(() => sentSince(from).length >= expected, 60_000, 'the alerts to be sent');
      expect(new Set(sentSince(from)).size).toBe(expected);
      await stop(a, b);
    },
    240_000 + ROUND_MS,
  );
});
