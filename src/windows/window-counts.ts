import type { SeriesValue } from '../detect/detector.js';
import {
  ALERT_METRICS,
  METRICS,
  metricValue,
  WINDOW_COUNTS,
  type AlertMetric,
  type WindowCounts,
} from '../metrics/metrics.js';
import type { SourceName } from '../sources/sources.js';
import { WINDOW_MS } from './windows.js';

/** The counts of one window for one value of a slice; slice '' (value '') is the whole product. */
export interface CountedWindow extends WindowCounts {
  /** '' for the whole product, else the attribute, e.g. `os`. */
  readonly slice: string;
  /** The attribute's value, e.g. `iOS`; '' for the whole product. */
  readonly value: string;
  /** The window's start, ms since the epoch. */
  readonly start: number;
}

export const ZERO_COUNTS: WindowCounts = { users: 0, active_posts: 0, views: 0, likes: 0, senders: 0, messages: 0 };

export function countsOf(row: WindowCounts): WindowCounts {
  return Object.fromEntries(WINDOW_COUNTS.map((c) => [c, row[c]])) as unknown as WindowCounts;
}

export function sameCounts(a: WindowCounts, b: WindowCounts | undefined): boolean {
  return b !== undefined && WINDOW_COUNTS.every((c) => a[c] === b[c]);
}

export function addCounts(a: WindowCounts, b: WindowCounts): WindowCounts {
  return Object.fromEntries(WINDOW_COUNTS.map((c) => [c, a[c] + b[c]])) as unknown as WindowCounts;
}

/** Every metric's series of one slice value over the history. */
export type MetricSeries = Readonly<Record<AlertMetric, readonly SeriesValue[]>>;

/** The series watched as one: the whole product (slice '') or one value of a slice (`os=iOS`). */
export interface SliceSeries {
  /** '' for the whole product, else `attribute=value`. */
  readonly slice: string;
  /** The start of every window of the history, ms since the epoch. */
  readonly windows: readonly number[];
  readonly series: MetricSeries;
}

/**
 * Up to when each source's events have arrived (ms): a window ending later is not known yet. A
 * source absent from it has arrived everywhere.
 */
export type Arrived = Partial<Readonly<Record<SourceName, number>>>;

/**
 * Every metric's series over the given windows from one slice value's counts, by window start.
 * A window without counts is 0 (nothing happened there); CTR is then undefined, never 0. A
 * window whose source's events have not arrived yet is undefined, not 0.
 */
export function metricSeries(
  windows: readonly number[],
  counts: ReadonlyMap<number, WindowCounts>,
  arrived: Arrived = {},
): MetricSeries {
  const rows = windows.map((w) => counts.get(w) ?? ZERO_COUNTS);
  return Object.fromEntries(
    ALERT_METRICS.map((metric) => {
      const until = arrived[METRICS[metric].source] ?? Number.POSITIVE_INFINITY;
      return [
        metric,
        rows.map((row, i) => ((windows[i] ?? 0) + WINDOW_MS <= until ? metricValue(metric, row) : undefined)),
      ];
    }),
  ) as unknown as MetricSeries;
}

/**
 * The series of the whole product and of each value of each slice, from counted windows; values
 * in a stable order (the whole product first, then slices as given, values sorted).
 */
export function sliceSeries(
  windows: readonly number[],
  rows: readonly CountedWindow[],
  slices: readonly string[],
  arrived: Arrived = {},
): SliceSeries[] {
  return ['', ...slices].flatMap((slice) => {
    const own = rows.filter((row) => row.slice === slice);
    const values = slice === '' ? [''] : [...new Set(own.map((row) => row.value))].sort();
    return values.map((value) => ({
      slice: slice === '' ? '' : `${slice}=${value}`,
      windows,
      series: metricSeries(
        windows,
        new Map(own.filter((row) => row.value === value).map((row) => [row.start, row])),
        arrived,
      ),
    }));
  });
}

/** Events a window counted (views, likes, messages): of two copies of one window, the later count has more. */
export const eventsOf = (row: WindowCounts): number => row.views + row.likes + row.messages;
