/** A series value; undefined where it is not defined (CTR of a window without views). */
export type SeriesValue = number | undefined;

/** The detector's verdict on the last point of a series, with the band it was judged against. */
export interface Verdict {
  readonly value: SeriesValue;
  /** low′ and up′ of the last point; undefined while the history is too short. */
  readonly low: number | undefined;
  readonly up: number | undefined;
  readonly alert: boolean;
}

/** Points of a history to leave out: [from, to), by index. */
export interface Excluded {
  readonly from: number;
  readonly to: number;
}

/** A detector judges the last point of a history x₀…x_T from that history alone. */
export interface Detector {
  readonly name: string;
  /**
   * The verdict on x_T. With `exclude`, the points in that range are not history: the last
   * point is judged against what was expected before them (an open incident's own windows must
   * not teach the detector that the incident is normal).
   */
  judgeLast(series: readonly SeriesValue[], exclude?: Excluded): Verdict;
  /** The band of every point as seen from the whole series (for charts). */
  bands(series: readonly SeriesValue[]): { low: number | undefined; up: number | undefined }[];
}
