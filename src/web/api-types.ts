/*
 * The dashboard's JSON API as the browser reads it: shared by the server (src/web) and the
 * browser modules (src/web/browser), so both are checked against one shape. Times are ISO
 * instants; the browser formats them in `timezone`.
 */

export type MetricKindName = 'count' | 'ratio';

export const TILE_STATES = ['anomalous', 'no data', 'acknowledged', 'silenced', 'ok', 'not yet evaluated'] as const;
/** A tile's state, by colour and word. */
export type TileState = (typeof TILE_STATES)[number];

export interface SilenceView {
  readonly id: string;
  /** '' for every metric. */
  readonly metric: string;
  /** '' for every slice. */
  readonly slice: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
}

/** A value over the time of day: minutes since local midnight, and the value (null when unknown). */
export interface SparkPoint {
  readonly minute: number;
  readonly value: number | null;
}

export interface Tile {
  readonly metric: string;
  /** '' for the whole product, else attribute=value. */
  readonly slice: string;
  readonly name: string;
  readonly kind: MetricKindName;
  readonly state: TileState;
  /** The last evaluated window (its start), its value and the band it was judged against. */
  readonly window: string | null;
  readonly value: number | null;
  readonly low: number | null;
  readonly up: number | null;
  readonly evaluatedAt: string | null;
  /** When the open incident started, if one is open. */
  readonly since: string | null;
  /** The silence covering it now, if any. */
  readonly silencedUntil: string | null;
  readonly today: readonly SparkPoint[];
  readonly lastWeek: readonly SparkPoint[];
}

export interface IncidentView {
  readonly metric: string;
  readonly slice: string;
  readonly name: string;
  readonly kind: MetricKindName;
  readonly since: string;
  readonly lastWindow: string;
  readonly acknowledged: boolean;
  /** A silence covering it now: it is not notified until then. */
  readonly silencedUntil: string | null;
  readonly value: number | null;
  readonly low: number | null;
  readonly up: number | null;
}

export interface SourceFreshness {
  readonly source: string;
  readonly table: string;
  /** The newest event, null when the table has none (or cannot be read: see `error`). */
  readonly newest: string | null;
  readonly error?: string;
}

export interface JobRun {
  readonly job: string;
  readonly logical: string;
  readonly status: 'success' | 'failure' | 'running';
  readonly attempt: number;
  readonly finishedAt: string;
  readonly error: string;
}

export interface OverviewResponse {
  readonly now: string;
  readonly timezone: string;
  readonly tiles: readonly Tile[];
  readonly incidents: readonly IncidentView[];
  readonly noData: readonly { readonly source: string; readonly since: string }[];
  readonly sources: readonly SourceFreshness[];
  readonly jobs: readonly JobRun[];
  readonly silences: readonly SilenceView[];
}

export const RANGES = { '6h': 6, '1d': 24, '7d': 7 * 24, '28d': 28 * 24 } as const;
/** The metric page's time ranges, in hours. */
export type RangeName = keyof typeof RANGES;

export interface MetricPoint {
  readonly window: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly up: number | null;
  /** The same window a week earlier. */
  readonly lastWeek: number | null;
}

export interface AlertView {
  readonly window: string;
  readonly kind: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly up: number | null;
}

export interface MetricResponse {
  readonly metric: string;
  readonly name: string;
  readonly kind: MetricKindName;
  readonly slice: string;
  readonly timezone: string;
  readonly range: RangeName;
  /** The window the view is centred on (an alert's), or the last evaluated one. */
  readonly window: string;
  /** Whether `window` was asked for (at=) rather than the latest. */
  readonly pinned: boolean;
  readonly points: readonly MetricPoint[];
  readonly alerts: readonly AlertView[];
  readonly silences: readonly SilenceView[];
  /** The open incident of this metric and slice, if any. */
  readonly incident: IncidentView | null;
}

export interface AlertHistoryEntry {
  readonly window: string;
  readonly metric: string;
  /** The metric's name as people read it. */
  readonly name: string;
  readonly slice: string;
  readonly kind: string;
  readonly value: number | null;
  readonly delivered: boolean;
}

export interface RunView {
  readonly job: string;
  readonly logical: string;
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: 'success' | 'failure' | 'running';
  readonly error: string;
  readonly rows: number;
}

/** POST /api/silences */
export interface SilenceRequest {
  readonly metric: string;
  readonly slice: string;
  /** Hours from now. */
  readonly hours: number;
  readonly comment: string;
  readonly by: string;
}

/** POST /api/acknowledge */
export interface AcknowledgeRequest {
  readonly metric: string;
  readonly slice: string;
  readonly by: string;
}
