import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAlert } from '../src/alert/alert-job.js';
import { AlertMemory } from '../src/alert/alert-memory.js';
import type { AlertSettings } from '../src/alert/alert-settings.js';
import { settingsFrom } from '../src/app/settings.js';
import { configSchema } from '../src/config/schema.js';
import { watchWith } from '../src/detect/detectors.js';
import { silentLogger } from '../src/log/logger.js';
import { METRICS } from '../src/metrics/metrics.js';
import { discardAlertState, vigilTables } from '../src/tables/vigil-tables.js';
import { addDays, startOfDay, toSqlDateTime } from '../src/time/time.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { sliceSeries } from '../src/windows/window-counts.js';
import { countedWindows, windowCountsSql, type WindowCountRow } from '../src/windows/window-queries.js';
import { windowStarts } from '../src/windows/windows.js';
import { median, outboxDelivery, time, type Measurement } from './harness.js';
import { DAY, ensureHistory, settled, SOURCES, TZ } from './etl.bench.js';

/** The warehouse, and how long its inserts took since the last reset. */
function timingInserts(inner: Warehouse) {
  let seconds = 0;
  const warehouse: Warehouse = {
    ...inner,
    insert: async (table, rows, options) => {
      const started = performance.now();
      try {
        await inner.insert(table, rows, options);
      } finally {
        seconds += (performance.now() - started) / 1000;
      }
    },
  };
  return { warehouse, reset: () => (seconds = 0), seconds: () => seconds };
}

/** Runs measured: the evaluations at 20:00, 20:15, … after eight runs from 18:00 warm the window cache. */
const RUNS = 9;

/**
 * The alert job end to end on normal data (queries, detection, state; nothing to send), and how
 * often a normal simulated week would have notified: each window judged as the live job would.
 */
export async function benchAlert(warehouse: Warehouse, eventsPerDay: number): Promise<Measurement[]> {
  const suite = `alert ${eventsPerDay / 1e6}M events/day`;
  await ensureHistory(warehouse, eventsPerDay);
  const outbox = mkdtempSync(join(tmpdir(), 'vigil-bench-alert-'));
  const base = settingsFrom(configSchema.parse({ timezone: TZ, database: 'bench_alert', serve: { port: 0 } })).alert;
  const settings: AlertSettings = { ...base, sources: SOURCES };
  const { metrics } = settings;
  const delivery = outboxDelivery(outbox);
  // As `vigil serve` runs it (one process remembering its windows), and as a one-off `vigil alert`
  // from cron would (each run a new process), in separate state databases.
  const recording = timingInserts(warehouse);
  const service = {
    deps: { warehouse: recording.warehouse, delivery, logger: silentLogger, memory: new AlertMemory() },
    settings,
  };
  const oneOffRecording = timingInserts(warehouse);
  const oneOff = {
    deps: { warehouse: oneOffRecording.warehouse, delivery, logger: silentLogger },
    settings: { ...settings, tables: vigilTables('bench_alert_one_off') },
  };
  const runAt = (path: typeof service | typeof oneOff, quarter: number) =>
    runAlert(path.deps, path.settings, { at: new Date(Date.parse(`${DAY}T18:00:00Z`) + quarter * 15 * 60_000) });
  const dayParams = { start: toSqlDateTime(startOfDay(DAY, TZ)), end: toSqlDateTime(startOfDay(addDays(DAY, 1), TZ)) };
  const plainScan = () =>
    warehouse.command(
      `SELECT user_id, count() FROM ${SOURCES.feed.sql} WHERE time >= {start:DateTime('UTC')} ` +
        `AND time < {end:DateTime('UTC')} GROUP BY user_id FORMAT Null`,
      { params: dayParams },
    );
  try {
    for (const path of [service, oneOff]) {
      await discardAlertState(warehouse, path.settings.tables);
      for (let quarter = 0; quarter < 8; quarter++) await runAt(path, quarter);
    }
    await settled(warehouse);
    // Interleaved, so that the engine's background work weighs on all three alike.
    const times = {
      service: [] as number[],
      serviceWithoutInserts: [] as number[],
      oneOff: [] as number[],
      oneOffWithoutInserts: [] as number[],
      scan: [] as number[],
    };
    for (let run = 0; run < RUNS; run++) {
      recording.reset();
      const serviceRun = (await time(() => runAt(service, 8 + run))).seconds;
      times.service.push(serviceRun);
      times.serviceWithoutInserts.push(serviceRun - recording.seconds());
      oneOffRecording.reset();
      const oneOffRun = (await time(() => runAt(oneOff, 8 + run))).seconds;
      times.oneOff.push(oneOffRun);
      times.oneOffWithoutInserts.push(oneOffRun - oneOffRecording.seconds());
      times.scan.push((await time(plainScan)).seconds);
    }
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify(times));
    const evaluation = median(times.service);
    const queriesAndDetection = median(times.serviceWithoutInserts);
    const oneOffEvaluation = median(times.oneOff);
    const oneOffQueries = median(times.oneOffWithoutInserts);
    const scan = median(times.scan);

    const params = {
      from: toSqlDateTime(startOfDay(addDays(DAY, -6), TZ)),
      to: toSqlDateTime(startOfDay(addDays(DAY, 1), TZ)),
    };
    const counted = countedWindows(await warehouse.query<WindowCountRow>(windowCountsSql(SOURCES, []), { params }));
    const windows = windowStarts(
      Date.parse(params.from.replace(' ', 'T') + 'Z'),
      Date.parse(params.to.replace(' ', 'T') + 'Z'),
    );
    const [history] = sliceSeries(windows, counted, []);
    if (!history) throw new Error('no series');
    let raw = 0;
    let gated = 0;
    for (const { metric, detector } of metrics) {
      const watch = watchWith(detector, METRICS[metric].kind);
      const series = history.series[metric];
      const judge = watch.detector.prepare(series);
      for (let i = 0; i < series.length; i++) {
        const { raw: verdict, verdict: notified } = watch.judge(judge, series, i);
        if (verdict.alert) raw++;
        if (notified.alert) gated++;
      }
    }
    const days = history.windows.length / 96;
    return [
      {
        suite,
        name: 'alert run in service',
        value: evaluation,
        unit: 's',
        note: `median of ${RUNS} runs 15 min apart, ${metrics.length} metrics, alerts.history 28 days`,
      },
      {
        suite,
        name: 'of which queries + detection',
        value: queriesAndDetection,
        unit: 's',
        note: 'the run less its inserts: evaluations, cache',
      },
      { suite, name: "plain scan of the day's feed", value: scan, unit: 's', note: `median of ${RUNS}` },
      {
        suite,
        name: 'queries + detection / plain scan',
        value: queriesAndDetection / scan,
        unit: '×',
        note: 'target ≤ 1.5, "queries + detection, without sending"',
      },
      {
        suite,
        name: 'alert in service / plain scan',
        value: evaluation / scan,
        unit: '×',
        note: 'recording the evaluations included',
      },
      {
        suite,
        name: 'one-off alert run (a process each)',
        value: oneOffEvaluation,
        unit: 's',
        note: 'reads the window cache',
      },
      { suite, name: 'one-off alert / plain scan', value: oneOffEvaluation / scan, unit: '×' },
      {
        suite,
        name: 'one-off queries + detection / plain scan',
        value: oneOffQueries / scan,
        unit: '×',
        note: 'the run less its inserts',
      },
      {
        suite,
        name: 'detector alerts per day, normal week',
        value: raw / days,
        unit: '/day',
        note: 'all metrics, no gate',
      },
      { suite, name: 'after the noise gate', value: gated / days, unit: '/day', note: 'what would be notified' },
    ];
  } finally {
    rmSync(outbox, { recursive: true, force: true });
  }
}
