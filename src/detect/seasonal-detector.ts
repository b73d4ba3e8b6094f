import type { Detector, Excluded, Judge, KnownIncidents, SeriesValue, ValueKind, Verdict } from './detector.js';

/**
 * The seasonal detector: a window is expected to look like the same time of day on earlier days
 * and weeks, scaled to how the last hours compared with those days, and judged against the noise
 * the series itself showed lately. It sees a fall to a third in the evening decline, an outage at
 * night, and a slow degradation over hours, all of which the last hour alone cannot tell from
 * normal. The choice of each part was measured on the labelled benchmark (docs/alerts.md).
 *
 * Expected value. For each reference lag ℓ (1–6 days, 1–3 weeks) whose windows are known, the
 * window is predicted as the same window ℓ earlier (with its two neighbours), times the level
 * ratio of the LEVEL_WINDOWS windows before it to the same windows ℓ earlier. The prediction is
 * the median of the weekly references (they share the weekday) and of the daily references'
 * median. How much the references disagree is part of the noise: before a week of history, a
 * Saturday predicted from weekdays is uncertain, and says so.
 *
 * Noise. Counts vary like counts: Poisson plus a relative part c, judged on the square-root
 * scale, so a window of 20 is not judged like one of 20,000. c is fitted to the series' own
 * prediction errors over the previous CALIBRATION_DAYS days, overall and at the same time of
 * day (the larger wins: a day's turn at night is harder to predict than its afternoon). Ratios
 * have no counts behind them here: their spread is fitted the same way to their own errors.
 *
 * A window is anomalous when it is `z` noise deviations and at least `minChange` away from its
 * expected value. A count that falls to zero where ZERO_FLOOR events were expected is anomalous
 * whatever the band. (Testing the last hour and four hours as well caught a little more of slow
 * slides but raised false alarms more: docs/alerts.md.)
 *
 * Known incidents. The windows of the open incident and of earlier ones are left out of the
 * level and of the fitted noise. The open incident's windows are left out of the references too,
 * for a day at most: an incident that has lasted a day is the new normal. While it is open, a
 * window stays anomalous within half the distance that raised it (hysteresis: a metric must be
 * clearly back to resolve).
 *
 * A verdict at i reads no point more than 27 days before i, so a live run with 28 days of history
 * judges exactly as a backtest over a longer series.
 */
export interface SeasonalOptions {
  readonly kind: ValueKind;
  /** Noise deviations a window must be away from its expected value. @default 4.5 */
  readonly z?: number;
  /** The least relative change worth an alert. @default 0.1 */
  readonly minChange?: number;
  /** Windows per day. @default 96 */
  readonly period?: number;
}

export const SEASONAL_DEFAULTS = { z: 4.5, minChange: 0.1 } as const;

/** Windows each level ratio is measured over. */
const LEVEL_WINDOWS = 4;
/** Days of prediction errors the noise is fitted to. */
const CALIBRATION_DAYS = 6;
/** Fewer errors than this to fit the noise to: no verdict. */
const MIN_CALIBRATION = 48;
/** Events expected in a window above which a zero is always anomalous (P(0) < 1e-4 for a Poisson count). */
const ZERO_FLOOR = 10;
/** Events added to both sides of a level ratio, so a quiet night's handful does not swing it. */
const LEVEL_PRIOR = 10;
/** An open incident's share of the threshold that keeps it open. */
const HYSTERESIS = 0.5;
/** Windows either side of the same time of day whose errors fit the time of day's own noise. */
const SAME_TIME = 2;

interface Range {
  readonly sum: number;
  /** Defined points in it. */
  readonly count: number;
  readonly length: number;
}

/** Sums over ranges of a series with gaps, in constant time. */
class PrefixSums {
  private readonly sums: Float64Array;
  private readonly counts: Int32Array;
  constructor(values: readonly SeriesValue[]) {
    this.sums = new Float64Array(values.length + 1);
    this.counts = new Int32Array(values.length + 1);
    values.forEach((v, i) => {
      this.sums[i + 1] = (this.sums[i] ?? 0) + (v ?? 0);
      this.counts[i + 1] = (this.counts[i] ?? 0) + (v === undefined ? 0 : 1);
    });
  }
  /** [from, to); undefined if it reaches outside the series or half of it is missing. */
  range(from: number, to: number): Range | undefined {
    if (from < 0 || to > this.sums.length - 1 || to <= from) return undefined;
    const count = (this.counts[to] ?? 0) - (this.counts[from] ?? 0);
    if (count * 2 < to - from) return undefined;
    return { sum: (this.sums[to] ?? 0) - (this.sums[from] ?? 0), count, length: to - from };
  }
}

const overlaps = (from: number, to: number, range: Excluded) => from < range.to && to > range.from;

/** The median of the first `count` numbers of `values` (sorts them in place; a handful, so by insertion). */
function medianOf(values: Float64Array, count: number): number {
  for (let i = 1; i < count; i++) {
    const value = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) > value) {
      values[j + 1] = values[j] ?? 0;
      j--;
    }
    values[j + 1] = value;
  }
  const middle = count >> 1;
  return count % 2 === 1 ? (values[middle] ?? 0) : ((values[middle - 1] ?? 0) + (values[middle] ?? 0)) / 2;
}

/** A window's expected value, and how uncertain the references leave it (a standard deviation). */
interface Expectation {
  readonly guess: number;
  readonly spread: number;
}

export function seasonalDetector(options: SeasonalOptions): Detector {
  const z = options.z ?? SEASONAL_DEFAULTS.z;
  const minChange = options.minChange ?? SEASONAL_DEFAULTS.minChange;
  const period = options.period ?? 96;
  if (!(z > 0)) throw new RangeError(`z must be a number > 0 (got ${z})`);
  if (!(minChange >= 0)) throw new RangeError(`minChange must be a number ≥ 0 (got ${minChange})`);
  if (!Number.isInteger(period) || period < 4)
    throw new RangeError(`period must be a whole number ≥ 4 (got ${period})`);
  const daily = [1, 2, 3, 4, 5, 6].map((d) => d * period);
  const weekly = [7, 14, 21].map((d) => d * period);
  const noise = options.kind === 'count' ? COUNT_NOISE : RATIO_NOISE;
  const counts = options.kind === 'count';

  const prepare = (given: readonly SeriesValue[]): Judge => {
    // A count's zeros before its first event are no history (a new product, a source filled
    // lately): as references they would make any first day a spike.
    const first = counts ? given.findIndex((v) => v !== undefined && v !== 0) : 0;
    const series = first > 0 ? given.map((v, i) => (i < first ? undefined : v)) : given;
    const prefix = new PrefixSums(series);
    const mean = (range: Range) => range.sum / range.count;
    /** A range's total, its missing points counted as its mean. */
    const whole = (range: Range) => (range.sum * range.length) / range.count;

    /** The sum of ranges of the series shifted back by `lag`; undefined if any is unknown. */
    const total = (ranges: readonly Excluded[], lag: number): Range | undefined => {
      let sum = 0;
      let count = 0;
      let length = 0;
      for (const { from, to } of ranges) {
        const range = prefix.range(from - lag, to - lag);
        if (range === undefined) return undefined;
        sum += range.sum;
        count += range.count;
        length += range.length;
      }
      return { sum, count, length };
    };

    // Scratch space for the references' predictions: expected() runs for every error fitted.
    const weeks = new Float64Array(weekly.length);
    const days = new Float64Array(daily.length);
    const references = new Float64Array(weekly.length + daily.length);

    /** Whether the reference `lag` back (its window with neighbours, and its level windows) touches any of `avoid`. */
    const touches = (i: number, lag: number, level: readonly Excluded[], avoid: readonly Excluded[]) => {
      for (const range of avoid) {
        if (overlaps(i - lag - 1, i - lag + 2, range)) return true;
        for (const l of level) if (overlaps(l.from - lag, l.to - lag, range)) return true;
      }
      return false;
    };

    /** Window i predicted from `lag` back, levelled by `recent`; NaN when it cannot be. */
    const predict = (i: number, lag: number, level: readonly Excluded[], recent: Range, avoid: readonly Excluded[]) => {
      // A window's reference is smoothed with its neighbours: a day ago at 12:00 is noisy alone.
      const reference = prefix.range(i - lag - 1, i - lag + 2);
      const before = reference && total(level, lag);
      if (reference === undefined || before === undefined) return Number.NaN;
      if (avoid.length > 0 && touches(i, lag, level, avoid)) return Number.NaN;
      const ratio = counts
        ? (whole(recent) + LEVEL_PRIOR) / (whole(before) + LEVEL_PRIOR)
        : mean(before) > 0
          ? mean(recent) / mean(before)
          : 1;
      return mean(reference) * ratio;
    };

    /** Window i's expected value, levelled over the windows `level`, from references that touch none of `avoid`. */
    const expected = (i: number, level: readonly Excluded[], avoid: readonly Excluded[]): Expectation | undefined => {
      const recent = total(level, 0);
      if (recent === undefined) return undefined;
      let weekCount = 0;
      let dayCount = 0;
      for (const lag of weekly) {
        const p = predict(i, lag, level, recent, avoid);
        if (!Number.isNaN(p)) weeks[weekCount++] = p;
      }
      for (const lag of daily) {
        const p = predict(i, lag, level, recent, avoid);
        if (!Number.isNaN(p)) days[dayCount++] = p;
      }
      if (weekCount + dayCount === 0) return undefined;
      // The weekly references (they share the weekday) and the daily ones' median, as candidates.
      references.set(weeks.subarray(0, weekCount));
      let candidates = weekCount;
      if (dayCount > 0) references[candidates++] = medianOf(days, dayCount);
      const guess = medianOf(references, candidates);
      // How much all the references disagree.
      references.set(weeks.subarray(0, weekCount));
      references.set(days.subarray(0, dayCount), weekCount);
      const count = weekCount + dayCount;
      for (let k = 0; k < count; k++) references[k] = Math.abs((references[k] ?? 0) - guess);
      const spread = count < 2 ? 0 : 1.4826 * medianOf(references, count);
      return { guess, spread };
    };

    /*
     * Each window's plain prediction error (no incidents known), for fitting the noise, computed
     * once when first asked for, as the terms of its squared deviation under a noise scale s:
     * top / (base + s·weight); NaN where there is no prediction.
     */
    const top = new Float64Array(series.length).fill(Number.NaN);
    const base = new Float64Array(series.length);
    const weight = new Float64Array(series.length);
    const known = new Uint8Array(series.length);
    const errorAt = (j: number) => {
      if (known[j] === 1) return;
      known[j] = 1;
      const value = series[j];
      const expectation = value === undefined ? undefined : expected(j, [{ from: j - LEVEL_WINDOWS, to: j }], []);
      if (value === undefined || expectation === undefined) return;
      const terms = noise.terms(value, expectation);
      top[j] = terms.top;
      base[j] = terms.base;
      weight[j] = terms.weight;
    };

    /** Indices of errors to fit the noise at `index` to: the days before it, outside known incidents. */
    const calibration = (index: number, avoid: readonly Excluded[]): number[] => {
      const indices: number[] = [];
      for (let j = Math.max(0, index - CALIBRATION_DAYS * period); j < index; j++) {
        const inside = avoid.find((range) => range.from <= j && j < range.to);
        if (inside) {
          j = inside.to - 1;
          continue;
        }
        errorAt(j);
        if (!Number.isNaN(top[j] ?? Number.NaN)) indices.push(j);
      }
      return indices;
    };

    /**
     * The noise scale that makes the errors' squared deviations, clipped at 9 so an anomaly among
     * them does not count as noise, average what a standard normal's would: E[min(Z², 9)] ≈ 0.995.
     * The deviations shrink as the scale grows; bisection on a log scale.
     */
    const fitScale = (indices: readonly number[]): number => {
      const clippedMeanSquare = (scale: number) => {
        let sum = 0;
        for (const j of indices) sum += Math.min((top[j] ?? 0) / ((base[j] ?? 0) + scale * (weight[j] ?? 0)), 9);
        return sum / indices.length;
      };
      const target = 0.995;
      if (clippedMeanSquare(0) <= target) return 0;
      let low = 0;
      let high = 1e-6;
      while (clippedMeanSquare(high) > target && high < 1e12) high *= 16;
      for (let step = 0; step < 14; step++) {
        const middle = low === 0 ? high / 16 : Math.sqrt(low * high);
        if (clippedMeanSquare(middle) > target) low = middle;
        else high = middle;
      }
      return high;
    };

    /** The noise scale at `index` and the errors it was fitted to: the larger of the days' and the time of day's. */
    const scaleAt = (index: number, avoid: readonly Excluded[]) => {
      const all = calibration(index, avoid);
      if (all.length < MIN_CALIBRATION) return undefined;
      // The same time of day: a day's turn at night is harder to predict than its afternoon.
      const local = all.filter((j) => {
        const offset = (index - j) % period;
        return offset <= SAME_TIME || offset >= period - SAME_TIME;
      });
      return { scale: Math.max(fitScale(all), local.length >= 5 ? fitScale(local) : 0), fitted: all.length };
    };
    // Fitting the noise is most of a verdict's work; a replay asks for the same point again.
    const plainScales = new Map<number, ReturnType<typeof scaleAt>>();
    const scaleFor = (index: number, avoid: readonly Excluded[]) => {
      if (avoid.length > 0) return scaleAt(index, avoid);
      if (!plainScales.has(index)) plainScales.set(index, scaleAt(index, avoid));
      return plainScales.get(index);
    };

    /** The LEVEL_WINDOWS windows before `end` outside known incidents (within a day), as ranges. */
    const levelWindows = (end: number, avoid: readonly Excluded[]): Excluded[] => {
      const ranges: Excluded[] = [];
      let needed = LEVEL_WINDOWS;
      let to = end;
      while (needed > 0 && to > 0 && end - to <= period) {
        const inside = avoid.find((range) => range.from < to && range.to >= to);
        if (inside) {
          to = inside.from;
          continue;
        }
        const blocker = Math.max(0, ...avoid.filter((range) => range.to < to).map((range) => range.to));
        const from = Math.max(blocker, to - needed);
        ranges.push({ from, to });
        needed -= to - from;
        to = from;
      }
      return needed === 0 ? ranges : [{ from: end - LEVEL_WINDOWS, to: end }];
    };

    /** A zero where ZERO_FLOOR events were expected, now or before the open incident (an outage never turns normal). */
    const zeroIsAnomalous = (index: number, guess: number, opened: Excluded | undefined) => {
      if (guess >= ZERO_FLOOR) return true;
      if (opened === undefined) return false;
      const before = expected(index, levelWindows(opened.from, [opened]), [opened]);
      return before !== undefined && before.guess >= ZERO_FLOOR;
    };

    /** The verdict on `index` knowing these incidents (see the detector's description). */
    const verdictOn = (index: number, value: number, incidents: KnownIncidents | undefined): Verdict => {
      const raw = given[index];
      const opened = incidents?.open && incidents.open.to <= index ? incidents.open : undefined;
      const open = opened && index - opened.from <= period ? opened : undefined;
      const past = incidents?.past ?? [];
      const avoid = open ? [...past, open] : past;
      const expectation = expected(index, levelWindows(index, avoid), open ? [open] : []);
      const fit = scaleFor(index, avoid);
      if (expectation === undefined || fit === undefined)
        return { value: raw, low: undefined, up: undefined, alert: false };
      const { guess } = expectation;
      const strictness = open ? HYSTERESIS : 1;
      // Noise fitted to a day or two of errors is known only roughly: the threshold widens, as a t-test's does.
      const threshold = z * Math.sqrt(1 + period / fit.fitted);
      const deviations = noise.deviations(value, expectation, fit.scale);
      const change = minChange * Math.abs(guess);
      const far = Math.abs(deviations) > strictness * threshold && Math.abs(value - guess) >= strictness * change;
      const zero = counts && value === 0 && zeroIsAnomalous(index, guess, opened);
      const low = Math.min(noise.edge(expectation, fit.scale, -threshold), guess - change);
      const up = Math.max(noise.edge(expectation, fit.scale, threshold), guess + change);
      return {
        value: raw,
        low: counts ? Math.max(0, low) : low,
        up,
        alert: far || zero,
        expected: guess,
      };
    };

    const below = (verdict: Verdict) =>
      verdict.value !== undefined &&
      verdict.low !== undefined &&
      verdict.up !== undefined &&
      verdict.value < (verdict.low + verdict.up) / 2;

    return (index, incidents) => {
      const raw = given[index];
      // A count without a value counted nothing.
      const value = counts ? (raw ?? 0) : raw;
      if (value === undefined) return { value: raw, low: undefined, up: undefined, alert: false };
      const verdict = verdictOn(index, value, incidents);
      if (!verdict.alert || incidents?.open === undefined) return verdict;
      // An outage is news for as long as it lasts.
      if (counts && value === 0) return { ...verdict, alertAfresh: true };
      // Otherwise worth repeating if it would alert on its own, as the same kind of change (not a recovery
      // seen against the incident's own windows).
      const afresh = verdictOn(index, value, { past: incidents.past });
      return { ...verdict, alertAfresh: afresh.alert && below(afresh) === below(verdict) };
    };
  };

  return { name: 'seasonal', prepare };
}

/**
 * How a kind of value is noisy. A value's squared deviation from its expectation under a noise
 * scale s is top / (base + s·weight), which is what the scale is fitted to.
 */
interface NoiseModel {
  terms(measured: number, expectation: Expectation): { top: number; base: number; weight: number };
  /** Signed deviations of `measured` from the expectation. */
  deviations(measured: number, expectation: Expectation, scale: number): number;
  /** The value `deviations` away from the expectation. */
  edge(expectation: Expectation, scale: number, deviations: number): number;
}

const root = (x: number) => Math.sqrt(Math.max(0, x) + 0.375);

/**
 * A count's noise: Poisson, plus a relative part c (variance M + c²M²), plus the references'
 * disagreement, measured on the square-root scale (Anscombe's), where a count's noise is about
 * the same size whatever the count: a small count's long upper tail is not taken for a spike,
 * nor its drop to a handful missed. The scale is c².
 */
const COUNT_NOISE: NoiseModel = {
  terms(measured, { guess, spread }) {
    const difference = 2 * (root(measured) - root(guess));
    return { top: difference * difference, base: 1 + (guess > 0 ? (spread * spread) / guess : 0), weight: guess };
  },
  deviations(measured, expectation, scale) {
    const { top, base, weight } = COUNT_NOISE.terms(measured, expectation);
    return Math.sign(measured - expectation.guess) * Math.sqrt(top / (base + scale * weight));
  },
  edge(expectation, scale, deviations) {
    const { base, weight } = COUNT_NOISE.terms(expectation.guess, expectation);
    const edge = root(expectation.guess) + (deviations * Math.sqrt(base + scale * weight)) / 2;
    return edge <= 0 ? 0 : Math.max(0, edge * edge - 0.375);
  },
};

/** A ratio's noise: a variance of its own (the scale), plus the references' disagreement. */
const RATIO_NOISE: NoiseModel = {
  terms(measured, { guess, spread }) {
    const difference = measured - guess;
    return { top: difference * difference, base: spread * spread, weight: 1 };
  },
  deviations(measured, expectation, scale) {
    const sd = Math.max(Math.sqrt(scale + expectation.spread ** 2), Number.EPSILON);
    return (measured - expectation.guess) / sd;
  },
  edge(expectation, scale, deviations) {
    return expectation.guess + deviations * Math.sqrt(scale + expectation.spread ** 2);
  },
};
