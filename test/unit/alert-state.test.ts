import { describe, expect, it } from 'vitest';
import { decideNotification, type LastNotification, type NotificationKind } from '../../src/alert/alert-state.js';
import { worthNotifying } from '../../src/detect/noise-gate.js';
import type { Verdict } from '../../src/detect/detector.js';

const MIN = 60_000;
const anomalous: Verdict = { value: 0, low: 100, up: 200, alert: true };
const inBand: Verdict = { value: 150, low: 100, up: 200, alert: false };
const stillOff: Verdict = { value: 0, low: 100, up: 200, alert: false };

/** Runs windows through the state machine the way the job does: each decision becomes the new state. */
function play(steps: [number, Verdict][], repeat = 60 * MIN): (NotificationKind | undefined)[] {
  let last: LastNotification | undefined;
  return steps.map(([window, verdict]) => {
    const kind = decideNotification(last, verdict, window, repeat);
    if (kind) last = { kind, window, started: kind === 'started' ? window : (last?.started ?? window) };
    return kind;
  });
}

describe('alert state', () => {
  it('notifies at the start, not 15 minutes later, again after `repeat`, and once when resolved', () => {
    expect(
      play([
        [0, anomalous],
        [15 * MIN, anomalous],
        [45 * MIN, anomalous],
        [60 * MIN, anomalous],
        [75 * MIN, stillOff],
        [90 * MIN, inBand],
        [105 * MIN, inBand],
      ]),
    ).toEqual(['started', undefined, undefined, 'repeated', undefined, 'resolved', undefined]);
  });

  it('does not notify twice for the same window (a retried run), nor for an older one', () => {
    const last: LastNotification = { kind: 'started', window: 30 * MIN, started: 30 * MIN };
    expect(decideNotification(last, anomalous, 30 * MIN, 60 * MIN)).toBeUndefined();
    expect(decideNotification(last, inBand, 15 * MIN, 60 * MIN)).toBeUndefined();
  });

  it('starts a new anomaly after a resolved one', () => {
    expect(
      play([
        [0, anomalous],
        [15 * MIN, inBand],
        [30 * MIN, anomalous],
      ]),
    ).toEqual(['started', 'resolved', 'started']);
  });

  it('does not call an outage resolved when the band has collapsed around the zeros', () => {
    expect(
      play([
        [0, anomalous],
        [90 * MIN, { value: 0, low: 0, up: 0, alert: false }],
      ]),
    ).toEqual(['started', undefined]);
  });
});

describe('noise gate', () => {
  const gate = { minChange: 0.2, n: 5 };

  it('passes a drop to zero and a spike, and stops a small excess over the band', () => {
    expect(worthNotifying('count', [100, 104, 98, 101, 99, 0], { low: 90, up: 110 }, gate)).toBe(true);
    expect(worthNotifying('count', [600, 610, 590, 605, 598, 3000], { low: 560, up: 640 }, gate)).toBe(true);
    // 3300 is 10 % over the median but only 200 (7 %) over the band's edge.
    expect(worthNotifying('count', [3000, 3010, 2990, 3005, 2998, 3300], { low: 2900, up: 3100 }, gate)).toBe(false);
  });

  it('measures from the band, which already expects a rising trend', () => {
    // The normal afternoon of the end-to-end test: +23 % over the median, +14 % over the band.
    expect(worthNotifying('count', [193, 189, 194, 196, 215, 239], { low: 177, up: 210 }, gate)).toBe(false);
  });

  it('passes a fall to a third even when a steep decline has widened the band', () => {
    // As the demo at 02:00: views fall from a median of 2,100 to 526, yet only 404 (19 % of the
    // median) below a band that the decline has stretched to 930 … 3,630.
    expect(worthNotifying('count', [2600, 2400, 2100, 2000, 1900, 526], { low: 930, up: 3630 }, gate)).toBe(true);
    // A fall by less than half, just below such a band, is still the decline's noise.
    expect(worthNotifying('count', [2600, 2400, 2100, 2000, 1900, 1100], { low: 1150, up: 3630 }, gate)).toBe(false);
  });

  it('asks more of small counts: three Poisson standard deviations', () => {
    // 32 → 46 is 14 over the band (> 20 % of 30), but 14 < 3·√30 ≈ 16.4: chance at that size.
    expect(worthNotifying('count', [30, 29, 31, 30, 30, 46], { low: 28, up: 32 }, gate)).toBe(false);
    expect(worthNotifying('count', [30, 29, 31, 30, 30, 50], { low: 28, up: 32 }, gate)).toBe(true);
    // A ratio has no Poisson floor.
    expect(worthNotifying('ratio', [0.2, 0.21, 0.19, 0.2, 0.2, 0.3], { low: 0.18, up: 0.22 }, gate)).toBe(true);
  });

  it('never passes a value inside its band', () => {
    expect(worthNotifying('count', [1, 2, 3, 4, 5, 0], { low: -10, up: 10 }, gate)).toBe(false);
  });
});
