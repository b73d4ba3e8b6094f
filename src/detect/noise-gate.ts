import type { SeriesValue } from '../detect/detector.js';
import type { ValueKind } from './detector.js';

export interface NoiseGateOptions {
  /** The least relative deviation from the recent median worth telling a person about. */
  readonly minChange: number;
  /** Windows behind the median (the detector's n). */
  readonly n: number;
}

/** The gate's least relative change by default. */
export const NOISE_GATE_DEFAULT = 0.2;

/** A change from the recent median this large always passes the gate, however wide the band. */
const BIG_CHANGE = 0.5;

/**
 * Whether an alert is far enough outside its band to be worth a notification: the excess beyond
 * the band's edge must be at least `minChange` of the recent median (the n windows before), or
 * the value at least half the median away from it; and for counts the excess must be at least
 * three Poisson standard deviations (3·√median), which is what tells a real drop in a quiet hour
 * from chance. Measuring from the band's edge rather than from the median discounts what the
 * band already expects, such as the afternoon's steady rise; but in a steep evening decline the
 * band widens so far that even a fall to a third barely leaves it, hence the second way through.
 * The IQR of five noisy points is sometimes tiny, so the faithful detector alone fires on a few
 * percent of normal windows; this gate keeps its verdict but spares the reader.
 */
export function worthNotifying(
  kind: ValueKind,
  series: readonly SeriesValue[],
  band: { low: number | undefined; up: number | undefined },
  { minChange, n }: NoiseGateOptions,
): boolean {
  const value = series.at(-1);
  if (value === undefined) return false;
  const excess =
    band.up !== undefined && value > band.up
      ? value - band.up
      : band.low !== undefined && value < band.low
        ? band.low - value
        : 0;
  if (excess === 0) return false;
  const previous = series
    .slice(Math.max(0, series.length - 1 - n), -1)
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  if (previous.length === 0) return true;
  const middle = previous.length / 2;
  const median =
    previous.length % 2 === 1
      ? (previous[Math.floor(middle)] ?? 0)
      : ((previous[middle - 1] ?? 0) + (previous[middle] ?? 0)) / 2;
  if (excess < minChange * median && Math.abs(value - median) < BIG_CHANGE * median) return false;
  // A count's noise is about √count (Poisson).
  return kind !== 'count' || excess >= 3 * Math.sqrt(Math.max(median, 1));
}
