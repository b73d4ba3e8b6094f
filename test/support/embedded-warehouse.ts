import { afterAll, beforeAll } from 'vitest';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { tempDir } from './temp-dir.js';

/**
 * An embedded warehouse in a temporary directory for the tests of one file (chDB allows one data
 * directory per process, and each test file is its own process). Call at the top of the file;
 * the returned function gives the open warehouse inside tests.
 */
export function useEmbeddedWarehouse(): () => Warehouse {
  let warehouse: Warehouse | undefined;
  let dir: { path: string; remove: () => void } | undefined;
  beforeAll(() => {
    dir = tempDir();
    warehouse = openChdbWarehouse(dir.path);
  });
  afterAll(async () => {
    await warehouse?.close();
    dir?.remove();
  });
  return () => {
    if (!warehouse) throw new Error('the embedded warehouse is opened in beforeAll');
    return warehouse;
  };
}
