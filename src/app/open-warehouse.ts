import type { WarehouseConfig } from '../config/schema.js';
import type { ServerWarehouseOptions } from '../warehouse/server-warehouse.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * Opens the configured warehouse: a ClickHouse server if configured, else embedded chDB. Each
 * adapter is loaded only when used: embedded ClickHouse alone is hundreds of megabytes.
 */
export async function openWarehouse(
  config: WarehouseConfig,
  serverOptions?: ServerWarehouseOptions,
): Promise<Warehouse> {
  if (config.server) {
    const { openServerWarehouse } = await import('../warehouse/server-warehouse.js');
    const server = openServerWarehouse(config.server, serverOptions);
    if (!config.cluster) return server;
    const { checkClusterMode, clusterWarehouse } = await import('../warehouse/cluster-warehouse.js');
    try {
      await checkClusterMode(server, config.cluster);
    } catch (error) {
      await server.close();
      throw error;
    }
    return clusterWarehouse(server, config.cluster);
  }
  const { openChdbWarehouse } = await import('../warehouse/chdb-warehouse.js');
  return openChdbWarehouse(config.embedded.path);
}
