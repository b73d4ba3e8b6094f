import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertMetricsFrom, runAlert } from '../src/alert/alert-job.js';
import { feedWindowsSql, messengerWindowsSql } from '../src/alert/alert-queries.js';
import { buildHistory, type FeedWindowRow, type MessengerWindowRow } from '../src/alert/alert-series.js';
import { worthNotifying } from '../src/alert/noise-gate.js';
import { iqrDetector } from '../src/detect/iqr-detector.js';
import { silentLogger } from '../src/log/logger.js';
import { OutboxNotifier } from '../src/notify/outbox-notifier.js';
import { addDays, fromSqlDateTime, startOfDay, toSqlDateTime } from '../src/time/time.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { bestOf, type Measurement } from './harness.js';
import { DAY, ensureHistory, SOURCES, TZ } from './etl.bench.js';

/**
 * The alert job end to end on normal data (queries, detection, state; nothing to send), and how
 * often a normal simulated week would have notified: each window judged as the live job would.
 */
export async function benchAlert(warehouse: Warehouse, eventsPerDay: number): Promise<Measurement[]> {
  const suite = `alert ${eventsPerDay / 1e6}M events/day`;
  await ensureHistory(warehouse, eventsPerDay);
  const outbox = mkdtempSync(join(tmpdir(), 'vigil-bench-alert-'));
  const metrics = alertMetricsFrom({});
  const settings = { sources: SOURCES, timezone: TZ, locale: 'en' as const, database: 'bench_alert', lagMs: 0, repeatMs: 3_600_000, dashboardUrl: undefined, metrics, slices: [] };
  const at = new Date(`${DAY}T20:00:00Z`);
  try {
    const evaluation = await bestOf(3, () => runAlert({ warehouse, delivery: { notifier: new OutboxNotifier(outbox), logger: silentLogger }, logger: silentLogger }, settings, at));
    const dayParams = { start: toSqlDateTime(startOfDay(DAY, TZ)), end: toSqlDateTime(startOfDay(addDays(DAY, 1), TZ)) };
    const plainScan = await bestOf(3, () =>
      warehouse.command(
        `SELECT user_id, count() FROM ${SOURCES.feed.sql} WHERE time >= {start:DateTime('UTC')} AND time < {end:DateTime('UTC')} GROUP BY user_id FORMAT Null`,
        { params: dayParams },
      ),
    );

    const params = { from: toSqlDateTime(startOfDay(addDays(DAY, -6), TZ)), to: toSqlDateTime(startOfDay(addDays(DAY, 1), TZ)) };
    const feed = await warehouse.query<FeedWindowRow>(feedWindowsSql(SOURCES), { params });
    const history = buildHistory(
      feed.map((row) => fromSqlDateTime(row.window).getTime()),
      feed,
      await warehouse.query<MessengerWindowRow>(messengerWindowsSql(SOURCES), { params }),
    );
    let raw = 0;
    let gated = 0;
    for (const { metric, options, minChange } of metrics) {
      const detector = iqrDetector(options);
      const series = history.series[metric];
      for (let i = 0; i < series.length; i++) {
        const past = series.slice(0, i + 1);
        const verdict = detector.judgeLast(past);
        if (!verdict.alert) continue;
        raw++;
        if (worthNotifying(metric, past, verdict, { minChange, n: options.n })) gated++;
      }
    }
    const days = history.windows.length / 96;
    return [
      { suite, name: 'alert evaluation end to end', value: evaluation, unit: 's', note: `${metrics.length} metrics, 176 windows` },
      { suite, name: 'plain scan of the day\'s feed', value: plainScan, unit: 's' },
      { suite, name: 'alert / plain scan', value: evaluation / plainScan, unit: '×', note: 'target ≤ 1.5' },
      { suite, name: 'detector alerts per day, normal week', value: raw / days, unit: '/day', note: 'all metrics, no gate' },
      { suite, name: 'after the noise gate', value: gated / days, unit: '/day', note: 'what would be notified' },
    ];
  } finally {
    rmSync(outbox, { recursive: true, force: true });
  }
}
