import { describe, expect, it } from 'vitest';
import { createSlicesTableSql, createUserDaysTableSql } from '../../src/etl/etl-tables.js';
import { clusterWarehouse } from '../../src/warehouse/cluster-warehouse.js';
import { createStagingTable } from '../../src/warehouse/day-partition.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

const opened = useEmbeddedWarehouse();

/**
 * Cluster mode makes a staging table with the target's engine and keys read back from
 * system.tables; real ClickHouse must then accept REPLACE PARTITION between the two. (The
 * targets here are not replicated: chDB's replicated tables are read-only. The engine name is
 * all that differs.)
 */
describe("cluster mode's staging tables, on real ClickHouse", () => {
  it.each([
    ['the slices (a tuple key)', 'slices', createSlicesTableSql(tableName('stg.slices'))],
    [
      'the user-day digests (no sorting key)',
      'user_days',
      createUserDaysTableSql(tableName('stg.user_days'), 'digest'),
    ],
    [
      'a single-column key',
      'single',
      'CREATE TABLE IF NOT EXISTS stg.single (event_date Date, n UInt64) ENGINE = ReplacingMergeTree PARTITION BY ' +
        'event_date ORDER BY event_date',
    ],
    [
      'a tuple partition key',
      'pair',
      'CREATE TABLE IF NOT EXISTS stg.pair (event_date Date, generation UInt64, n UInt64) ENGINE = MergeTree ' +
        'PARTITION BY (event_date, generation) ORDER BY (event_date, generation)',
    ],
  ])('accept a day staged like %s', async (_what, name, ddl) => {
    const warehouse = opened();
    await warehouse.command('CREATE DATABASE IF NOT EXISTS stg');
    await warehouse.command(ddl);
    const target = tableName(`stg.${name}`);
    const staging = tableName(`${target.database}.${target.table}_staging_20240310_abcd`);
    // Only the staging statements go through cluster mode: the target's own DDL would be ON CLUSTER.
    await createStagingTable(clusterWarehouse(warehouse, { name: 'prod', zooPath: '/p' }), staging, target);
    await warehouse.command(`INSERT INTO ${staging.sql} (event_date) VALUES ('2024-03-10')`);
    const [{ partition } = { partition: '' }] = await warehouse.query<{ partition: string }>(
      `SELECT any(_partition_id) AS partition FROM ${staging.sql}`,
    );
    await warehouse.command(`ALTER TABLE ${target.sql} REPLACE PARTITION ID '${partition}' FROM ${staging.sql}`);
    const [{ n } = { n: 0 }] = await warehouse.query<{ n: number }>(`SELECT count() AS n FROM ${target.sql}`);
    expect(n).toBe(1);
  });
});
