import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPng } from '../src/charts/render-png.js';
import { silentLogger } from '../src/log/logger.js';
import { vigilTables } from '../src/tables/vigil-tables.js';
import { dailyChartSpec } from '../src/charts/daily-chart.js';
import { queryReport, runReport } from '../src/report/report-job.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { bestOf, outboxDelivery, type Measurement } from './harness.js';
import { DAY, ensureHistory, SOURCES, TZ } from './etl.bench.js';

/** The report end to end (queries, text, chart, outbox files), and the share spent on the picture. */
export async function benchReport(warehouse: Warehouse, eventsPerDay: number): Promise<Measurement[]> {
  const suite = `report ${eventsPerDay / 1e6}M events/day`;
  await ensureHistory(warehouse, eventsPerDay);
  const outbox = mkdtempSync(join(tmpdir(), 'vigil-bench-outbox-'));
  const settings = { sources: SOURCES, tables: vigilTables('bench_report'), timezone: TZ, locale: 'en' as const };
  const delivery = outboxDelivery(outbox);
  const deps = { warehouse, delivery, logger: silentLogger };
  try {
    // Forced: each run sends the day again, as a first delivery would.
    const endToEnd = await bestOf(3, () => runReport(deps, settings, { day: DAY, force: true }));
    const report = await queryReport(warehouse, settings, DAY);
    const queries = await bestOf(3, () => queryReport(warehouse, settings, DAY));
    const picture = await bestOf(3, () => renderPng(dailyChartSpec(report, 'en')));
    return [
      { suite, name: 'report end to end (to the outbox)', value: endToEnd, unit: 's' },
      { suite, name: 'the two queries over 8 days', value: queries, unit: 's' },
      { suite, name: 'the picture (Vega → SVG → PNG)', value: picture, unit: 's' },
      { suite, name: 'share of the picture', value: picture / endToEnd, unit: '×' },
    ];
  } finally {
    rmSync(outbox, { recursive: true, force: true });
  }
}
