import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDelivery } from '../src/app/create-delivery.js';
import { silentLogger } from '../src/log/logger.js';
import type { Delivery } from '../src/notify/dispatch.js';
import { openChdbWarehouse } from '../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';

/** One line of a benchmark's report. */
export interface Measurement {
  readonly suite: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is compared with, when it is a ratio. */
  readonly note?: string;
}

/** Wall-clock seconds of one run of `work`, after a GC so earlier garbage is not billed to it. */
export async function time<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const result = await work();
  return { seconds: (performance.now() - started) / 1000, result };
}

/** The best of `runs` timings: the least disturbed by the machine's other work. */
export async function bestOf(runs: number, work: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) best = Math.min(best, (await time(work)).seconds);
  return best;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Peak resident set size of this process so far, in MiB (chDB runs inside it). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** An embedded warehouse in a temporary directory for one benchmark run. */
export function benchWarehouse(): { warehouse: Warehouse; dispose: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const warehouse = openChdbWarehouse(dir);
  return {
    warehouse,
    dispose: async () => {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Delivery into an outbox folder only, as vigil delivers with no destination configured. */
export function outboxDelivery(outbox: string): Delivery {
  const settings = { outbox, telegram: undefined, webhook: undefined, email: undefined, routes: [] };
  return createDelivery(
    { ...settings, budgetMs: 60_000, deadlineMs: 120_000 },
    { logger: silentLogger, now: () => new Date() },
  );
}
