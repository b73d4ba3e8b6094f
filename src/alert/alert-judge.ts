import type { Detector, Verdict } from '../detect/detector.js';
import { iqrDetector } from '../detect/iqr-detector.js';
import { METRICS, type AlertMetric } from '../metrics/metrics.js';
import type { SliceSeries } from '../windows/window-counts.js';
import type { WatchedMetric } from './alert-settings.js';
import { worthNotifying } from './noise-gate.js';

/** One metric of one slice, judged. */
export interface Judgement {
  readonly metric: AlertMetric;
  /** '' for the whole product, else `attribute=value`. */
  readonly slice: string;
  readonly windows: readonly number[];
  readonly series: readonly (number | undefined)[];
  readonly detector: Detector;
  /** The detector's own verdict. */
  readonly raw: Verdict;
  /** The verdict after the noise gate: `alert` only if it is worth a person's attention. */
  readonly verdict: Verdict;
  /** The detector said alert, but the deviation was within noise. */
  readonly gated: boolean;
}

/** Step 3 of a run (pure): every watched metric of every slice through its detector and the noise gate. */
export function judge(slices: readonly SliceSeries[], metrics: readonly WatchedMetric[]): Judgement[] {
  return slices.flatMap(({ slice, windows, series }) =>
    metrics.map(({ metric, options, minChange }) => {
      const values = series[metric];
      const detector = iqrDetector(options);
      const raw = detector.judgeLast(values);
      const gated = raw.alert && !worthNotifying(METRICS[metric].kind, values, raw, { minChange, n: options.n });
      return {
        metric,
        slice,
        windows,
        series: values,
        detector,
        raw,
        verdict: gated ? { ...raw, alert: false } : raw,
        gated,
      };
    }),
  );
}
