import type { Detector, Judge, KnownIncidents, SeriesValue, ValueKind, Verdict } from './detector.js';
import { DEFAULT_IQR, iqrDetector } from './iqr-detector.js';
import { NOISE_GATE_DEFAULT, worthNotifying } from './noise-gate.js';
import { SEASONAL_DEFAULTS, seasonalDetector } from './seasonal-detector.js';

/** Every detector by name; the first is the default for new configurations (the best on the benchmark). */
export const DETECTOR_NAMES = ['seasonal', 'iqr'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
export const DEFAULT_DETECTOR: DetectorName = 'seasonal';

/** The original's detector settings (SPEC §5), and the noise gate's least relative change. */
export const IQR_DEFAULTS = { ...DEFAULT_IQR, minChange: NOISE_GATE_DEFAULT } as const;
export { SEASONAL_DEFAULTS };

/** A detector and its settings, as configured for a metric. */
export type DetectorSpec =
  | { readonly name: 'iqr'; readonly a: number; readonly n: number; readonly minChange: number }
  | { readonly name: 'seasonal'; readonly z: number; readonly minChange: number };

export function isDetectorName(text: string): text is DetectorName {
  return (DETECTOR_NAMES as readonly string[]).includes(text);
}

/** A detector's settings with its defaults. */
export function detectorSpec(
  name: DetectorName,
  given: { a?: number; n?: number; z?: number; minChange?: number } = {},
) {
  return name === 'iqr'
    ? ({
        name,
        a: given.a ?? IQR_DEFAULTS.a,
        n: given.n ?? IQR_DEFAULTS.n,
        minChange: given.minChange ?? IQR_DEFAULTS.minChange,
      } satisfies DetectorSpec)
    : ({
        name,
        z: given.z ?? SEASONAL_DEFAULTS.z,
        minChange: given.minChange ?? SEASONAL_DEFAULTS.minChange,
      } satisfies DetectorSpec);
}

/** What a metric is watched with: its detector, and what of its verdicts is worth a person's attention. */
export interface Watch {
  readonly spec: DetectorSpec;
  readonly detector: Detector;
  /**
   * Judges point `index` of a prepared series: the detector's verdict (`raw`), and the verdict
   * after the noise gate (`gated`: the detector alerted, but within noise).
   */
  judge(judge: Judge, series: readonly SeriesValue[], index: number, incidents?: KnownIncidents): Watched;
}

/**
 * A point as watched: the detector's verdict (`raw`), and the verdict worth a person's attention
 * (`verdict`): `gated` when the detector alerted within noise, `pending` when a new anomaly has
 * not yet lasted the windows it must.
 */
export interface Watched {
  readonly raw: Verdict;
  readonly verdict: Verdict;
  readonly gated: boolean;
  readonly pending: boolean;
}

/**
 * The watch a spec describes, for a metric of this kind, over windows `period` to a day. With
 * `pendingWindows` > 1, an anomaly is worth attention only once that many consecutive windows are
 * anomalous, except a count's fall to zero, at once.
 */
export function watchWith(spec: DetectorSpec, kind: ValueKind, period = 96, pendingWindows = 1): Watch {
  const watch = detectorWatch(spec, kind, period);
  if (pendingWindows <= 1) return watch;
  /*
   * A pending anomaly's windows are, like an incident's, no normal to judge the windows after it
   * by: each window is judged with the anomalous runs before it left out, found window by window
   * from a little before the run that may be pending (SETTLE_WINDOWS: how long a run's windows
   * weigh on the level of the next ones). Stateless, so the live alert and a replay agree.
   */
  return {
    ...watch,
    judge(judge, series, index, incidents) {
      const plain = watch.judge(judge, series, index, incidents);
      if (incidents?.open) return plain;
      const alerts = (j: number) => watch.judge(judge, series, j, incidents).verdict.alert;
      let from = Math.max(0, index - (pendingWindows - 1) - SETTLE_WINDOWS);
      // From before the anomalous run that reaches into the look-back, if one does (within a day).
      for (let steps = 0; from > 0 && steps < period && alerts(from); steps++) from--;
      let anyAlert = false;
      for (let j = from; j <= index && !anyAlert; j++) anyAlert = alerts(j);
      if (!anyAlert) return plain;
      let past = incidents?.past ?? [];
      let runStart = -1;
      let watched = plain;
      for (let j = from; j <= index; j++) {
        const tentative = runStart < 0 ? past : [...past, { from: runStart, to: j }];
        watched = watch.judge(judge, series, j, { ...incidents, past: tentative });
        if (watched.verdict.alert && runStart < 0) runStart = j;
        if (!watched.verdict.alert && runStart >= 0) {
          past = [...past, { from: runStart, to: j }];
          runStart = -1;
        }
      }
      const { verdict } = watched;
      const run = runStart < 0 ? 0 : index - runStart + 1;
      if (!verdict.alert || (kind === 'count' && verdict.value === 0) || run >= pendingWindows) return watched;
      return { ...watched, verdict: { ...verdict, alert: false }, pending: true };
    },
  };
}

/** Windows after an anomalous run whose judgement it can still sway (the seasonal level's hour). */
const SETTLE_WINDOWS = 4;

function detectorWatch(spec: DetectorSpec, kind: ValueKind, period: number): Watch {
  if (spec.name === 'iqr') {
    const detector = iqrDetector(spec);
    return {
      spec,
      detector,
      judge(judge, series, index, incidents) {
        const raw = judge(index, incidents);
        if (!raw.alert) return { raw, verdict: raw, gated: false, pending: false };
        // The gate reads the history as the detector did: without the open incident's windows.
        const open = incidents?.open;
        const history =
          open && open.to <= index
            ? [...series.slice(Math.max(0, open.from - spec.n), open.from), ...series.slice(open.to, index + 1)]
            : series.slice(Math.max(0, index - spec.n), index + 1);
        const gated = !worthNotifying(kind, history, raw, spec);
        return { raw, verdict: gated ? { ...raw, alert: false } : raw, gated, pending: false };
      },
    };
  }
  // The seasonal detector weighs noise itself: its verdict is what is notified.
  const detector = seasonalDetector({ kind, z: spec.z, minChange: spec.minChange, period });
  return {
    spec,
    detector,
    judge(judge, _series, index, incidents) {
      const raw = judge(index, incidents);
      return { raw, verdict: raw, gated: false, pending: false };
    },
  };
}
