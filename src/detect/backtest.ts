import type { Judge, SeriesValue, ValueKind, Verdict } from './detector.js';

export interface BacktestPoint<N extends string = string> {
  /** The time as written in the input. */
  readonly time: string;
  readonly value: SeriesValue;
  readonly low: number | undefined;
  readonly up: number | undefined;
  /** The detector's verdict. */
  readonly alert: boolean;
  /** With notifications: what the live alert would have notified at the point, if anything. */
  readonly notification?: N | undefined;
}

/** A series read from CSV: each point's time as written and as an instant (ms). */
export interface SeriesPoint {
  readonly time: string;
  readonly at: number;
  readonly value: SeriesValue;
}

/** The points laid on a regular grid of `step` ms: a time without a row is a window without a value. */
export interface Grid {
  readonly step: number;
  readonly values: readonly SeriesValue[];
  /** Each input point's index on the grid. */
  readonly indices: readonly number[];
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
 * Lays points on their grid: the step is the smallest gap between two times, and every time must
 * be a whole number of steps after the first (a series of 15-minute windows with some missing is
 * fine; one with a 10-minute and a 15-minute gap is not one series).
 */
export function onGrid(points: readonly SeriesPoint[], lineOf: (index: number) => number = (i) => i + 2): Grid {
  const first = points[0];
  if (first === undefined) return { step: 0, values: [], indices: [] };
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) step = Math.min(step, (points[i]?.at ?? 0) - (points[i - 1]?.at ?? 0));
  if (!Number.isFinite(step)) return { step: 0, values: [first.value], indices: [0] };
  const indices = points.map((point, i) => {
    const index = (point.at - first.at) / step;
    if (!Number.isInteger(index)) {
      throw new CsvError(
        lineOf(i),
        `time ${point.time} is not a whole number of ${describeStep(step)} steps after the first; ` +
          'the series must be regular (missing windows may be left out)',
      );
    }
    return index;
  });
  const length = (indices.at(-1) ?? 0) + 1;
  if (length > MAX_POINTS) {
    throw new CsvError(
      lineOf(points.length - 1),
      `the series spans more than ${MAX_POINTS.toLocaleString('en-US')} steps of ${describeStep(step)}`,
    );
  }
  const values = new Array<SeriesValue>(length).fill(undefined);
  points.forEach((point, i) => {
    values[indices[i] ?? 0] = point.value;
  });
  return { step, values, indices };
}

function describeStep(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/**
 * Judges every point from the points before it only (SPEC §6), in one linear pass: by default the
 * detector's own verdict (`judge`, prepared on the grid's values), as point i would be judged
 * from x₀…xᵢ with no incident known. `notified`, by grid index, is a replay of the live alert:
 * then each point has the verdict the live alert would have made (which knows its incidents)
 * and what it would have notified.
 */
export function backtest<N extends string>(
  judge: Judge,
  points: readonly SeriesPoint[],
  grid: Grid,
  notified?: readonly (Verdict & { readonly notification: N | undefined })[],
): BacktestPoint<N>[] {
  return points.map((point, i) => {
    const index = grid.indices[i] ?? 0;
    const verdict = notified?.[index] ?? judge(index);
    return {
      time: point.time,
      value: point.value,
      low: verdict.low,
      up: verdict.up,
      alert: verdict.alert,
      ...(notified ? { notification: notified[index]?.notification } : {}),
    };
  });
}

/** Count when every value is a whole number ≥ 0, else ratio. */
export function kindOf(values: readonly SeriesValue[]): ValueKind {
  return values.every((v) => v === undefined || (Number.isInteger(v) && v >= 0)) ? 'count' : 'ratio';
}

/**
 * Reads `time,value` CSV with a header. An empty value is undefined. Times must parse (by
 * `parseTime`) and strictly increase; values must be numbers.
 */
export function parseSeriesCsv(text: string, parseTime: (text: string) => Date | undefined): SeriesPoint[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'time' || header[1] !== 'value') {
    throw new CsvError(1, `expected the header "time,value" (got ${quote(lines[0] ?? '')})`);
  }
  if (lines.length - 1 > MAX_POINTS) {
    throw new CsvError(MAX_POINTS + 2, `more than ${MAX_POINTS.toLocaleString('en-US')} points; split the series`);
  }
  const points: SeriesPoint[] = [];
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
    points.push({ time: timeText, at: at.getTime(), value });
    previous = { at: at.getTime(), line };
  }
  return points;
}
