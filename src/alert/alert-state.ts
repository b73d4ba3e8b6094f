import type { Verdict } from '../detect/detector.js';

export const NOTIFICATION_KINDS = ['started', 'repeated', 'resolved'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The latest notification of a metric (and slice). */
export interface LastNotification {
  readonly kind: NotificationKind;
  /** Start of the window it was about, ms since the epoch. */
  readonly window: number;
  /** When the anomaly it belongs to started (its `started` window), ms. */
  readonly started: number;
  /** Someone said "I'm on it": no repeats until it is resolved. */
  readonly acknowledged?: boolean;
}

/** The latest notification of every metric and slice, by {@link stateKey}. */
export type AlertState = ReadonlyMap<string, LastNotification>;

/** The key of a metric of a slice in the state. */
export function stateKey(metric: string, slice: string): string {
  return `${metric}|${slice}`;
}

/**
 * SPEC §5 "State": notify when an anomaly starts, again every `repeatMs` while it lasts, once more
 * when the value is back to normal. Decided on windows, not on the clock, so a re-run of the same
 * window notifies nothing new and a restart changes nothing. The verdict of an open incident is
 * made against what was expected before it began; back to normal means inside that band, or
 * outside it by no more than the noise gate lets pass (`withinNoise`), which a trending series
 * needs: its band from before the incident falls behind. A repeat needs the point to alert on
 * its own too (`alertAfresh`): a change that has become the day's level keeps its incident open
 * until it ends, but is not news every hour.
 */
export function decideNotification(
  last: LastNotification | undefined,
  verdict: Verdict,
  window: number,
  repeatMs: number,
  withinNoise = false,
): NotificationKind | undefined {
  if (last && window <= last.window) return undefined;
  const ongoing = last !== undefined && last.kind !== 'resolved';
  if (verdict.alert) {
    if (!ongoing) return 'started';
    const stillNews = (verdict.alertAfresh ?? true) && last.acknowledged !== true;
    return stillNews && window - last.window >= repeatMs ? 'repeated' : undefined;
  }
  const { value, low, up } = verdict;
  // A band without width is no evidence: it can collapse to [0, 0] around zeros.
  const hasWidth = value !== undefined && low !== undefined && up !== undefined && low < up;
  const backToNormal = hasWidth && (withinNoise || (value >= low && value <= up));
  return ongoing && backToNormal ? 'resolved' : undefined;
}

/** Whether the latest notification leaves an incident open (started or repeated, not resolved). */
export function isOpen(last: LastNotification | undefined): last is LastNotification {
  return last !== undefined && last.kind !== 'resolved';
}

/**
 * The same state machine for a source without data: "no data" when it starts, again every
 * `repeatMs` while it lasts, "data is back" (resolved) when events return.
 */
export function decideNoData(
  last: LastNotification | undefined,
  stale: boolean,
  window: number,
  repeatMs: number,
): NotificationKind | undefined {
  if (last && window <= last.window) return undefined;
  if (stale) {
    if (!isOpen(last)) return 'started';
    return window - last.window >= repeatMs ? 'repeated' : undefined;
  }
  return isOpen(last) ? 'resolved' : undefined;
}
