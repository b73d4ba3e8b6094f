import type { MuteTiming } from '../silence/mute-timings.js';
import type { DetectorSpec } from '../detect/detectors.js';
import type { Locale } from '../metrics/locale.js';
import type { AlertMetric } from '../metrics/metrics.js';
import type { Sources, UserAttribute } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';

/** A watched metric and its detector. */
export interface WatchedMetric {
  readonly metric: AlertMetric;
  readonly detector: DetectorSpec;
  /** Consecutive anomalous windows before it notifies (a fall to zero: at once). */
  readonly pendingWindows: number;
}

/** What the alert job needs to know, built from the configuration by the composition layer. */
export interface AlertSettings {
  readonly sources: Sources;
  readonly tables: VigilTables;
  readonly timezone: string;
  readonly locale: Locale;
  /** The evaluated window ends at least this long before the evaluation time. */
  readonly lagMs: number;
  readonly repeatMs: number;
  /** A source without events for this long is in "no data"; undefined: never. */
  readonly noDataMs: number | undefined;
  /** Recurring quiet times, in the zone: anomalies judged and recorded, not notified. */
  readonly muteTimings: readonly MuteTiming[];
  /** Metrics that start (repeat, resolve) in the same window go out as one message. */
  readonly group: boolean;
  /** How far back each metric's windows are read for its detector. */
  readonly historyMs: number;
  /** Windows counted afresh from raw events on every run, so late events correct them. */
  readonly recountMs: number;
  /** The link in each alert, with {metric}, {slice}, {window} and {at} to fill in; none when undefined. */
  readonly dashboardUrl: string | undefined;
  /** Attributes whose every value is also watched on its own (alerts.slices). */
  readonly slices: readonly UserAttribute[];
  readonly metrics: readonly WatchedMetric[];
}
