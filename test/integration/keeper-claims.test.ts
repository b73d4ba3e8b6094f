import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeeperClaims, type ClaimOutcome } from '../../src/coordination/keeper-claims.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { countingWarehouse } from '../support/counting-warehouse.js';
import { tempDir } from '../support/temp-dir.js';
import { TSX_IMPORT } from '../support/tsx-loader.js';
import { haveZooKeeper, startZooKeeper, type ZooKeeper } from '../support/zookeeper.js';

const RACER = new URL('../support/claim-racer.ts', import.meta.url).pathname;
/** The holder string of a claimant's claims: its name and the claim's own number. */
const by = (name: string) => expect.stringMatching(new RegExp(`^${name}/\\d+$`)) as unknown as string;
const TABLE = tableName('coord.claims');

describe.skipIf(!haveZooKeeper && process.env.CI === undefined)('claims through Keeper (KeeperMap)', () => {
  let zookeeper: ZooKeeper;
  const dir = tempDir('vigil-claims-');
  let warehouse: Warehouse;
  const claims = (holder: string, leaseMs = 60_000) => new KeeperClaims(warehouse, TABLE, holder, leaseMs);

  beforeAll(async () => {
    zookeeper = await startZooKeeper();
    warehouse = openChdbWarehouse(join(dir.path, 'self'), { configFile: zookeeper.clickhouseConfig });
    await warehouse.command('CREATE DATABASE IF NOT EXISTS coord');
    await claims('setup').ensure();
  }, 60_000);
  afterAll(async () => {
    await warehouse.close();
    await zookeeper.stop();
    dir.remove();
  });

  it('gives a key to the first claimant; the next sees it held, then done', async () => {
    const a = claims('a');
    const won = await a.claim('run:etl:2024-03-05');
    expect(won).toMatchObject({ kind: 'won', claim: { holder: by('a'), token: 1 }, tookOver: false });
    const held = await claims('b').claim('run:etl:2024-03-05');
    expect(held).toMatchObject({ kind: 'held', holder: by('a') });
    expect(held.kind === 'held' && held.expiresInMs > 50_000).toBe(true);
    if (won.kind !== 'won') throw new Error('a did not win');
    expect(await a.complete(won.claim)).toBe(true);
    expect(await claims('b').claim('run:etl:2024-03-05')).toEqual({ kind: 'done', holder: by('a') });
    // A person's re-run takes finished work over, with the next token.
    expect(await claims('b').claim('run:etl:2024-03-05', true)).toMatchObject({
      kind: 'won',
      claim: { holder: by('b'), token: 2 },
      tookOver: true,
    });
  });

  it('lets another take over an expired lease, after which the first holder knows it lost', async () => {
    const a = claims('a', 400);
    const won = await a.claim('run:alert:T1');
    if (won.kind !== 'won') throw new Error('a did not win');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const taken = await claims('b', 400).claim('run:alert:T1');
    expect(taken).toMatchObject({ kind: 'won', claim: { holder: by('b'), token: 2 }, tookOver: true });
    expect(await a.renew(won.claim)).toBe(false);
    expect(await a.holds(won.claim)).toBe(false);
    expect(await a.complete(won.claim)).toBe(false);
  });

  it('keeps a renewed lease from being taken over', async () => {
    const a = claims('a', 800);
    const won = await a.claim('run:alert:T2');
    if (won.kind !== 'won') throw new Error('a did not win');
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await a.renew(won.claim)).toBe(true);
    }
    expect(await claims('b', 800).claim('run:alert:T2')).toMatchObject({ kind: 'held', holder: by('a') });
  });

  it('tells two claims of one process apart: of two racing to take one key over, one wins', async () => {
    const released = await claims('p').claim('send:m2:telegram');
    if (released.kind !== 'won') throw new Error('p did not win');
    await claims('p').release(released.claim);
    const same = claims('p');
    const outcomes = await Promise.all([same.claim('send:m2:telegram'), same.claim('send:m2:telegram')]);
    expect(outcomes.filter((o) => o.kind === 'won')).toHaveLength(1);
  });

  it('frees failed work at once', async () => {
    const a = claims('a');
    const won = await a.claim('send:m1:telegram');
    if (won.kind !== 'won') throw new Error('a did not win');
    await a.release(won.claim);
    expect(await claims('b').claim('send:m1:telegram')).toMatchObject({ kind: 'won', tookOver: true });
  });

  it('never writes a claim without strict mode (without it, racing processes both win)', async () => {
    const counted = countingWarehouse(warehouse);
    const settings: unknown[] = [];
    const recording: Warehouse = {
      ...counted.warehouse,
      command: (sql, options) => {
        if (/^\s*(INSERT|ALTER)/i.test(sql)) settings.push(options?.settings);
        return counted.warehouse.command(sql, options);
      },
    };
    const a = new KeeperClaims(recording, TABLE, 'a', 300);
    const won = await a.claim('strict:1');
    if (won.kind !== 'won') throw new Error('a did not win');
    await a.renew(won.claim);
    await a.complete(won.claim);
    await new KeeperClaims(recording, TABLE, 'b', 300).claim('strict:1', true);
    await a.release(won.claim);
    await a.prune(86_400_000);
    expect(settings.length).toBeGreaterThanOrEqual(6);
    for (const given of settings) expect(given).toMatchObject({ keeper_map_strict_mode: 1 });
  });

  /** N processes, each on its own chDB sharing only Keeper, claim one key at the same instant. */
  async function race(key: string, racers: number, leaseMs: number): Promise<ClaimOutcome[]> {
    const startAt = Date.now() + 6_000;
    return Promise.all(
      Array.from({ length: racers }, (_, i) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            TSX_IMPORT,
            RACER,
            join(dir.path, `racer-${i}`),
            zookeeper.clickhouseConfig,
            key,
            `racer-${i}`,
            String(startAt),
            String(leaseMs),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        return new Promise<ClaimOutcome>((resolve, reject) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
          child.on('close', () => {
            clearTimeout(timer);
            try {
              resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ClaimOutcome);
            } catch {
              reject(new Error(`racer ${i} printed ${out}`));
            }
          });
        });
      }),
    );
  }

  it('gives one key to exactly one of four processes racing for it', async () => {
    const outcomes = await race('race:fresh', 4, 60_000);
    expect(outcomes.filter((o) => o.kind === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'held')).toHaveLength(3);
  }, 90_000);

  it('gives an expired lease to exactly one of four processes taking it over, round after round', async () => {
    for (let round = 0; round < 3; round++) {
      const key = `race:expired:${round}`;
      const old = await claims('crashed', 1).claim(key);
      expect(old.kind).toBe('won');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const outcomes = await race(key, 4, 60_000);
      const winners = outcomes.filter((o) => o.kind === 'won');
      expect(winners, `round ${round}`).toHaveLength(1);
      expect(winners[0]).toMatchObject({ tookOver: true, claim: { token: 2 } });
      expect(
        outcomes.filter((o) => o.kind === 'held'),
        `round ${round}`,
      ).toHaveLength(3);
    }
  }, 240_000);
});
