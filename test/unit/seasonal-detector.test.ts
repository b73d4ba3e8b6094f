import { describe, expect, it } from 'vitest';
import { replay } from '../../src/alert/alert-replay.js';
import type { SeriesValue } from '../../src/detect/detector.js';
import { detectorSpec, watchWith } from '../../src/detect/detectors.js';
import { seasonalDetector } from '../../src/detect/seasonal-detector.js';
// The benchmark's seeded generator (mulberry32), so every run judges the same series.
import { random } from '../../bench/detect/labelled-series.js';

const DAY = 96;

/** Poisson-like counts with a daily shape: `peak` at the evening top, a fifth of it at night. */
function counts(days: number, peak: number, seed = 1): number[] {
  const next = random(seed);
  return Array.from({ length: days * DAY }, (_, i) => {
    const hour = (i % DAY) / 4;
    const mean = peak * (0.2 + 0.8 * Math.exp(-0.5 * ((hour - 19) / 4) ** 2));
    // A normal approximation of Poisson noise is enough here.
    const normal = Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  });
}

const seasonal = (kind: 'count' | 'ratio' = 'count', z?: number) => seasonalDetector({ kind, ...(z ? { z } : {}) });

describe('the seasonal detector', () => {
  it('judges each point from its past only: the full series and its prefix give the same verdict', () => {
    const series: SeriesValue[] = counts(10, 500);
    series[9 * DAY + 40] = 100;
    const full = seasonal().prepare(series);
    for (const i of [2 * DAY, 5 * DAY + 7, 9 * DAY + 39, 9 * DAY + 40, 9 * DAY + 41]) {
      const prefix = seasonal().prepare(series.slice(0, i + 1));
      expect(full(i)).toEqual(prefix(i));
      const open = { open: { from: i - 3, to: i } };
      expect(full(i, open)).toEqual(prefix(i, open));
    }
  });

  it('flags a drop to a third in the evening and stays quiet on the normal days before it', () => {
    const series = counts(10, 400);
    const evening = 9 * DAY + 78;
    series[evening] = Math.round((series[evening] ?? 0) / 3);
    const judge = seasonal().prepare(series);
    expect(judge(evening).alert).toBe(true);
    const normal = Array.from({ length: 7 * DAY }, (_, k) => 2 * DAY + k).filter((i) => judge(i).alert);
    expect(normal).toEqual([]);
  });

  it('treats counts as counts: a 30 % drop is noise in a window of 20 and an anomaly in one of 20,000', () => {
    const at = 9 * DAY + 76;
    const verdict = (peak: number) => {
      const series = counts(10, peak, 7);
      series[at] = Math.round((series[at] ?? 0) * 0.7);
      return seasonal().prepare(series)(at);
    };
    expect(verdict(20).alert).toBe(false);
    expect(verdict(20_000).alert).toBe(true);
  });

  it('always flags a count that falls to zero where events were clearly expected, even in a noisy series', () => {
    const next = random(3);
    // About 15 a window, and very noisy: the band reaches down to zero.
    const series = Array.from({ length: 10 * DAY }, () => Math.round(15 * Math.exp(0.9 * (next() - 0.5) * 2)));
    const at = 9 * DAY + 50;
    series[at] = 0;
    const verdict = seasonal().prepare(series)(at);
    expect(verdict.low).toBe(0);
    expect(verdict.alert).toBe(true);
  });

  it('judges a ratio by its own spread, not as a count', () => {
    const next = random(5);
    const ctr = Array.from({ length: 10 * DAY }, () => 0.2 + 0.01 * (next() - 0.5));
    const at = 9 * DAY + 60;
    const judge = (values: number[]) => seasonal('ratio').prepare(values)(at);
    expect(judge(ctr).alert).toBe(false);
    const changed = [...ctr];
    changed[at] = 0.15;
    expect(judge(changed).alert).toBe(true);
    // The same values as counts would be a handful of events, all within Poisson noise.
    expect(seasonalDetector({ kind: 'count' }).prepare(changed)(at).alert).toBe(false);
  });

  it('keeps an outage anomalous while it lasts: its own windows never become the normal', () => {
    const series = counts(10, 300);
    const start = 9 * DAY + 40;
    for (let i = start; i < start + 24; i++) series[i] = 0;
    const points = replay(watchWith(detectorSpec('seasonal'), 'count'), series, 4);
    expect(points[start]?.notification).toBe('started');
    expect(points.slice(start, start + 24).every((p) => p.alert)).toBe(true);
    expect(points.slice(start + 1, start + 24).filter((p) => p.notification === 'repeated')).toHaveLength(5);
    expect(points.slice(start + 24, start + 28).some((p) => p.notification === 'resolved')).toBe(true);
  });

  it('rejects settings that make no sense', () => {
    expect(() => seasonalDetector({ kind: 'count', z: 0 })).toThrow(/z must be a number > 0/);
    expect(() => seasonalDetector({ kind: 'count', minChange: -1 })).toThrow(/minChange must be/);
    expect(() => seasonalDetector({ kind: 'count', period: 2 })).toThrow(/period must be/);
  });
});

describe('pending windows', () => {
  const notified = (series: readonly SeriesValue[], pendingWindows: number) =>
    replay(watchWith(detectorSpec('seasonal'), 'count', 96, pendingWindows), series, 4)
      .map((p, i) => (p.notification === 'started' ? i : -1))
      .filter((i) => i >= 0);

  it('notify a new anomaly only once it has lasted that many windows', () => {
    const series = counts(10, 400);
    const spike = 9 * DAY + 60;
    series[spike] = (series[spike] ?? 0) * 4;
    const drop = 9 * DAY + 80;
    for (let i = drop; i < drop + 3; i++) series[i] = Math.round((series[i] ?? 0) / 3);
    expect(notified(series, 1)).toEqual([spike, drop]);
    // The one-window spike never lasts two; the drop is notified in its second window.
    expect(notified(series, 2)).toEqual([drop + 1]);
    expect(notified(series, 3)).toEqual([drop + 2]);
  });

  it('never delay an outage to zero', () => {
    const series = counts(10, 400);
    const outage = 9 * DAY + 70;
    for (let i = outage; i < outage + 6; i++) series[i] = 0;
    expect(notified(series, 4)).toEqual([outage]);
  });
});
