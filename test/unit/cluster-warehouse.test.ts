import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { KeeperClaims } from '../../src/coordination/keeper-claims.js';
import { ensureTargetStore, targetStore } from '../../src/etl/target.js';
import { NotificationJournal } from '../../src/notify/journal.js';
import { ensureVigilTables, vigilTables } from '../../src/tables/vigil-tables.js';
import { clusterWarehouse, checkClusterMode, ClusterModeError } from '../../src/warehouse/cluster-warehouse.js';
import { createStagingTable, publishDay } from '../../src/warehouse/day-partition.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import type { StatementOptions, Warehouse } from '../../src/warehouse/warehouse.js';
import { WarehouseError } from '../../src/warehouse/warehouse-error.js';

const CLUSTER = { name: 'prod', zooPath: '/clickhouse/vigil/{database}/{table}' };
const REPLICATED = "ENGINE = ReplicatedMergeTree('/clickhouse/vigil/{database}/{table}', '{replica}')";

/**
 * A server that records every statement and its settings, and answers the few reads cluster mode
 * makes from canned rows. There is no ClickHouse cluster here (chDB's replicated tables stay
 * read-only), so the rewrites are checked as the statements a cluster would receive.
 */
function recordingServer(
  answers: (sql: string) => Record<string, unknown>[] = () => [],
  fail?: (sql: string) => Error | undefined,
) {
  const statements: { sql: string; settings: Record<string, unknown> }[] = [];
  const record = (sql: string, options?: StatementOptions) => {
    statements.push({ sql: sql.replace(/\s+/g, ' ').trim(), settings: { ...options?.settings } });
    const error = fail?.(sql);
    if (error) throw error;
  };
  const warehouse: Warehouse = {
    kind: 'server',
    location: 'recording',
    query: <Row>(sql: string, options?: StatementOptions) => {
      record(sql, options);
      return Promise.resolve(answers(sql) as Row[]);
    },
    command: (sql, options) => {
      record(sql, options);
      return Promise.resolve();
    },
    insert: (table, _rows, options) => {
      record(`INSERT INTO ${table.sql}`, options);
      return Promise.resolve();
    },
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { warehouse, statements };
}

describe('warehouse.cluster in the config', () => {
  it('needs a server, and defaults the Keeper path of the replicated tables', () => {
    const embedded = configSchema.safeParse({ warehouse: { cluster: { name: 'prod' } } });
    expect(embedded.success).toBe(false);
    expect(embedded.error?.issues[0]).toMatchObject({
      path: ['warehouse', 'cluster'],
      message: 'cluster mode needs warehouse.server',
    });
    const server = configSchema.parse({ warehouse: { server: { url: 'http://ch:8123' }, cluster: { name: 'prod' } } });
    expect(server.warehouse.cluster).toEqual(CLUSTER);
  });
});

describe('cluster mode, statement by statement', () => {
  it("makes vigil's tables ON CLUSTER, replicated to every host on one Keeper path", async () => {
    const server = recordingServer();
    await ensureVigilTables(clusterWarehouse(server.warehouse, CLUSTER), vigilTables('vigil_c1'));
    // Each is looked for on this host first (nothing is there here).
    const ddl = server.statements.map((s) => s.sql).filter((sql) => !sql.startsWith('SELECT 1 FROM system.'));
    expect(ddl[0]).toBe('CREATE DATABASE IF NOT EXISTS `vigil_c1` ON CLUSTER `prod`');
    const tables = ddl.filter((sql) => sql.startsWith('CREATE TABLE'));
    expect(tables).toHaveLength(5);
    for (const sql of tables) {
      expect(sql).toMatch(/^CREATE TABLE IF NOT EXISTS `vigil_c1`\.`\w+` ON CLUSTER `prod` \(/);
      expect(sql).toMatch(
        /ENGINE = Replicated(Replacing)?MergeTree\('\/clickhouse\/vigil\/\{database\}\/\{table\}', '\{replica\}'\)/,
      );
      expect(sql).not.toMatch(/ENGINE = (Replacing)?MergeTree/);
    }
    // Not sharded: no {shard} in the path, so every host holds every row.
    expect(ddl.join('\n')).not.toContain('{shard}');
  });

  it('makes the ETL target replicated, its view ON CLUSTER, and the claims table in Keeper on every host', async () => {
    const server = recordingServer();
    const cluster = clusterWarehouse(server.warehouse, CLUSTER);
    await ensureTargetStore(cluster, targetStore(tableName('out.slices')));
    await new KeeperClaims(cluster, tableName('vigil.claims'), 'h', 1000).ensure();
    const ddl = server.statements.map((s) => s.sql).filter((sql) => !sql.startsWith('SELECT 1 FROM system.'));
    expect(ddl).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^CREATE TABLE IF NOT EXISTS \`out\`\\.\`slices_rows\` ON CLUSTER \`prod\` ` +
            `.*${escape(REPLICATED)} PARTITION BY`,
        ),
      ),
    );
    expect(ddl).toContainEqual(
      expect.stringMatching(/^CREATE VIEW IF NOT EXISTS `out`\.`slices` ON CLUSTER `prod` AS/),
    );
    expect(ddl).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^CREATE TABLE IF NOT EXISTS \`vigil\`\\.\`claims\` ON CLUSTER \`prod\` \\(.*\\) ${escape(
            "ENGINE = KeeperMap('/vigil/vigil/claims') PRIMARY KEY key",
          )}$`,
        ),
      ),
    );
  });

  it("stages a day here with the target's engine (not Replicated) and keys, syncs, then replaces", async () => {
    const server = recordingServer((sql) =>
      sql.includes('system.tables')
        ? [{ engine: 'ReplicatedReplacingMergeTree', partition_key: 'event_date', sorting_key: 'event_date, user_id' }]
        : sql.includes('count() AS n')
          ? [{ n: 12 }]
          : [],
    );
    const cluster = clusterWarehouse(server.warehouse, CLUSTER);
    const target = tableName('out.slices_user_days');
    const staging = tableName('out.slices_user_days_staging_20240310_0a1b2c3d');
    await createStagingTable(cluster, staging, target);
    await publishDay(cluster, target, staging, '2024-03-10');
    await cluster.command(`DROP TABLE IF EXISTS ${staging.sql}`);
    const commands = server.statements.map((s) => s.sql).filter((sql) => !sql.startsWith('SELECT'));
    expect(commands).toEqual([
      'CREATE TABLE `out`.`slices_user_days_staging_20240310_0a1b2c3d` AS `out`.`slices_user_days` ' +
        'ENGINE = ReplacingMergeTree PARTITION BY event_date ORDER BY (event_date, user_id)',
      'SYSTEM SYNC REPLICA `out`.`slices_user_days` LIGHTWEIGHT',
      "ALTER TABLE `out`.`slices_user_days` REPLACE PARTITION ID '20240310' " +
        'FROM `out`.`slices_user_days_staging_20240310_0a1b2c3d`',
      'DROP TABLE IF EXISTS `out`.`slices_user_days_staging_20240310_0a1b2c3d`',
    ]);
    expect(commands.join('\n')).not.toMatch(/REPLACE PARTITION.*ON CLUSTER|staging\w*` ON CLUSTER/);
  });

  it('sends no distributed DDL for what this host has already (vigil ensures its tables on every run)', async () => {
    const server = recordingServer((sql) => (sql.startsWith('SELECT 1 FROM system.') ? [{ '1': 1 }] : []));
    await ensureVigilTables(clusterWarehouse(server.warehouse, CLUSTER), vigilTables('vigil_c2'));
    const ddl = server.statements.map((s) => s.sql).filter((sql) => /^(CREATE|DROP)/.test(sql));
    expect(ddl).toEqual([]);
  });

  it('drops ON CLUSTER and SYNC, so a table made again finds its Keeper path free', async () => {
    const server = recordingServer();
    const cluster = clusterWarehouse(server.warehouse, CLUSTER);
    await cluster.command('DROP TABLE IF EXISTS `vigil`.`alert_windows`');
    await cluster.command('DROP TABLE `out`.`slices_legacy`');
    await cluster.command('RENAME TABLE `out`.`slices` TO `out`.`slices_legacy`');
    expect(server.statements.map((s) => s.sql)).toEqual([
      'DROP TABLE IF EXISTS `vigil`.`alert_windows` ON CLUSTER `prod` SYNC',
      'DROP TABLE IF EXISTS `out`.`slices_legacy` ON CLUSTER `prod` SYNC',
      'RENAME TABLE `out`.`slices` TO `out`.`slices_legacy` ON CLUSTER `prod`',
    ]);
  });

  it('gives each insert a deduplication token of its own; reads with GLOBAL subqueries', async () => {
    const server = recordingServer();
    const cluster = clusterWarehouse(server.warehouse, CLUSTER);
    const journal = new NotificationJournal(cluster, vigilTables('vigil'));
    const entry = {
      decisions: [{ subject: 'views', slice: '', kind: 'started', window: new Date('2024-03-06T14:00:00Z') }],
      notification: { kind: 'alert' as const, key: 'k', text: 't' },
      destinations: ['telegram'],
    };
    await journal.write([entry], new Date());
    await journal.write([entry], new Date());
    const inserts = server.statements.filter((s) => s.sql.startsWith('INSERT'));
    const tokens = inserts.map((s) => s.settings.insert_deduplication_token);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
    await cluster.query('SELECT 1');
    expect(server.statements.at(-1)?.settings).toMatchObject({ distributed_product_mode: 'global' });
  });

  it('takes a TIMEOUT_EXCEEDED of distributed DDL for "unknown": done if the table is there', async () => {
    const timeout = () =>
      new WarehouseError('Watching task is executing longer than distributed_ddl_task_timeout', {
        code: 159,
        type: 'TIMEOUT_EXCEEDED',
        retryable: false,
      });
    // Not there when looked for first; there once the timed-out DDL has in fact run.
    let attempted = false;
    const present = recordingServer(
      (sql) => (sql.includes('system.tables') && attempted ? [{ '1': 1 }] : []),
      (sql) => {
        if (!sql.startsWith('CREATE TABLE')) return undefined;
        attempted = true;
        return timeout();
      },
    );
    await expect(
      clusterWarehouse(present.warehouse, CLUSTER).command(
        'CREATE TABLE IF NOT EXISTS `vigil`.`runs` (x UInt8) ENGINE = MergeTree ORDER BY x',
      ),
    ).resolves.toBeUndefined();
    expect(attempted).toBe(true);
    const absent = recordingServer(
      () => [],
      (sql) => (sql.startsWith('CREATE TABLE') ? timeout() : undefined),
    );
    await expect(
      clusterWarehouse(absent.warehouse, CLUSTER).command(
        'CREATE TABLE IF NOT EXISTS `vigil`.`runs` (x UInt8) ENGINE = MergeTree ORDER BY x',
      ),
    ).rejects.toThrow('distributed_ddl_task_timeout');
  });

  it('says plainly what the server lacks for cluster mode', async () => {
    const bare = recordingServer(
      (sql) => (sql.includes('system.clusters') ? [{ n: '0' }] : []),
      (sql) => (sql.includes('system.zookeeper') ? new Error('Code: 999. No node') : undefined),
    );
    const error = await checkClusterMode(bare.warehouse, CLUSTER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterModeError);
    expect((error as Error).message).toBe(
      'warehouse.cluster prod cannot be used: no cluster prod in system.clusters (<remote_servers>); ' +
        'no {replica} macro in system.macros (<macros><replica>); ' +
        'no Keeper for replicated tables (<zookeeper>): Code: 999. No node',
    );
    const ready = recordingServer((sql) =>
      sql.includes('system.clusters') ? [{ n: '4' }] : sql.includes('system.macros') ? [{ macro: 'replica' }] : [],
    );
    await expect(checkClusterMode(ready.warehouse, CLUSTER)).resolves.toBeUndefined();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
