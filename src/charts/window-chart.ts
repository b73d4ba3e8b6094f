import type { SeriesValue } from '../detect/detector.js';
import type { Locale } from '../metrics/locale.js';
import { metricName, METRICS, type AlertMetric } from '../metrics/metrics.js';
import { wallClockMs } from '../time/wall-clock.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-spec.js';

export interface WindowChartInput {
  readonly metric: AlertMetric;
  readonly windows: readonly number[];
  readonly values: readonly SeriesValue[];
  /** low′ and up′ of every window as the original plotted them (smoothed over the whole history). */
  readonly bands: readonly { low: number | undefined; up: number | undefined }[];
  /** Windows (ms) where an alert was sent, drawn as red points (the dashboard shows the past ones). */
  readonly marks?: readonly number[];
  readonly timezone: string;
  readonly locale: Locale;
  readonly title: string;
}

/**
 * The metric over its history with the band and the evaluated (last) window marked. Times are
 * shifted to the zone's wall clock and drawn on a UTC scale, so the axis reads local hours
 * whatever the machine's zone; Vega thins the labels so they never overlap.
 */
const HOURS = "utcFormat(datum.value, '%H:%M')";

export function windowChartSpec(input: WindowChartInput): ChartSpec {
  return { $schema: VEGA_LITE_SCHEMA, ...windowPanel(input, { width: 640, height: 260 }), config: CHART_CONFIG };
}

/**
 * Several metrics' windows in one picture, a small panel each, two to a row: the one picture of
 * a grouped alert.
 */
export function windowPanelsSpec(title: string, inputs: readonly WindowChartInput[]): ChartSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    columns: 2,
    concat: inputs.map((input) => windowPanel(input, { width: 320, height: 150 })),
    config: CHART_CONFIG,
  };
}

function windowPanel(input: WindowChartInput, size: { width: number; height: number }): Record<string, unknown> {
  const offset = (ms: number) => wallClockMs(ms, input.timezone) - ms;
  const scale = METRICS[input.metric].kind === 'ratio' ? 100 : 1;
  const last = input.windows.length - 1;
  const values = input.windows.map((window, i) => {
    const band = input.bands[i];
    const v = input.values[i];
    return {
      local: window + offset(window),
      value: v === undefined ? null : v * scale,
      low: band?.low === undefined ? null : Math.max(0, band.low * scale),
      up: band?.up === undefined ? null : band.up * scale,
      evaluated: i === last,
      alerted: input.marks?.includes(window) ?? false,
    };
  });
  const x = {
    field: 'local',
    type: 'temporal',
    scale: { type: 'utc' },
    title: null,
    // Midnight is labelled with its date, so two days' hours never read alike.
    axis: {
      labelExpr: `${HOURS} === '00:00' ? utcFormat(datum.value, '%d %b') : ${HOURS}`,
      labelOverlap: true,
      tickCount: 12,
    },
  };
  return {
    title: input.title,
    ...size,
    data: { values },
    encoding: { x },
    layer: [
      {
        mark: { type: 'area', color: '#9ecae1', opacity: 0.45 },
        encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'up' } },
      },
      {
        mark: { type: 'line', color: '#2f6db5' },
        encoding: {
          y: {
            field: 'value',
            type: 'quantitative',
            title: `${metricName(input.metric, input.locale)}${scale === 100 ? ', %' : ''}`,
            scale: { zero: true },
          },
        },
      },
      {
        transform: [{ filter: 'datum.evaluated || datum.alerted' }],
        mark: { type: 'point', filled: true, size: 120, color: '#d62728' },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
    ],
  };
}
