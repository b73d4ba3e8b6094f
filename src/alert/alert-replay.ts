import type { Excluded, Judge, SeriesValue, Verdict } from '../detect/detector.js';
import type { Watch } from '../detect/detectors.js';
import { decideNotification, type LastNotification, type NotificationKind } from './alert-state.js';

/** One point of a replay: the detector's verdict, and what the live alert would have notified. */
export interface ReplayedPoint extends Verdict {
  /** The verdict after the noise gate. */
  readonly notifiable: boolean;
  readonly notification: NotificationKind | undefined;
}

/**
 * The live alert's rules over a whole series, point by point, with no look-ahead: each point
 * judged with the open incident's windows and those of every resolved one left out of its
 * history (as the live alert reads them back from the journal), the noise gate and pending
 * windows, and the state's started / repeated / resolved decisions. Windows are indices
 * here; `repeatWindows` is alerts.repeat in windows.
 */
export function replay(
  watch: Watch,
  series: readonly SeriesValue[],
  repeatWindows: number,
  judge: Judge = watch.detector.prepare(series),
): ReplayedPoint[] {
  let last: LastNotification | undefined;
  const past: Excluded[] = [];
  const points: ReplayedPoint[] = [];
  for (let index = 0; index < series.length; index++) {
    const open =
      last && last.kind !== 'resolved' && last.started < index ? { from: last.started, to: index } : undefined;
    const incidents = open || past.length > 0 ? { ...(open ? { open } : {}), past } : undefined;
    const { verdict, gated } = watch.judge(judge, series, index, incidents);
    const notification = decideNotification(last, verdict, index, repeatWindows, gated);
    if (notification === 'resolved' && last) past.push({ from: last.started, to: index });
    if (notification !== undefined) {
      last = {
        kind: notification,
        window: index,
        started: notification === 'started' ? index : (last?.started ?? index),
      };
    }
    points.push({ ...verdict, notifiable: verdict.alert, notification });
  }
  return points;
}
