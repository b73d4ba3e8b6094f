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

/** A detector judges the last point of a history x₀…x_T from that history alone. */
export interface Detector {
  readonly name: string;
  judgeLast(series: readonly SeriesValue[]): Verdict;
  /** The band of every point as seen from the whole series (for charts). */
  bands(series: readonly SeriesValue[]): { low: number | undefined; up: number | undefined }[];
}
