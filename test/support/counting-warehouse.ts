import type { Warehouse } from '../../src/warehouse/warehouse.js';

/**
 * A warehouse that counts the statements passing through it (queries, commands, and inserts by
 * table) and keeps the queries' SQL.
 */
export function countingWarehouse(inner: Warehouse) {
  let counts: Record<string, number> = {};
  let queries: string[] = [];
  const count = (what: string) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  const warehouse: Warehouse = {
    ...inner,
    query: (sql, options) => {
      count('query');
      queries.push(sql);
      return inner.query(sql, options);
    },
    command: (sql, options) => {
      count('command');
      return inner.command(sql, options);
    },
    insert: (table, rows, options) => {
      count(`insert ${table.database}.${table.table}`);
      return inner.insert(table, rows, options);
    },
  };
  return {
    warehouse,
    reset: () => {
      counts = {};
      queries = [];
    },
    queries: (): readonly string[] => queries,
    snapshot: (): Record<string, number> => ({ ...counts }),
  };
}
