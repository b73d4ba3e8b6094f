/*
 * A seeded generator of labelled product-metric series for the detection benchmark: 15-minute
 * windows over three to four weeks, with daily and weekly seasonality, day-to-day and
 * within-day drift, holidays (unlabelled: they are how the product is, not faults), overdispersed
 * counts from about 20 to 50,000 per window at the daily peak, and a ratio metric (likes per
 * view) whose noise comes from its own counts. Anomalies are labelled as windows [start, end).
 */
import type { Label } from '../../src/detect/score.js';

export const POINTS_PER_DAY = 96;
/** Nothing is labelled, and nothing scored, in the first two days. */
export const WARMUP_DAYS = 2;

export type SeriesKind = 'count' | 'ratio';
export const COUNT_ANOMALIES = [
  'outage',
  'partial drop',
  'spike',
  'level shift',
  'gradual degradation',
  'missing window',
  'late window',
] as const;
export const RATIO_ANOMALIES = ['ctr change', 'ctr drift'] as const;
export type AnomalyKind = (typeof COUNT_ANOMALIES)[number] | (typeof RATIO_ANOMALIES)[number];

export interface LabelledSeries {
  readonly name: string;
  readonly kind: SeriesKind;
  /** Start of the first window, ms since the epoch (UTC midnight). */
  readonly start: number;
  readonly values: readonly (number | undefined)[];
  readonly labels: readonly Label[];
  /** A typical peak window's count (of views, for a ratio). */
  readonly peak: number;
}

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rng = () => number;
const uniform = (rng: Rng, low: number, high: number) => low + (high - low) * rng();
const logUniform = (rng: Rng, low: number, high: number) => Math.exp(uniform(rng, Math.log(low), Math.log(high)));
const integer = (rng: Rng, low: number, high: number) => Math.floor(uniform(rng, low, high + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let product = rng();
  while (product > limit) {
    k++;
    product *= rng();
  }
  return k;
}

function binomial(rng: Rng, trials: number, p: number): number {
  const chance = Math.min(1, Math.max(0, p));
  if (trials * chance * (1 - chance) > 25) {
    const mean = trials * chance;
    return Math.min(trials, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - chance)) * normal(rng))));
  }
  let successes = 0;
  for (let i = 0; i < trials; i++) if (rng() < chance) successes++;
  return successes;
}

/** A daily profile, 0…1 at its peak: a night floor, a morning and an evening bump of random size and hour. */
function dailyProfile(rng: Rng): (hour: number) => number {
  const floor = uniform(rng, 0.08, 0.4);
  const bumps = [
    { hour: uniform(rng, 8, 13), width: uniform(rng, 2, 4), height: uniform(rng, 0.4, 1) },
    { hour: uniform(rng, 17, 22), width: uniform(rng, 2, 5), height: uniform(rng, 0.6, 1) },
  ];
  const raw = (hour: number) =>
    bumps.reduce((sum, b) => {
      const distance = Math.min(Math.abs(hour - b.hour), 24 - Math.abs(hour - b.hour));
      return sum + b.height * Math.exp(-0.5 * (distance / b.width) ** 2);
    }, 0);
  let top = 0;
  for (let h = 0; h < 24; h += 0.25) top = Math.max(top, raw(h));
  return (hour) => floor + (1 - floor) * (raw(hour) / top);
}

/** Hours after midnight by which a day has taken over from the one before (unless abrupt). */
const NIGHT_HOURS = 6;

/** The expected value of each window without anomalies: seasonality, trend, drift and holidays. */
function normalShape(rng: Rng, days: number, abrupt: boolean): number[] {
  const weekday = dailyProfile(rng);
  // Weekends differ in level and shape: later mornings, their own evening.
  const weekend = rng() < 0.6 ? dailyProfile(rng) : weekday;
  const weekendLevel = uniform(rng, 0.7, 1.3);
  const weekdayLevels = Array.from({ length: 5 }, () => 1 + uniform(rng, -0.05, 0.05));
  const firstWeekday = integer(rng, 0, 6);
  const trend = uniform(rng, -0.15, 0.25);
  const dayNoise = uniform(rng, 0.01, 0.05);
  const holidays = new Map<number, number>();
  if (rng() < 0.35) holidays.set(integer(rng, WARMUP_DAYS + 2, days - 1), pick(rng, [0.75, 0.85, 1.15]));
  const driftScale = uniform(rng, 0.005, 0.03);
  let drift = 0;
  const dayPlans = Array.from({ length: days }, (_, day) => {
    const dow = (firstWeekday + day) % 7;
    const isWeekend = dow >= 5;
    const level =
      (isWeekend ? weekendLevel : (weekdayLevels[dow] ?? 1)) *
      Math.exp(trend * (day / days) + dayNoise * normal(rng)) *
      (holidays.get(day) ?? 1);
    return { level, profile: isWeekend || holidays.has(day) ? weekend : weekday };
  });
  const expected: number[] = [];
  for (let day = 0; day < days; day++) {
    const today = dayPlans[day] as (typeof dayPlans)[number];
    const yesterday = dayPlans[day - 1] ?? today;
    for (let slot = 0; slot < POINTS_PER_DAY; slot++) {
      const hour = (slot + 0.5) / 4;
      // People do not change their habits at midnight: a day takes over from the one before by morning.
      const share = abrupt ? 1 : Math.min(1, hour / NIGHT_HOURS);
      const value = (1 - share) * yesterday.level * yesterday.profile(hour) + share * today.level * today.profile(hour);
      drift = 0.92 * drift + driftScale * normal(rng);
      expected.push(value * Math.exp(drift));
    }
  }
  return expected;
}

interface Placed {
  readonly kind: AnomalyKind;
  readonly start: number;
  /** The labelled end (exclusive). */
  readonly end: number;
  /** Multiplier of the expected value over [start, effectEnd). */
  readonly factor: (i: number) => number;
  readonly effectEnd: number;
}

/** Places an anomaly of `kind` at `start`, with its random magnitude and length. */
function place(rng: Rng, kind: AnomalyKind, start: number, length: number): Placed {
  const span = (low: number, high: number) => integer(rng, low, high);
  const constant = (end: number, factor: number): Placed => ({
    kind,
    start,
    end,
    effectEnd: end,
    factor: () => factor,
  });
  // Down to `depth` of normal over `ramp` windows, held there for `hold`.
  const sliding = (ramp: number, hold: number, depth: number): Placed => ({
    kind,
    start,
    end: start + ramp + hold,
    effectEnd: start + ramp + hold,
    factor: (i) => 1 - (1 - depth) * Math.min(1, (i - start + 1) / ramp),
  });
  switch (kind) {
    case 'outage':
      return constant(start + span(1, 12), 0);
    case 'partial drop':
      return constant(start + span(2, 24), uniform(rng, 0.2, 0.8));
    case 'spike':
      return constant(start + span(1, 4), uniform(rng, 1.5, 5));
    case 'missing window':
      return constant(start + 1, 0);
    case 'late window':
      // Handled apart: part of one window's events counted in the next.
      return { kind, start, end: start + 2, effectEnd: start + 2, factor: () => 1 };
    case 'level shift': {
      const factor = rng() < 0.5 ? uniform(rng, 0.5, 0.8) : uniform(rng, 1.3, 1.8);
      // It lasts to the end; only its first day is an anomaly, after that it is the new normal.
      return { kind, start, end: start + POINTS_PER_DAY, effectEnd: length, factor: () => factor };
    }
    case 'gradual degradation':
      return sliding(span(8, 32), span(4, 16), uniform(rng, 0.3, 0.7));
    case 'ctr change':
      return constant(start + span(4, 24), rng() < 0.5 ? uniform(rng, 0.6, 0.85) : uniform(rng, 1.2, 1.5));
    case 'ctr drift':
      return sliding(span(8, 24), span(4, 12), uniform(rng, 0.55, 0.8));
  }
}

/** Up to `count` anomalies of the given kinds, after the warm-up, a day or more apart. */
function placeAnomalies(rng: Rng, kinds: readonly AnomalyKind[], count: number, length: number): Placed[] {
  const placed: Placed[] = [];
  for (let attempt = 0; attempt < 50 && placed.length < count; attempt++) {
    const kind = pick(rng, kinds);
    const start = integer(rng, (WARMUP_DAYS + 1) * POINTS_PER_DAY, length - 40);
    const anomaly = place(rng, kind, start, length);
    // A day apart: a detector's memory of one anomaly is not scored against the next.
    const clear = placed.every(
      (p) => anomaly.start >= p.end + POINTS_PER_DAY || p.start >= anomaly.end + POINTS_PER_DAY,
    );
    if (clear && anomaly.end <= length) placed.push(anomaly);
  }
  return placed.sort((a, b) => a.start - b.start);
}

function multiplier(anomalies: readonly Placed[], i: number, kinds: readonly AnomalyKind[]): number {
  let factor = 1;
  for (const a of anomalies) if (kinds.includes(a.kind) && i >= a.start && i < a.effectEnd) factor *= a.factor(i);
  return factor;
}

const START = Date.UTC(2026, 0, 5);

function countSeries(rng: Rng, name: string, anomalies: number, abrupt: boolean): LabelledSeries {
  const days = integer(rng, 21, 28);
  const length = days * POINTS_PER_DAY;
  const peak = logUniform(rng, 20, 50_000);
  // Extra-Poisson noise: each window's rate varies by a few percent beyond the drift.
  const overdispersion = uniform(rng, 0.01, 0.06);
  const shape = normalShape(rng, days, abrupt);
  const placed = placeAnomalies(rng, COUNT_ANOMALIES, anomalies, length);
  const values = shape.map((expected, i) => {
    const rate = peak * expected * Math.exp(overdispersion * normal(rng)) * multiplier(placed, i, COUNT_ANOMALIES);
    return poisson(rng, rate);
  });
  for (const late of placed.filter((a) => a.kind === 'late window')) {
    const moved = Math.round((values[late.start] ?? 0) * uniform(rng, 0.5, 0.95));
    values[late.start] = (values[late.start] ?? 0) - moved;
    values[late.start + 1] = (values[late.start + 1] ?? 0) + moved;
  }
  return {
    name,
    kind: 'count',
    start: START,
    values,
    labels: placed.map(({ start, end, kind }) => ({ start, end, kind })),
    peak: Math.round(peak),
  };
}

function ratioSeries(rng: Rng, name: string, anomalies: number, abrupt: boolean): LabelledSeries {
  const days = integer(rng, 21, 28);
  const length = days * POINTS_PER_DAY;
  const peak = logUniform(rng, 50, 20_000);
  const shape = normalShape(rng, days, abrupt);
  const base = uniform(rng, 0.05, 0.3);
  // The rate itself moves a little through the day (evening readers like more) and from window to window.
  const dailySwing = uniform(rng, 0, 0.15);
  const phase = uniform(rng, 0, 24);
  const jitter = uniform(rng, 0.005, 0.04);
  const placed = placeAnomalies(rng, RATIO_ANOMALIES, anomalies, length);
  const values = shape.map((expected, i) => {
    const views = poisson(rng, peak * expected);
    if (views === 0) return undefined;
    const hour = ((i % POINTS_PER_DAY) + 0.5) / 4;
    const rate =
      base *
      (1 + dailySwing * Math.sin((2 * Math.PI * (hour - phase)) / 24)) *
      Math.exp(jitter * normal(rng)) *
      multiplier(placed, i, RATIO_ANOMALIES);
    return binomial(rng, views, rate) / views;
  });
  return {
    name,
    kind: 'ratio',
    start: START,
    values,
    labels: placed.map(({ start, end, kind }) => ({ start, end, kind })),
    peak: Math.round(peak),
  };
}

export interface BenchmarkSet {
  readonly series: readonly LabelledSeries[];
}

/**
 * The labelled set for a seed: `clean` anomaly-free count series and a quarter as many ratio
 * ones, and `labelled` series with one to three anomalies each, a fifth of them ratio. With
 * `abrupt`, each day's level and shape start at midnight sharp, a harder and less lifelike world.
 */
export function labelledSet(seed: number, { clean = 30, labelled = 60, abrupt = false } = {}): BenchmarkSet {
  const rng = random(seed);
  const series: LabelledSeries[] = [];
  for (let i = 0; i < clean; i++) {
    const ratio = i % 4 === 3;
    const make = ratio ? ratioSeries : countSeries;
    series.push(make(random(Math.floor(rng() * 2 ** 32)), `clean-${ratio ? 'ratio' : 'count'}-${i}`, 0, abrupt));
  }
  for (let i = 0; i < labelled; i++) {
    const ratio = i % 5 === 4;
    const make = ratio ? ratioSeries : countSeries;
    const anomalies = integer(rng, 1, 3);
    series.push(
      make(random(Math.floor(rng() * 2 ** 32)), `labelled-${ratio ? 'ratio' : 'count'}-${i}`, anomalies, abrupt),
    );
  }
  return { series };
}
