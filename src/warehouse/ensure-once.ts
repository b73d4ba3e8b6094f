import type { Warehouse } from './warehouse.js';

const ensured = new WeakMap<Warehouse, Set<string>>();

/**
 * Runs idempotent DDL (`CREATE … IF NOT EXISTS`) once per warehouse connection: a job that runs
 * every 15 minutes in one process should not pay for it on every run. Forgotten when the
 * connection is closed and reopened (a new Warehouse object).
 */
export async function ensureOnce(warehouse: Warehouse, statements: readonly string[]): Promise<void> {
  let done = ensured.get(warehouse);
  if (!done) {
    done = new Set();
    ensured.set(warehouse, done);
  }
  for (const sql of statements) {
    if (done.has(sql)) continue;
    await warehouse.command(sql, { idempotent: true });
    done.add(sql);
  }
}

/** Forgets what was ensured (after tables were dropped on purpose). */
export function forgetEnsured(warehouse: Warehouse): void {
  ensured.delete(warehouse);
}
