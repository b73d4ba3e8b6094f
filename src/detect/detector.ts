/** A series value; undefined where it is not defined (CTR of a window without views). */
export type SeriesValue = number | undefined;

/** The detector's verdict on one point of a series, with the band it was judged against. */
export interface Verdict {
  readonly value: SeriesValue;
  /** The band of the point; undefined while the history is too short. */
  readonly low: number | undefined;
  readonly up: number | undefined;
  readonly alert: boolean;
  /**
   * While an incident is open, `alert` says whether the point is still away from what was
   * expected before it began (the incident stays open), and this whether it would alert on its
   * own, as if no incident were known (worth repeating). Undefined: the same as `alert`.
   */
  readonly alertAfresh?: boolean;
  /** The value the detector expected, when it says (else the band's middle is the best guess). */
  readonly expected?: number;
}

/** Points of a history, by index: [from, to). */
export interface Excluded {
  readonly from: number;
  readonly to: number;
}

/** Windows the alert's state knows to be anomalous, which a detector must not learn from. */
export interface KnownIncidents {
  /**
   * The open incident's windows before the judged one: the point is judged against what was
   * expected before them, so an incident cannot teach the detector that it is normal.
   */
  readonly open?: Excluded | undefined;
  /** Earlier incidents, resolved: their windows are not normal either (oldest first). */
  readonly past?: readonly Excluded[] | undefined;
}

/** The kind of a metric's values: counts are noisy like √count, ratios by their own measure. */
export type ValueKind = 'count' | 'ratio';

/** Judges any point of a series from the points before it (and the point itself). */
export type Judge = (index: number, incidents?: KnownIncidents) => Verdict;

/** A detector: from a whole series, a way to judge each of its points with no look-ahead. */
export interface Detector {
  readonly name: string;
  /**
   * Prepares judging points of `series` (linear work, shared by every point judged): point i's
   * verdict depends only on points 0…i, so judging every point is a backtest.
   */
  prepare(series: readonly SeriesValue[]): Judge;
}

/** The verdict on the last point of a series. */
export function judgeLast(detector: Detector, series: readonly SeriesValue[], incidents?: KnownIncidents): Verdict {
  if (series.length === 0) return { value: undefined, low: undefined, up: undefined, alert: false };
  return detector.prepare(series)(series.length - 1, incidents);
}
