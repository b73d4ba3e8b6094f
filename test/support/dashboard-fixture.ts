import { runAlert } from '../../src/alert/alert-job.js';
import { runEtlDays } from '../../src/etl/etl-range.js';
import { silentLogger } from '../../src/log/logger.js';
import { RunLedger } from '../../src/schedule/run-ledger.js';
import { simulateFresh } from '../../src/simulate/simulate.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { createWebApp } from '../../src/web/web-app.js';
import { outboxDelivery } from './delivery.js';
import { worldSettings } from './settings.js';
import { tempDir } from './temp-dir.js';

/** The dashboard's test world: a simulated product with a messenger outage at 17:00 Moscow on 2024-03-06. */
export const DASHBOARD_AT = new Date('2024-03-06T14:15:00Z');
const TZ = 'Europe/Moscow';
const world = worldSettings('web_src', 'web_state', {
  timezone: TZ,
  etl: { target: 'web_out.slices' },
  serve: { port: 0 },
});
const { sources } = world;

export const dashboardSettings = world.dashboard;

/** Simulates, computes two ETL days and runs the alert that fires, in the given warehouse. */
export async function prepareDashboardData(warehouse: Warehouse): Promise<void> {
  await simulateFresh(warehouse, sources, {
    population: { seed: 11, users: 20_000, eventsPerDay: 300_000 },
    from: new Date('2024-02-26T21:00:00Z'),
    until: DASHBOARD_AT,
    anomalies: [{ metric: 'messages', factor: 0, from: new Date('2024-03-06T14:00:00Z'), to: DASHBOARD_AT }],
    timezone: TZ,
  });
  await runEtlDays({ warehouse, logger: silentLogger }, world.etl, ['2024-03-04', '2024-03-05']);
  const outbox = tempDir('vigil-web-');
  try {
    await runAlert({ warehouse, delivery: outboxDelivery(outbox.path), logger: silentLogger }, world.alert, {
      at: DASHBOARD_AT,
    });
  } finally {
    outbox.remove();
  }
}

export function dashboardApp(warehouse: Warehouse, token?: string) {
  return createWebApp({
    warehouse,
    settings: dashboardSettings,
    ledger: new RunLedger(warehouse, world.tables),
    lastRuns: () => new Map(),
    now: () => DASHBOARD_AT,
    token,
  });
}
