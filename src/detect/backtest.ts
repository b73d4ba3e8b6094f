import type { Detector, SeriesValue } from './detector.js';

export interface BacktestPoint {
  /** The time as written in the input. */
  readonly time: string;
  readonly value: SeriesValue;
  readonly low: number | undefined;
  readonly up: number | undefined;
  readonly alert: boolean;
}

/** The most points a backtest takes: about three years of 15-minute windows. */
export const MAX_POINTS = 100_000;

/** A cell or line as an error quotes it: at most a few dozen characters of it. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** A CSV the backtest cannot read, with the line that is wrong (1-based, the header is line 1). */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Judges every point as the last point of its own history, with no look-ahead: point i gets the
 * decision and band the live alert would have produced at i from x₀…xᵢ (SPEC §6).
 */
export function backtest(detector: Detector, points: readonly { time: string; value: SeriesValue }[]): BacktestPoint[] {
  const values = points.map((p) => p.value);
  return points.map((point, i) => {
    const verdict = detector.judgeLast(values.slice(0, i + 1));
    return { time: point.time, value: point.value, low: verdict.low, up: verdict.up, alert: verdict.alert };
  });
}

/**
 * Reads `time,value` CSV with a header. An empty value is undefined. Times must parse (by
 * `parseTime`) and strictly increase; values must be numbers.
 */
export function parseSeriesCsv(
  text: string,
  parseTime: (text: string) => Date | undefined,
): { time: string; value: SeriesValue }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'time' || header[1] !== 'value') {
    throw new CsvError(1, `expected the header "time,value" (got ${quote(lines[0] ?? '')})`);
  }
  if (lines.length - 1 > MAX_POINTS) {
    throw new CsvError(MAX_POINTS + 2, `more than ${MAX_POINTS.toLocaleString('en-US')} points; split the series`);
  }
  const points: { time: string; value: SeriesValue }[] = [];
  let previous: { at: number; line: number } | undefined;
  for (let index = 1; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index] ?? '';
    if (raw.trim() === '') throw new CsvError(line, 'empty line');
    const cells = raw.split(',');
    if (cells.length !== 2) throw new CsvError(line, `expected 2 columns (time,value), got ${cells.length}`);
    const [timeText = '', valueText = ''] = cells.map((c) => c.trim());
    const at = parseTime(timeText);
    if (at === undefined)
      throw new CsvError(line, `${quote(timeText)} is not an ISO time such as 2024-03-04T12:15:00Z`);
    if (previous && at.getTime() === previous.at)
      throw new CsvError(line, `time ${timeText} repeats line ${previous.line}`);
    if (previous && at.getTime() < previous.at)
      throw new CsvError(line, `time ${timeText} is before line ${previous.line}'s; times must increase`);
    let value: SeriesValue;
    if (valueText !== '') {
      value = Number(valueText);
      if (!Number.isFinite(value)) throw new CsvError(line, `${quote(valueText)} is not a number`);
    }
    points.push({ time: timeText, value });
    previous = { at: at.getTime(), line };
  }
  return points;
}
