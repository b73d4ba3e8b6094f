import { describe, expect, it } from 'vitest';
import { CoordinationUnavailable, KeeperClaims } from '../../src/coordination/keeper-claims.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

const opened = useEmbeddedWarehouse();

describe('claims without Keeper on the server', () => {
  it('say plainly that the server has no Keeper for KeeperMap tables (code 36)', async () => {
    const warehouse = opened();
    await warehouse.command('CREATE DATABASE IF NOT EXISTS coord');
    const error: unknown = await new KeeperClaims(warehouse, tableName('coord.claims'), 'a', 1000)
      .ensure()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinationUnavailable);
    expect((error as CoordinationUnavailable).message).toBe('the ClickHouse server has no Keeper for KeeperMap tables');
    expect((error as CoordinationUnavailable).hint).toContain('serve.coordination: none');
  });
});
