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
}

/** The latest notification of every metric and slice, by {@link stateKey}. */
export type AlertState = ReadonlyMap<string, LastNotification>;

/** The key of a metric of a slice in the state. */
export function stateKey(metric: string, slice: string): string {
  return `${metric}|${slice}`;
}

/**
 * SPEC §5 "State": notify when an anomaly starts, again every `repeatMs` while it lasts, once more
 * when the value is back inside its band. Decided on windows, not on the clock, so a re-run of the
 * same window notifies nothing new and a restart changes nothing.
 */
export function decideNotification(
  last: LastNotification | undefined,
  verdict: Verdict,
  window: number,
  repeatMs: number,
): NotificationKind | undefined {
  if (last && window <= last.window) return undefined;
  const ongoing = last !== undefined && last.kind !== 'resolved';
  if (verdict.alert) {
    if (!ongoing) return 'started';
    return window - last.window >= repeatMs ? 'repeated' : undefined;
  }
  const { value, low, up } = verdict;
  // A band without width is no evidence: after a long outage it collapses to [0, 0] around the zeros.
  const backInBand =
    value !== undefined && low !== undefined && up !== undefined && low < up && value >= low && value <= up;
  return ongoing && backInBand ? 'resolved' : undefined;
}
