import type { Detector, SeriesValue, Verdict } from './detector.js';

/** The original DAG's detector: a = 4, n = 5 (SPEC §5). */
export interface IqrOptions {
  /** Band width in interquartile ranges. @default 4 */
  readonly a: number;
  /** Previous points the quartiles look at, and the smoothing window. @default 5 */
  readonly n: number;
}

export const DEFAULT_IQR = { a: 4, n: 5 } as const satisfies IqrOptions;

/** One point's raw quantities (before smoothing), undefined where pandas would have NaN. */
interface RawBand {
  readonly iqr: number | undefined;
  readonly up: number | undefined;
  readonly low: number | undefined;
}

/**
 * Linear-interpolated quantile of sorted values, as numpy and pandas compute it by default:
 * position q·(m − 1), interpolated between its neighbours.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] ?? lower;
  return lower + (upper - lower) * (position - below);
}

/**
 * Steps 1–2 of SPEC §5 at position i of `values`: quartiles of the n points before it (pandas'
 * `shift(1).rolling(n)` with its default min_periods = n: undefined if any of them is), the
 * interquartile range, and the raw band. `offset` is the position of values[0] in the whole
 * series, so a tail of a series gives the same answer as the series.
 */
function rawBandAt(values: readonly SeriesValue[], i: number, { a, n }: IqrOptions, offset = 0): RawBand {
  if (offset + i < n) return NO_BAND;
  const window = values.slice(i - n, i);
  if (window.some((v) => v === undefined)) return NO_BAND;
  const sorted = (window as number[]).slice().sort((x, y) => x - y);
  const q25 = quantile(sorted, 0.25);
  const q75 = quantile(sorted, 0.75);
  const iqr = q75 - q25;
  return { iqr, up: q75 + a * iqr, low: q25 - a * iqr };
}

const NO_BAND: RawBand = { iqr: undefined, up: undefined, low: undefined };

/**
 * Step 3: pandas' `rolling(n, center=True, min_periods=1).mean()` of a quantity at point i,
 * over the defined values with j in [i − ⌊n/2⌋, i − ⌊n/2⌋ + n − 1] ∩ [0, last].
 */
function centredMean(values: readonly (number | undefined)[], i: number, n: number, last: number): number | undefined {
  const from = Math.max(0, i - Math.floor(n / 2));
  const to = Math.min(last, i - Math.floor(n / 2) + n - 1);
  let sum = 0;
  let count = 0;
  for (let j = from; j <= to; j++) {
    const v = values[j];
    if (v !== undefined) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? undefined : sum / count;
}

/**
 * The verdict on the last point of a history. Only its last n + ⌊n/2⌋ + 1 points matter: the
 * smoothed band of the last point averages the raw bands of the ⌊n/2⌋ points before it too, and
 * each raw band looks n points back. `length` is the history's whole length.
 */
function judgeTail(tail: readonly SeriesValue[], length: number, options: IqrOptions): Verdict {
  const offset = length - tail.length;
  const last = tail.length - 1;
  const raw = tail.map((_, i) =>
    i >= last - Math.floor(options.n / 2) ? rawBandAt(tail, i, options, offset) : NO_BAND,
  );
  const up = centredMean(
    raw.map((r) => r.up),
    last,
    options.n,
    last,
  );
  const low = centredMean(
    raw.map((r) => r.low),
    last,
    options.n,
    last,
  );
  const value = tail[last];
  // pandas: NaN != 0 is True, so an undefined iqr does not veto; comparisons with NaN are False.
  const iqrNonZero = raw[last]?.iqr !== 0;
  const outside = value !== undefined && ((low !== undefined && value < low) || (up !== undefined && value > up));
  return { value, low, up, alert: outside && iqrNonZero };
}

/** SPEC §5's `iqr` detector, faithful to the original pandas code. */
export function iqrDetector(options: IqrOptions = DEFAULT_IQR): Detector {
  if (!Number.isInteger(options.n) || options.n < 1)
    throw new RangeError(`n must be a whole number ≥ 1 (got ${options.n})`);
  if (!Number.isFinite(options.a) || options.a < 0) throw new RangeError(`a must be a number ≥ 0 (got ${options.a})`);
  const reach = options.n + Math.floor(options.n / 2) + 1;
  return {
    name: 'iqr',
    prepare(series) {
      return (index, incidents) => {
        // The open incident's points are taken out, so the judged one follows the points before them.
        const open = incidents?.open;
        if (open && open.to <= index && open.from < open.to) {
          const before = series.slice(Math.max(0, open.from - reach), open.from);
          const after = series.slice(open.to, index + 1);
          const joined = [...before, ...after];
          return judgeTail(joined.slice(-reach), open.from + after.length, options);
        }
        return judgeTail(series.slice(Math.max(0, index + 1 - reach), index + 1), index + 1, options);
      };
    },
  };
}
