import type { Detector, Excluded, SeriesValue, Verdict } from '../detect/detector.js';
import { iqrDetector } from '../detect/iqr-detector.js';
import { METRICS, type AlertMetric } from '../metrics/metrics.js';
import type { SourceName } from '../sources/sources.js';
import type { SliceSeries } from '../windows/window-counts.js';
import type { WatchedMetric } from './alert-settings.js';
import { isOpen, stateKey, type AlertState } from './alert-state.js';
import { worthNotifying } from './noise-gate.js';

/**
 * - `judged`: the detector looked at the evaluated window;
 * - `not-arrived`: the window's events have not arrived yet: nothing judged;
 * - `held`: its source is in "no data": nothing judged until events return.
 */
export type JudgementStatus = 'judged' | 'not-arrived' | 'held';

/** One metric of one slice, judged. */
export interface Judgement {
  readonly metric: AlertMetric;
  /** '' for the whole product, else `attribute=value`. */
  readonly slice: string;
  readonly status: JudgementStatus;
  readonly windows: readonly number[];
  readonly series: readonly SeriesValue[];
  readonly detector: Detector;
  /** The detector's own verdict. */
  readonly raw: Verdict;
  /** The verdict after the noise gate: `alert` only if it is worth a person's attention. */
  readonly verdict: Verdict;
  /** The detector said alert, but the deviation was within noise. */
  readonly gated: boolean;
  /** The open incident's windows, left out of the history the verdict was made from. */
  readonly excluded?: Excluded;
}

const NOTHING: Verdict = { value: undefined, low: undefined, up: undefined, alert: false };

/**
 * Step 3 of a run (pure): every watched metric of every slice through its detector and the noise
 * gate. While an incident is open, its own windows are left out of the history, so the value is
 * judged against what was expected before it began: an outage cannot widen its own band.
 */
export function judge(
  slices: readonly SliceSeries[],
  metrics: readonly WatchedMetric[],
  context: {
    readonly state: AlertState;
    /** Sources in "no data": their metrics are held. */
    readonly held: ReadonlySet<SourceName>;
    /** Sources whose events of the evaluated window have arrived. */
    readonly arrived: ReadonlySet<SourceName>;
  },
): Judgement[] {
  return slices.flatMap(({ slice, windows, series }) =>
    metrics.map(({ metric, options, minChange }): Judgement => {
      const values = series[metric];
      const detector = iqrDetector(options);
      const base = { metric, slice, windows, series: values, detector, gated: false };
      const { source } = METRICS[metric];
      if (context.held.has(source)) return { ...base, status: 'held', raw: NOTHING, verdict: NOTHING };
      if (!context.arrived.has(source)) return { ...base, status: 'not-arrived', raw: NOTHING, verdict: NOTHING };
      const excluded = openIncident(context.state, metric, slice, windows);
      const raw = detector.judgeLast(values, excluded);
      const judged = excluded ? [...values.slice(0, excluded.from), ...values.slice(excluded.to)] : values;
      const gated = raw.alert && !worthNotifying(METRICS[metric].kind, judged, raw, { minChange, n: options.n });
      const verdict = gated ? { ...raw, alert: false } : raw;
      return { ...base, status: 'judged', raw, verdict, gated, ...(excluded ? { excluded } : {}) };
    }),
  );
}

/** The windows from an open incident's start to the evaluated one (exclusive), by index. */
function openIncident(
  state: AlertState,
  metric: AlertMetric,
  slice: string,
  windows: readonly number[],
): Excluded | undefined {
  const last = state.get(stateKey(metric, slice));
  if (!isOpen(last)) return undefined;
  const from = windows.findIndex((w) => w >= last.started);
  const to = windows.length - 1;
  return from === -1 || from >= to ? undefined : { from, to };
}
