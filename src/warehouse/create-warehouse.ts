import type { WarehouseConfig } from '../config/schema.js';
import { openChdbWarehouse } from './chdb-warehouse.js';
import { openServerWarehouse, type ServerWarehouseOptions } from './server-warehouse.js';
import type { Warehouse } from './warehouse.js';

/** Opens the configured warehouse: a ClickHouse server if configured, else embedded chDB. */
export function createWarehouse(config: WarehouseConfig, serverOptions?: ServerWarehouseOptions): Warehouse {
  return config.server ? openServerWarehouse(config.server, serverOptions) : openChdbWarehouse(config.embedded.path);
}
