import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { backtest, CsvError, parseSeriesCsv, type BacktestPoint } from '../../detect/backtest.js';
import { DEFAULT_IQR, iqrDetector } from '../../detect/iqr-detector.js';
import { parseIsoTime } from '../../time/time.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { integerFlag } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

interface BacktestFlags {
  input: string;
  detector: string;
  a: string;
  n: string;
  json?: boolean;
}

export function registerBacktestCommand(program: Command, run: CommandRunner): void {
  program
    .command('backtest')
    .description('run the alert detector over a CSV series, judging each point from its own past only')
    .requiredOption('--input <file>', 'CSV with a header "time,value"; an empty value is undefined (e.g. a CTR without views)')
    .option('--detector <name>', 'the detector', 'iqr')
    .option('--a <number>', 'band width in interquartile ranges', String(DEFAULT_IQR.a))
    .option('--n <number>', 'points of history behind each quartile, and the smoothing window', String(DEFAULT_IQR.n))
    .option('--json', 'print one JSON object per line: {"time","value","low","up","alert"}')
    .addHelpText(
      'after',
      `
Point i gets exactly the decision and band the live alert would have given at i from the points up
to i. Times are ISO 8601 (without an offset: in the configured timezone) and must increase.`,
    )
    .action(run((ctx, options) => backtestCommand(ctx, options as unknown as BacktestFlags)));
}

function backtestCommand(ctx: CliContext, flags: BacktestFlags): Promise<void> {
  if (flags.detector !== 'iqr') throw new UsageError(`--detector must be iqr (got ${JSON.stringify(flags.detector)})`);
  const a = Number(flags.a);
  if (!Number.isFinite(a) || a < 0 || flags.a.trim() === '') throw new UsageError(`--a must be a number ≥ 0 (got ${JSON.stringify(flags.a)})`);
  const n = integerFlag('--n', flags.n, 1, 1000);
  let text: string;
  try {
    text = readFileSync(flags.input, 'utf8');
  } catch (error) {
    throw new UsageError(`--input ${flags.input}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  const timezone = ctx.config().config.timezone;
  let points;
  try {
    points = parseSeriesCsv(text, (time) => parseIsoTime(time, timezone));
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`--input ${flags.input}, ${error.message}`);
    throw error;
  }
  const results = backtest(iqrDetector({ a, n }), points);
  ctx.print(flags.json ? results.map((r) => JSON.stringify({ time: r.time, value: r.value ?? null, low: r.low ?? null, up: r.up ?? null, alert: r.alert })).join('\n') : table(results, { a, n }));
  return Promise.resolve();
}

function table(results: readonly BacktestPoint[], { a, n }: { a: number; n: number }): string {
  const alerts = results.filter((r) => r.alert);
  const number = (v: number | undefined) => (v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  const width = Math.max(4, ...alerts.map((r) => r.time.length));
  const lines = [`iqr (a = ${a}, n = ${n}) over ${results.length} points: ${alerts.length} alert${alerts.length === 1 ? '' : 's'}`];
  if (alerts.length > 0) {
    lines.push(`  ${'time'.padEnd(width)}  ${'value'.padStart(10)}  ${'low'.padStart(10)}  ${'up'.padStart(10)}`);
    for (const r of alerts) lines.push(`  ${r.time.padEnd(width)}  ${number(r.value).padStart(10)}  ${number(r.low).padStart(10)}  ${number(r.up).padStart(10)}`);
  }
  return lines.join('\n');
}
