import type { Detector, KnownIncidents, SeriesValue, Verdict } from '../detect/detector.js';
import { watchWith } from '../detect/detectors.js';
import { METRICS, type AlertMetric } from '../metrics/metrics.js';
import type { SourceName } from '../sources/sources.js';
import type { SliceSeries } from '../windows/window-counts.js';
import type { PastIncidents } from './alert-inputs.js';
import { WINDOW_MS } from '../windows/windows.js';
import type { WatchedMetric } from './alert-settings.js';
import { isOpen, stateKey, type AlertState, type LastNotification } from './alert-state.js';

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
  /** A new anomaly that has not yet lasted alerts.metrics.<metric>.pendingWindows. */
  readonly pending: boolean;
  /** The incidents whose windows were left out of the history the verdict was made from. */
  readonly incidents?: KnownIncidents;
}

const NOTHING: Verdict = { value: undefined, low: undefined, up: undefined, alert: false };

/**
 * Step 3 of a run (pure): every watched metric of every slice through its watch (detector, noise
 * gate, pending windows). The detector is told of the open incident and of those resolved within
 * the history, so the value is judged against what was expected before the incident began (an
 * outage cannot widen its own band) and a return to normal is not judged against an outage.
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
    /** Incidents that ended within the history: their windows are not normal either. */
    readonly past?: PastIncidents;
  },
): Judgement[] {
  return slices.flatMap(({ slice, windows, series }) =>
    metrics.map(({ metric, detector: spec, pendingWindows }): Judgement => {
      const values = series[metric];
      const { kind, source } = METRICS[metric];
      const watch = watchWith(spec, kind, undefined, pendingWindows);
      const base = { metric, slice, windows, series: values, detector: watch.detector, gated: false, pending: false };
      if (context.held.has(source)) return { ...base, status: 'held', raw: NOTHING, verdict: NOTHING };
      if (!context.arrived.has(source)) return { ...base, status: 'not-arrived', raw: NOTHING, verdict: NOTHING };
      const last = values.length - 1;
      const key = stateKey(metric, slice);
      const incidents = knownIncidents(context.state.get(key), context.past?.get(key) ?? [], windows);
      const { raw, verdict, gated, pending } = watch.judge(watch.detector.prepare(values), values, last, incidents);
      return { ...base, status: 'judged', raw, verdict, gated, pending, ...(incidents ? { incidents } : {}) };
    }),
  );
}

/**
 * The incidents the detector is told of, by index: the open one's windows before the evaluated
 * (last) one, and those of incidents that ended within the history, as a replay tracks them.
 */
function knownIncidents(
  last: LastNotification | undefined,
  past: readonly { from: number; to: number }[],
  windows: readonly number[],
): KnownIncidents | undefined {
  const first = windows[0];
  if (first === undefined) return undefined;
  const indexOf = (ms: number) => Math.round((ms - first) / WINDOW_MS);
  const to = windows.length - 1;
  const ended = past
    .map((incident) => ({ from: Math.max(0, indexOf(incident.from)), to: Math.min(to, indexOf(incident.to)) }))
    .filter((incident) => incident.from < incident.to);
  // An incident that began before the history is all the history knows: nothing to leave out.
  const from = isOpen(last) ? indexOf(last.started) : -1;
  const open = from >= 0 && from < to ? { from, to } : undefined;
  if (!open && ended.length === 0) return undefined;
  return { ...(open ? { open } : {}), ...(ended.length > 0 ? { past: ended } : {}) };
}
