import { mkdirSync } from 'node:fs';
import { Session } from 'chdb';
import { acquireEmbeddedLock } from './embedded-lock.js';
import type { TableName } from './identifiers.js';
import { settingsClause } from './sql-settings.js';
import type { StatementOptions, Warehouse } from './warehouse.js';
import { CLOSED, clickHouseError, parseClickHouseError, WAREHOUSE_LOCKED, WarehouseError } from './warehouse-error.js';

/**
 * Embedded ClickHouse (chDB) in this process, persisted in one data directory. chDB allows one
 * data directory per process and one process per data directory.
 */
export function openChdbWarehouse(directory: string, options: { configFile?: string } = {}): Warehouse {
  mkdirSync(directory, { recursive: true });
  const lock = acquireEmbeddedLock(directory);
  if ('holder' in lock) throw lockedError(directory, `process ${lock.holder}`);

  let session: Session;
  try {
    // A server configuration file, e.g. one naming Keeper for KeeperMap tables.
    session =
      options.configFile === undefined
        ? new Session(directory)
        : new Session(directory, { connectionArgs: [`--config-file=${options.configFile}`] });
  } catch (error) {
    lock.release();
    throw lockedError(directory, 'another process', error);
  }

  // One statement at a time on the connection: chDB's session is a single engine connection.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  let open = true;

  const run = (sql: string, options: StatementOptions | undefined, format: string) =>
    serialized(async () => {
      if (!open) throw new WarehouseError('the embedded warehouse is closed', { type: CLOSED, retryable: false });
      try {
        const statement = sql.trimEnd().replace(/;$/, '') + settingsClause(options?.settings);
        const result = await session.queryBindAsync(statement, options?.params ?? {}, { format });
        return result.text();
      } catch (error) {
        throw toWarehouseError(error);
      }
    });

  return {
    kind: 'embedded',
    location: directory,
    async query<Row>(sql: string, options?: StatementOptions): Promise<Row[]> {
      const text = await run(sql, options, 'JSONEachRow');
      return parseJsonEachRow<Row>(text);
    },
    async command(sql, options) {
      await run(sql, options, 'TabSeparated');
    },
    async insert(table: TableName, rows, options) {
      if (rows.length === 0) return;
      const payload = rows.map((row) => JSON.stringify(row, jsonSafe)).join('\n');
      await run(
        `INSERT INTO ${table.sql}${settingsClause(options?.settings)} FORMAT JSONEachRow\n${payload}`,
        undefined,
        'TabSeparated',
      );
    },
    async ping() {
      await run('SELECT 1', undefined, 'TabSeparated');
    },
    close() {
      return serialized(() => {
        if (open) {
          open = false;
          session.close();
          lock.release();
        }
        return Promise.resolve();
      });
    },
  };
}

function lockedError(directory: string, holder: string, cause?: unknown): WarehouseError {
  return new WarehouseError(
    `the embedded warehouse at ${directory} is in use by ${holder} (chDB lets one process open a data directory). ` +
      'Stop that process (for example a running `vigil serve`) and try again, ' +
      'or give this command its own warehouse.embedded.path.',
    { type: WAREHOUSE_LOCKED, retryable: true, cause },
  );
}

function toWarehouseError(error: unknown): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const parsed = parseClickHouseError(text);
  if (parsed) return clickHouseError(parsed, error);
  return new WarehouseError(`embedded ClickHouse failed: ${text}`, {
    type: 'EMBEDDED',
    retryable: false,
    cause: error,
  });
}

/** Rows of a JSONEachRow result, one JSON object a line. */
function parseJsonEachRow<Row>(text: string): Row[] {
  const rows: Row[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) rows.push(JSON.parse(text.slice(start, end)) as Row);
    start = end + 1;
  }
  return rows;
}

/** bigint is not JSON; ClickHouse reads a quoted 64-bit integer fine. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
