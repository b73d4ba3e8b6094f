import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { replay } from '../../alert/alert-replay.js';
import {
  backtest,
  CsvError,
  kindOf,
  onGrid,
  parseSeriesCsv,
  type BacktestPoint,
  type Grid,
} from '../../detect/backtest.js';
import type { ValueKind } from '../../detect/detector.js';
import { detectorSpec, isDetectorName, watchWith, DETECTOR_NAMES, type DetectorSpec } from '../../detect/detectors.js';
import { combineScores, scoreSeries, type Label } from '../../detect/score.js';
import { UsageError } from '../../errors/vigil-error.js';
import { parseDuration } from '../../time/duration.js';
import { parseIsoTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { BacktestFlags } from '../commands/backtest.js';
import { integerFlag } from '../parse-flags.js';

/** A series of the most points a backtest takes is a few megabytes; anything far larger is not one. */
const MAX_BYTES = 20 * 2 ** 20;
const DAY_MS = 86_400_000;
/** Days at the start of a series that are not scored: every detector needs some history. */
const WARMUP_DAYS = 2;

export function action(ctx: CliContext, flags: BacktestFlags): Promise<void> {
  const spec = specFrom(flags);
  const repeatMs = parseDuration(flags.repeat);
  if (repeatMs === undefined || repeatMs <= 0) {
    throw new UsageError(`--repeat must be a duration such as 1h or 30m (got ${JSON.stringify(flags.repeat)})`);
  }
  if (!flags.notify && (flags.repeat !== '1h' || flags.pending !== '1')) {
    throw new UsageError('--repeat and --pending are settings of --notify; add --notify');
  }
  if (!['auto', 'count', 'ratio'].includes(flags.kind)) {
    throw new UsageError(`--kind must be auto, count or ratio (got ${JSON.stringify(flags.kind)})`);
  }
  const timezone = ctx.settings().timezone;
  const parseTime = (time: string) => parseIsoTime(time, timezone);
  const text = readInput(ctx, '--input', flags.input);
  let points;
  let grid: Grid;
  try {
    points = parseSeriesCsv(text, parseTime);
    grid = onGrid(points);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`--input ${flags.input}, ${error.message}`);
    throw error;
  }
  const period = grid.step === 0 ? 96 : Math.round(DAY_MS / grid.step);
  if (spec.name === 'seasonal' && points.length > 1 && (period < 4 || DAY_MS % grid.step !== 0)) {
    throw new UsageError(
      `--input ${flags.input}: the seasonal detector needs a step that divides a day into 4 or more windows ` +
        `(the series steps by ${grid.step / 60_000} min)`,
    );
  }
  const kind: ValueKind = flags.kind === 'auto' ? kindOf(grid.values) : (flags.kind as ValueKind);
  const watch = watchWith(spec, kind, period, integerFlag('--pending', flags.pending, 1, 96));
  const repeatWindows = Math.max(1, Math.ceil(repeatMs / (grid.step || 900_000)));
  const judge = watch.detector.prepare(grid.values);
  const replayed = flags.notify ? replay(watch, grid.values, repeatWindows, judge) : undefined;
  const results = backtest(judge, points, grid, replayed);

  // Labels are read before anything is printed: a bad file fails alone.
  const labels =
    flags.labels === undefined ? undefined : readLabels(ctx, flags.labels, points[0]?.at ?? 0, grid.step, parseTime);
  const output = flags.json ? results.map(jsonLine).join('\n') : table(results, spec, kind);
  ctx.print(output);
  if (labels !== undefined) {
    const flagged = replayed
      ? replayed.map((p) => p.notification === 'started' || p.notification === 'repeated')
      : grid.values.map((_, i) => judge(i).alert);
    // The warm-up counts from the first event: zeros before it are no history to any detector.
    const firstEvent = Math.max(
      0,
      grid.values.findIndex((v) => v !== undefined && v !== 0),
    );
    const summary = scoresText(flagged, labels, firstEvent + WARMUP_DAYS * period, period, flags.notify === true);
    // JSON lines stay parseable: the scores go to stderr beside them.
    if (flags.json) ctx.io.stderr(`${summary}\n`);
    else ctx.print(summary);
  }
  return Promise.resolve();
}

function specFrom(flags: BacktestFlags): DetectorSpec {
  if (!isDetectorName(flags.detector)) {
    throw new UsageError(`--detector must be ${DETECTOR_NAMES.join(' or ')} (got ${JSON.stringify(flags.detector)})`);
  }
  const foreign = flags.detector === 'iqr' ? (['z'] as const) : (['a', 'n'] as const);
  for (const key of foreign) {
    if (flags[key] !== undefined) throw new UsageError(`--${key} is not a setting of the ${flags.detector} detector`);
  }
  const number = (flag: string, text: string | undefined, min: number) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min) {
      const bound = flag === '--z' ? '> 0' : `≥ ${min}`;
      throw new UsageError(`${flag} must be a number ${bound} (got ${JSON.stringify(text)})`);
    }
    return value;
  };
  const z = number('--z', flags.z, 0);
  if (z === 0) throw new UsageError('--z must be a number > 0 (got "0")');
  return detectorSpec(flags.detector, {
    a: number('--a', flags.a, 0),
    n: flags.n === undefined ? undefined : integerFlag('--n', flags.n, 1, 1000),
    z,
    minChange: number('--min-change', flags.minChange, 0),
  });
}

function readInput(ctx: CliContext, flag: string, file: string): string {
  try {
    const path = resolve(ctx.io.cwd, file);
    const size = statSync(path).size;
    if (size > MAX_BYTES) {
      throw new UsageError(
        `${flag} ${file} is ${(size / 2 ** 20).toFixed(0)} MB; backtest reads at most ${MAX_BYTES / 2 ** 20} MB`,
      );
    }
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
}

/** Labelled anomalies as windows of the grid: a label covers every window that overlaps it. */
function readLabels(
  ctx: CliContext,
  file: string,
  first: number,
  step: number,
  parseTime: (text: string) => Date | undefined,
): Label[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readInput(ctx, '--labels', file));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--labels ${file} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`--labels ${file} must be a JSON list of {"start","end"} times`);
  return parsed.map((entry: unknown, i) => {
    const { start, end } = (entry ?? {}) as { start?: unknown; end?: unknown };
    const at = (value: unknown, key: string) => {
      const instant = typeof value === 'string' ? parseTime(value) : undefined;
      if (instant === undefined) {
        throw new UsageError(
          `--labels ${file}, entry ${i + 1}: "${key}" must be an ISO time (got ${JSON.stringify(value)})`,
        );
      }
      return instant.getTime();
    };
    const from = at(start, 'start');
    const to = at(end, 'end');
    if (to <= from) throw new UsageError(`--labels ${file}, entry ${i + 1}: "end" must be after "start"`);
    const unit = step || 900_000;
    return { start: Math.floor((from - first) / unit), end: Math.ceil((to - first) / unit) };
  });
}

function scoresText(
  flags: readonly boolean[],
  labels: readonly Label[],
  warmup: number,
  period: number,
  notify: boolean,
) {
  const scored = scoreSeries(flags, labels, { warmup });
  const scores = combineScores([scored], period);
  const percent = (x: number, of: number) => (of === 0 ? '—' : `${(100 * x).toFixed(0)} %`);
  const delay = Number.isNaN(scores.medianDelay) ? '—' : `${scores.medianDelay} window(s)`;
  return [
    `scores of what it ${notify ? 'would notify' : 'flags'} against ${scored.labels} label(s), ` +
      `after a ${WARMUP_DAYS}-day warm-up from the first event` +
      (labels.length > scored.labels ? ` (${labels.length - scored.labels} label(s) in the warm-up not scored)` : '') +
      ':',
    `  precision ${percent(scores.precision, scored.episodes)} ` +
      `(${scored.trueEpisodes} of ${scored.episodes} alert episodes overlap a label)`,
    `  recall    ${percent(scores.recall, scored.labels)} ` +
      `(${scored.caught} of ${scored.labels} labels caught), median delay ${delay}`,
    `  F1        ${scored.labels === 0 || scored.episodes === 0 ? '—' : scores.f1.toFixed(2)}`,
  ].join('\n');
}

const jsonLine = (r: BacktestPoint) =>
  JSON.stringify({
    time: r.time,
    value: r.value ?? null,
    low: r.low ?? null,
    up: r.up ?? null,
    alert: r.alert,
    ...('notification' in r
      ? {
          notify: r.notification === 'started' || r.notification === 'repeated',
          notification: r.notification ?? null,
        }
      : {}),
  });

function table(results: readonly BacktestPoint[], spec: DetectorSpec, kind: ValueKind): string {
  const notifying = results.some((r) => 'notification' in r);
  const shown = results.filter((r) => r.alert || r.notification !== undefined);
  const number = (v: number | undefined) => (v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  const width = Math.max(4, ...shown.map((r) => r.time.length));
  const settings =
    spec.name === 'iqr'
      ? `a = ${spec.a}, n = ${spec.n}${notifying ? `, noise gate ${spec.minChange}` : ''}, ${kind}`
      : `z = ${spec.z}, min change = ${spec.minChange}, ${kind}`;
  const alerts = results.filter((r) => r.alert).length;
  const notified = results.filter((r) => r.notification === 'started' || r.notification === 'repeated').length;
  const lines = [
    `${spec.name} (${settings}) over ${results.length} points: ${alerts} alert${alerts === 1 ? '' : 's'}` +
      (notifying ? `, ${notified} notified` : ''),
  ];
  if (shown.length > 0) {
    lines.push(
      `  ${'time'.padEnd(width)}  ${'value'.padStart(10)}  ${'low'.padStart(10)}  ${'up'.padStart(10)}` +
        (notifying ? '  notification' : ''),
    );
    for (const r of shown) {
      lines.push(
        `  ${r.time.padEnd(width)}  ${[r.value, r.low, r.up].map((v) => number(v).padStart(10)).join('  ')}` +
          (notifying ? `  ${r.notification ?? ''}`.trimEnd() : ''),
      );
    }
  }
  return lines.join('\n');
}
