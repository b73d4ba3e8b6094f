/**
 * Test support only: one process of a race for a Keeper claim. Opens its own chDB data directory
 * with the Keeper configuration (as a replica on its own server would), waits for the agreed
 * instant, claims the key and prints the outcome as JSON.
 *
 * Run: node --import tsx claim-racer.ts <data-dir> <keeper-config> <key> <holder> <start-ms> <lease-ms>
 */
import { KeeperClaims } from '../../src/coordination/keeper-claims.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';

const [directory = '', configFile = '', key = '', holder = '', startAt = '0', lease = '60000'] = process.argv.slice(2);
const warehouse = openChdbWarehouse(directory, { configFile });
await warehouse.command('CREATE DATABASE IF NOT EXISTS coord');
const claims = new KeeperClaims(warehouse, tableName('coord.claims'), holder, Number(lease));
await claims.ensure();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const outcome = await claims.claim(key).catch((error: unknown) => ({ kind: 'error', error: String(error) }));
process.stdout.write(`${JSON.stringify(outcome)}\n`);
await warehouse.close();
