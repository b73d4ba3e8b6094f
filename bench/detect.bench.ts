/*
 * `npm run bench -- detect`: every detector over the labelled set, scored on alert episodes
 * (see src/detect/score.ts), both as the detector flags and as vigil would notify; and the
 * backtest's cost as a series grows (linear: four times the points, about four times the time).
 */
import { replay } from '../src/alert/alert-replay.js';
import { detectorSpec, watchWith, type DetectorName } from '../src/detect/detectors.js';
import { combineScores, scoreSeries, type Scores } from '../src/detect/score.js';
import { labelledSet, POINTS_PER_DAY, WARMUP_DAYS, type LabelledSeries } from './detect/labelled-series.js';
import { bestOf, type Measurement } from './harness.js';

/** alerts.repeat's default, in windows. */
const REPEAT_WINDOWS = 4;
/** Windows that normally hold more events than this must have every outage to zero caught. */
const OUTAGE_FLOOR = 50;

export interface DetectionRow {
  readonly detector: string;
  readonly scores: Scores;
  /** Outages to zero missed in series whose windows normally hold more than OUTAGE_FLOOR events. */
  readonly missedOutages: number;
}

/** Flags of one series: each point's alert, or each point vigil would notify (started or repeated). */
function flagsOf(name: DetectorName, series: LabelledSeries, notify: boolean): boolean[] {
  const watch = watchWith(detectorSpec(name), series.kind);
  if (!notify) {
    const judge = watch.detector.prepare(series.values);
    return series.values.map((_, i) => judge(i).alert);
  }
  return replay(watch, series.values, REPEAT_WINDOWS).map(
    (p) => p.notification === 'started' || p.notification === 'repeated',
  );
}

/** Outages to zero not flagged, where the windows just before them held more than OUTAGE_FLOOR events on average. */
function missedOutages(flags: readonly boolean[], series: LabelledSeries): number {
  return series.labels.filter((label) => {
    if (label.kind !== 'outage') return false;
    const before = series.values.slice(Math.max(0, label.start - 4), label.start);
    const normal = before.reduce<number>((sum, v) => sum + (v ?? 0), 0) / Math.max(1, before.length);
    return normal > OUTAGE_FLOOR && !flags.slice(label.start, label.end).some(Boolean);
  }).length;
}

export function scoreDetectors(seed: number, abrupt = false): DetectionRow[] {
  const { series } = labelledSet(seed, { abrupt });
  const variants: { label: string; name: DetectorName; notify: boolean }[] = [
    { label: 'iqr alone', name: 'iqr', notify: false },
    { label: 'iqr + noise gate (notified)', name: 'iqr', notify: true },
    { label: 'seasonal alone', name: 'seasonal', notify: false },
    { label: 'seasonal (notified, default)', name: 'seasonal', notify: true },
  ];
  return variants.map(({ label, name, notify }) => {
    const flags = series.map((s) => flagsOf(name, s, notify));
    return {
      detector: label,
      scores: combineScores(
        series.map((s, i) => scoreSeries(flags[i] ?? [], s.labels, { warmup: WARMUP_DAYS * POINTS_PER_DAY })),
        POINTS_PER_DAY,
      ),
      missedOutages: series.reduce((sum, s, i) => sum + missedOutages(flags[i] ?? [], s), 0),
    };
  });
}

function detectionFigures(seed: number, abrupt: boolean): Measurement[] {
  const suite = `detect (seed ${seed}${abrupt ? ', abrupt days' : ''})`;
  return scoreDetectors(seed, abrupt).flatMap(({ detector, scores, missedOutages: missed }) => [
    { suite, name: `${detector}: F1`, value: scores.f1, unit: '' },
    { suite, name: `${detector}: precision`, value: scores.precision, unit: '' },
    { suite, name: `${detector}: recall`, value: scores.recall, unit: '', note: `${scores.labels} labels` },
    { suite, name: `${detector}: median delay`, value: scores.medianDelay, unit: 'windows' },
    {
      suite,
      name: `${detector}: false alarms`,
      value: scores.falseAlarmsPerDay,
      unit: '/series-day',
      note: 'anomaly-free series',
    },
    { suite, name: `${detector}: outages missed, > ${OUTAGE_FLOOR}/window`, value: missed, unit: '' },
    ...Object.entries(scores.byKind).map(([kind, tally]) => ({
      suite,
      name: `${detector}: recall ${kind}`,
      value: tally.recall,
      unit: '',
      note: `${tally.caught} of ${tally.labels}`,
    })),
  ]);
}

/** Seconds to backtest (judge and replay) the first `points` of a long labelled count series. */
async function backtestSeconds(points: number): Promise<number> {
  const long = labelledSet(7, { clean: 1, labelled: 0 }).series[0];
  if (!long) throw new Error('no series');
  // Its first three weeks (every series has them), repeated to the length asked for.
  const weeks = long.values.slice(0, 21 * POINTS_PER_DAY);
  const values = Array.from({ length: points }, (_, i) => weeks[i % weeks.length]);
  const watch = watchWith(detectorSpec('seasonal'), 'count');
  return bestOf(3, () => {
    const judge = watch.detector.prepare(values);
    for (let i = 0; i < values.length; i++) judge(i);
    replay(watch, values, REPEAT_WINDOWS, judge);
    return Promise.resolve();
  });
}

export async function benchDetect(seed = 1): Promise<Measurement[]> {
  const small = await backtestSeconds(2_500);
  const large = await backtestSeconds(10_000);
  return [
    ...detectionFigures(seed, false),
    ...detectionFigures(seed, true),
    { suite: 'backtest', name: 'seasonal --notify, 10,000 points', value: large, unit: 's', note: 'target < 2 s' },
    {
      suite: 'backtest',
      name: '10,000 points / 2,500 points',
      value: large / small,
      unit: '×',
      note: 'linear: about 4; quadratic: 16',
    },
  ];
}
