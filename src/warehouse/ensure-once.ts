import type { Warehouse } from './warehouse.js';

const ensured = new WeakMap<Warehouse, Set<string>>();

/**
 * A step of {@link ensureOnce}: idempotent DDL (`CREATE … IF NOT EXISTS`), or work of its own
 * named by a key (an `ALTER` made only when needed: even one that changes nothing rewrites the
 * table's metadata).
 */
export type EnsureStep = string | { readonly key: string; readonly run: (warehouse: Warehouse) => Promise<void> };

/**
 * Runs each step once per warehouse connection: a job that runs every 15 minutes in one process
 * should not pay for it on every run. Forgotten when the connection is closed and reopened (a new
 * Warehouse object).
 */
export async function ensureOnce(warehouse: Warehouse, steps: readonly EnsureStep[]): Promise<void> {
  let done = ensured.get(warehouse);
  if (!done) {
    done = new Set();
    ensured.set(warehouse, done);
  }
  for (const step of steps) {
    const key = typeof step === 'string' ? step : step.key;
    if (done.has(key)) continue;
    if (typeof step === 'string') await warehouse.command(step, { idempotent: true });
    else await step.run(warehouse);
    done.add(key);
  }
}

/** Forgets what was ensured (after tables were dropped on purpose). */
export function forgetEnsured(warehouse: Warehouse): void {
  ensured.delete(warehouse);
}
