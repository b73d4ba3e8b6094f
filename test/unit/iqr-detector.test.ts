import { describe, expect, it } from 'vitest';
import { backtest, onGrid } from '../../src/detect/backtest.js';
import { judgeLast, type SeriesValue } from '../../src/detect/detector.js';
import { iqrDetector } from '../../src/detect/iqr-detector.js';

/**
 * A plain reference, written as the original pandas code reads, column by column: shift(1),
 * rolling(n).quantile (NaN unless all n are present), then rolling(n, center=True, min_periods=1).mean().
 */
function referenceLast(x: readonly SeriesValue[], a: number, n: number) {
  const NaN_ = Number.NaN;
  const values = x.map((v) => (v === undefined ? NaN_ : v));
  const shifted = [NaN_, ...values.slice(0, -1)];
  const q = (p: number) =>
    shifted.map((_, i) => {
      if (i < n - 1) return NaN_;
      const w = shifted.slice(i - n + 1, i + 1);
      if (w.some(Number.isNaN)) return NaN_;
      const s = [...w].sort((u, v) => u - v);
      const h = (s.length - 1) * p;
      const lo = Math.floor(h);
      const hi = Math.ceil(h);
      return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (h - lo);
    });
  const q25 = q(0.25);
  const q75 = q(0.75);
  const iqr = q25.map((v, i) => (q75[i] ?? NaN_) - v);
  const up = q75.map((v, i) => v + a * (iqr[i] ?? NaN_));
  const low = q25.map((v, i) => v - a * (iqr[i] ?? NaN_));
  const centred = (col: number[], i: number) => {
    const half = Math.floor(n / 2);
    const w = col.slice(Math.max(0, i - half), i - half + n).filter((v) => !Number.isNaN(v));
    return w.length === 0 ? NaN_ : w.reduce((s, v) => s + v, 0) / w.length;
  };
  const T = values.length - 1;
  const upT = centred(up, T);
  const lowT = centred(low, T);
  const xT = values[T] ?? NaN_;
  const alert = (xT < lowT || xT > upT) && iqr[T] !== 0;
  return { low: Number.isNaN(lowT) ? undefined : lowT, up: Number.isNaN(upT) ? undefined : upT, alert };
}

/** Deterministic pseudo-random numbers (mulberry32) for the property test. */
function random(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('iqr detector', () => {
  const detector = iqrDetector({ a: 4, n: 5 });

  it('reproduces the worked example of SPEC §5', () => {
    const x = [10, 12, 11, 13, 12, 11, 30];
    expect(detector.prepare(x)(5)).toMatchObject({ low: 7, up: 16 });
    expect(judgeLast(detector, x)).toEqual({ value: 30, low: 7, up: 16, alert: true });
    expect(judgeLast(detector, [...x.slice(0, 6), 15]).alert).toBe(false);
  });

  it('never alerts on a flat series, where iqr = 0', () => {
    expect(judgeLast(detector, [5, 5, 5, 5, 5, 5, 5, 5]).alert).toBe(false);
    // Even a jump: the band collapses to the line, but iqr = 0 vetoes, as in the original.
    expect(judgeLast(detector, [5, 5, 5, 5, 5, 5, 5, 50])).toMatchObject({ low: 5, up: 5, alert: false });
  });

  it('has no band and no alert while the history is shorter than n + 1', () => {
    expect(judgeLast(detector, [1, 2, 3, 100])).toEqual({ value: 100, low: undefined, up: undefined, alert: false });
    expect(judgeLast(detector, [])).toEqual({ value: undefined, low: undefined, up: undefined, alert: false });
  });

  it('gives no alert for an undefined last value', () => {
    expect(judgeLast(detector, [10, 12, 11, 13, 12, 11, undefined]).alert).toBe(false);
  });

  it('leaves a point without a band when its window holds an undefined value, as pandas does', () => {
    const x: SeriesValue[] = [10, 12, undefined, 13, 12, 11, 12, 11];
    // Its raw window x1..x5 and its smoothing neighbours are all NaN.
    expect(detector.prepare(x)(6).up).toBeUndefined();
    const { low, up, alert } = judgeLast(detector, x);
    expect({ low, up, alert }).toEqual(referenceLast(x, 4, 5));
  });

  it('fires on a drop to zero', () => {
    expect(judgeLast(detector, [100, 104, 98, 101, 99, 103, 100, 0]).alert).toBe(true);
  });

  it('agrees with a plain pandas-style reference on random series', () => {
    const next = random(42);
    for (let trial = 0; trial < 500; trial++) {
      const n = 2 + Math.floor(next() * 7);
      const a = Math.round(next() * 60) / 10;
      const length = Math.floor(next() * 30);
      const flat = next() < 0.2;
      const x: SeriesValue[] = Array.from({ length }, () =>
        next() < 0.08 ? undefined : flat ? 7 : Math.round((50 + next() * 20 + (next() < 0.05 ? 200 : 0)) * 10) / 10,
      );
      const ours = judgeLast(iqrDetector({ a, n }), x);
      const theirs = referenceLast(x, a, n);
      expect(ours.alert, JSON.stringify({ x, a, n })).toBe(theirs.alert);
      if (theirs.up === undefined) expect(ours.up).toBeUndefined();
      else expect(ours.up).toBeCloseTo(theirs.up, 9);
      if (theirs.low === undefined) expect(ours.low).toBeUndefined();
      else expect(ours.low).toBeCloseTo(theirs.low, 9);
    }
  });

  it('equals the reference on every prefix of a long series, judged from one prepared series', () => {
    const next = random(7);
    const x: SeriesValue[] = Array.from({ length: 400 }, () =>
      next() < 0.05 ? undefined : Math.round(50 + next() * 20 + (next() < 0.03 ? 300 : 0)),
    );
    const judge = detector.prepare(x);
    for (let i = 0; i < x.length; i++) {
      const ours = judge(i);
      const theirs = referenceLast(x.slice(0, i + 1), 4, 5);
      expect(ours.alert, `point ${i}`).toBe(theirs.alert);
      expect(ours.up).toEqual(theirs.up === undefined ? undefined : expect.closeTo(theirs.up, 9));
    }
  });

  it("judges an open incident's point as the reference judges the history without the incident's windows", () => {
    const next = random(11);
    for (let trial = 0; trial < 200; trial++) {
      const x: SeriesValue[] = Array.from({ length: 40 }, () => Math.round(50 + next() * 20));
      const from = 5 + Math.floor(next() * 25);
      const index = from + 1 + Math.floor(next() * (x.length - from - 1));
      for (let i = from; i < index; i++) x[i] = next() < 0.5 ? 0 : 400;
      const ours = detector.prepare(x)(index, { open: { from, to: index } });
      const theirs = referenceLast([...x.slice(0, from), x[index]], 4, 5);
      expect(ours.alert, JSON.stringify({ x, from, index })).toBe(theirs.alert);
      expect(ours.low).toEqual(theirs.low === undefined ? undefined : expect.closeTo(theirs.low, 9));
    }
  });

  it('backtests each point from its own past only', () => {
    const points = [10, 12, 11, 13, 12, 11, 30, 12].map((value, i) => ({ time: `t${i}`, at: i * 900_000, value }));
    const result = backtest(detector.prepare(points.map((p) => p.value)), points, onGrid(points));
    expect(result[6]).toEqual({ time: 't6', value: 30, low: 7, up: 16, alert: true });
    expect(result.slice(0, 5).every((r) => r.up === undefined && !r.alert)).toBe(true);
  });

  it('rejects options that make no sense', () => {
    expect(() => iqrDetector({ a: 4, n: 0 })).toThrow(/n must be a whole number/);
    expect(() => iqrDetector({ a: -1, n: 5 })).toThrow(/a must be a number/);
  });
});
