import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { backtest, CsvError, parseSeriesCsv, type BacktestPoint } from '../../detect/backtest.js';
import { iqrDetector } from '../../detect/iqr-detector.js';
import { UsageError } from '../../errors/vigil-error.js';
import { parseIsoTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { BacktestFlags } from '../commands/backtest.js';
import { integerFlag } from '../parse-flags.js';

/** A series of the most points a backtest takes is a few megabytes; anything far larger is not one. */
const MAX_BYTES = 20 * 2 ** 20;

export function action(ctx: CliContext, flags: BacktestFlags): Promise<void> {
  if (flags.detector !== 'iqr') throw new UsageError(`--detector must be iqr (got ${JSON.stringify(flags.detector)})`);
  const a = Number(flags.a);
  if (!Number.isFinite(a) || a < 0 || flags.a.trim() === '')
    throw new UsageError(`--a must be a number ≥ 0 (got ${JSON.stringify(flags.a)})`);
  const n = integerFlag('--n', flags.n, 1, 1000);
  let text: string;
  try {
    const path = resolve(ctx.io.cwd, flags.input);
    const size = statSync(path).size;
    if (size > MAX_BYTES) {
      throw new UsageError(
        `--input ${flags.input} is ${(size / 2 ** 20).toFixed(0)} MB; backtest reads at most ${MAX_BYTES / 2 ** 20} MB`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `--input ${flags.input}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`,
    );
  }
  const timezone = ctx.settings().timezone;
  let points;
  try {
    points = parseSeriesCsv(text, (time) => parseIsoTime(time, timezone));
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`--input ${flags.input}, ${error.message}`);
    throw error;
  }
  const results = backtest(iqrDetector({ a, n }), points);
  const json = (r: BacktestPoint) =>
    JSON.stringify({ time: r.time, value: r.value ?? null, low: r.low ?? null, up: r.up ?? null, alert: r.alert });
  ctx.print(flags.json ? results.map(json).join('\n') : table(results, { a, n }));
  return Promise.resolve();
}

function table(results: readonly BacktestPoint[], { a, n }: { a: number; n: number }): string {
  const alerts = results.filter((r) => r.alert);
  const number = (v: number | undefined) => (v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  const width = Math.max(4, ...alerts.map((r) => r.time.length));
  const lines = [
    `iqr (a = ${a}, n = ${n}) over ${results.length} points: ${alerts.length} alert${alerts.length === 1 ? '' : 's'}`,
  ];
  if (alerts.length > 0) {
    lines.push(`  ${'time'.padEnd(width)}  ${'value'.padStart(10)}  ${'low'.padStart(10)}  ${'up'.padStart(10)}`);
    for (const r of alerts)
      lines.push(`  ${r.time.padEnd(width)}  ${[r.value, r.low, r.up].map((v) => number(v).padStart(10)).join('  ')}`);
  }
  return lines.join('\n');
}
