/*
 * Event-level scores of alerts against labelled anomalies, as the detection benchmark and
 * `vigil backtest --labels` compute them. An alert episode is a run of consecutive flagged
 * points; it is true when it overlaps a label (or starts within `slack` points after one ends,
 * the echo of a label's last window), false otherwise. A label is caught when an episode overlaps
 * it. Points before `warmup` count for nothing, nor do labels that start there.
 */

/** A labelled anomaly: points [start, end) of a series. */
export interface Label {
  readonly start: number;
  readonly end: number;
  /** What kind of anomaly, for recall by kind. */
  readonly kind?: string;
}

export interface SeriesScore {
  /** Alert episodes after the warm-up, and how many of them were true. */
  readonly episodes: number;
  readonly trueEpisodes: number;
  /** Labels after the warm-up, and how many were caught. */
  readonly labels: number;
  readonly caught: number;
  /** For each caught label, points from its start to its first flagged point. */
  readonly delays: readonly number[];
  /** Caught and missed labels by kind. */
  readonly byKind: Readonly<Record<string, { caught: number; labels: number }>>;
  /** Points scored (after the warm-up). */
  readonly points: number;
}

export interface ScoreOptions {
  /** Points at the start that are not scored. */
  readonly warmup: number;
  /** An episode starting this many points after a label's end still counts as that label's. @default 2 */
  readonly slack?: number;
}

/** Scores one series' flags against its labels. */
export function scoreSeries(flags: readonly boolean[], labels: readonly Label[], options: ScoreOptions): SeriesScore {
  const slack = options.slack ?? 2;
  const scored = labels.filter((l) => l.start >= options.warmup);
  const episodes: { start: number; end: number }[] = [];
  for (let i = options.warmup; i < flags.length; i++) {
    if (!flags[i]) continue;
    const last = episodes.at(-1);
    if (last && last.end === i) last.end = i + 1;
    else episodes.push({ start: i, end: i + 1 });
  }
  const overlaps = (e: { start: number; end: number }, l: Label) => e.start < l.end + slack && e.end > l.start;
  const trueEpisodes = episodes.filter((e) => labels.some((l) => overlaps(e, l))).length;
  const byKind: Record<string, { caught: number; labels: number }> = {};
  const delays: number[] = [];
  let caught = 0;
  for (const label of scored) {
    const kind = label.kind ?? 'anomaly';
    const tally = (byKind[kind] ??= { caught: 0, labels: 0 });
    tally.labels++;
    const first = episodes.find((e) => overlaps(e, label));
    if (!first) continue;
    caught++;
    tally.caught++;
    delays.push(Math.max(0, first.start - label.start));
  }
  return {
    episodes: episodes.length,
    trueEpisodes,
    labels: scored.length,
    caught,
    delays,
    byKind,
    points: Math.max(0, flags.length - options.warmup),
  };
}

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Median points from a caught label's start to its first alert. */
  readonly medianDelay: number;
  /** False episodes per day (of `pointsPerDay` points) over the series without labels. */
  readonly falseAlarmsPerDay: number;
  readonly byKind: Readonly<Record<string, { caught: number; labels: number; recall: number }>>;
  readonly episodes: number;
  readonly labels: number;
}

/** Sums series' scores into precision, recall, F1, delay, and false alarms per day of clean series. */
export function combineScores(series: readonly SeriesScore[], pointsPerDay = 96): Scores {
  const sum = (pick: (s: SeriesScore) => number) => series.reduce((total, s) => total + pick(s), 0);
  const episodes = sum((s) => s.episodes);
  const trueEpisodes = sum((s) => s.trueEpisodes);
  const labels = sum((s) => s.labels);
  const caught = sum((s) => s.caught);
  const precision = episodes === 0 ? 1 : trueEpisodes / episodes;
  const recall = labels === 0 ? 1 : caught / labels;
  const clean = series.filter((s) => s.labels === 0);
  const cleanDays = clean.reduce((total, s) => total + s.points / pointsPerDay, 0);
  const falseOnClean = clean.reduce((total, s) => total + (s.episodes - s.trueEpisodes), 0);
  const delays = series.flatMap((s) => s.delays).sort((a, b) => a - b);
  const byKind: Record<string, { caught: number; labels: number; recall: number }> = {};
  for (const s of series) {
    for (const [kind, tally] of Object.entries(s.byKind)) {
      const total = (byKind[kind] ??= { caught: 0, labels: 0, recall: 0 });
      total.caught += tally.caught;
      total.labels += tally.labels;
    }
  }
  for (const total of Object.values(byKind)) total.recall = total.labels === 0 ? 1 : total.caught / total.labels;
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    medianDelay: delays.length === 0 ? Number.NaN : (delays[Math.floor((delays.length - 1) / 2)] ?? Number.NaN),
    falseAlarmsPerDay: cleanDays === 0 ? 0 : falseOnClean / cleanDays,
    byKind,
    episodes,
    labels,
  };
}
