import type { TopLevelSpec } from 'vega-lite';
import type { MetricResponse } from '../api-types.js';
import { wallClockMs } from '../../time/wall-clock.js';
import { formatBand, formatTime, formatValue, metricHref } from './format.js';

const SERIES = ['value', 'expected band', 'same time last week', 'alert'] as const;
const COLOURS = ['#1f5fa8', '#b9d3ee', '#8a8a8a', '#c62828'];

/** A chart row: the window on the zone's wall clock, the numbers (ratios in percent) and their text. */
interface Row {
  t: number;
  value: number | null;
  low: number | null;
  up: number | null;
  lastWeek: number | null;
  /** The tooltip: a few short lines, narrow enough for a phone. */
  tip: string;
  alert: string | null;
  href: string | null;
}

/**
 * The metric page's chart: the band, last week's same windows (faint), the value, and a red
 * point at each alert that opens it. Hovering anywhere shows the nearest window's numbers.
 * Times are drawn on the configured zone's wall clock, whatever the browser's zone.
 */
export function metricChartSpec(data: MetricResponse, size: { height: number; narrow: boolean }): TopLevelSpec {
  const zone = data.timezone;
  const scale = data.kind === 'ratio' ? 100 : 1;
  const scaled = (v: number | null) => (v === null ? null : v * scale);
  const alerts = new Map(data.alerts.filter((a) => a.kind !== 'resolved').map((a) => [a.window, a.kind]));
  const rows: Row[] = data.points.map((p) => ({
    t: wallClockMs(p.window, zone),
    value: scaled(p.value),
    low: scaled(p.low),
    up: scaled(p.up),
    lastWeek: scaled(p.lastWeek),
    tip: [
      formatTime(p.window, zone),
      `value ${formatValue(data.kind, p.value)}`,
      `expected ${formatBand(data.kind, p.low, p.up)}`,
      `week ago ${formatValue(data.kind, p.lastWeek)}`,
      ...(alerts.has(p.window) ? [`alert: ${alerts.get(p.window) ?? ''} (click to open)`] : []),
    ].join('\n'),
    alert: alerts.get(p.window) ?? null,
    href: alerts.has(p.window) ? metricHref(data.metric, data.slice, p.window) : null,
  }));
  const days = data.points.length / 96;
  const x = {
    field: 't',
    type: 'temporal' as const,
    scale: { type: 'utc' as const },
    title: null,
    axis: {
      labelExpr:
        days > 2
          ? "utcFormat(datum.value, '%d %b')"
          : 'utchours(datum.value) == 0 && utcminutes(datum.value) == 0' +
            " ? utcFormat(datum.value, '%d %b') : utcFormat(datum.value, '%H:%M')",
      labelOverlap: true,
      // Fewer labels on a phone, where eight would crowd.
      tickCount: Math.min(size.narrow ? 4 : 8, days > 2 ? Math.ceil(days) : 8),
      grid: false,
    },
  };
  const y = {
    type: 'quantitative' as const,
    title: data.kind === 'ratio' ? '%' : null,
    scale: { zero: data.kind !== 'ratio' },
  };
  const colour = (series: (typeof SERIES)[number]) => ({
    datum: series,
    type: 'nominal' as const,
    scale: { domain: [...SERIES], range: COLOURS },
    legend: { orient: 'top' as const, title: null, symbolType: 'stroke', columns: size.narrow ? 2 : 4 },
  });
  const tooltip = { field: 'tip', type: 'nominal' as const };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: size.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: rows as unknown as Record<string, unknown>[] },
    encoding: { x },
    layer: [
      {
        mark: { type: 'area' as const, opacity: 0.7 },
        encoding: { y: { ...y, field: 'low' }, y2: { field: 'up' }, color: colour('expected band') },
      },
      // Last week's line only where there was a last week (an empty one would have no scale).
      ...(rows.some((r) => r.lastWeek !== null)
        ? [
            {
              mark: { type: 'line' as const, strokeDash: [3, 3], strokeWidth: 1, opacity: 0.8 },
              encoding: { y: { ...y, field: 'lastWeek' }, color: colour('same time last week') },
            },
          ]
        : []),
      {
        mark: { type: 'line' as const, strokeWidth: 1.6 },
        encoding: { y: { ...y, field: 'value' }, color: colour('value') },
      },
      ...(data.pinned
        ? [
            {
              data: { values: [{ t: wallClockMs(data.window, zone) }] },
              mark: { type: 'rule' as const, strokeDash: [4, 2], color: '#555' },
              encoding: { x },
            },
          ]
        : []),
      {
        params: [
          {
            name: 'hover',
            select: { type: 'point', encodings: ['x'], nearest: true, on: 'pointermove', clear: 'pointerout' },
          },
        ],
        mark: { type: 'rule' as const, color: '#444', strokeWidth: 1 },
        encoding: {
          opacity: { condition: { param: 'hover', empty: false, value: 0.5 }, value: 0 },
          tooltip,
        },
      },
      // Last, so the alert points lie above the hover layer and take its clicks (none: no layer,
      // whose empty scale Vega would warn about).
      ...(alerts.size === 0
        ? []
        : [
            {
              transform: [{ filter: 'datum.alert != null' }],
              mark: { type: 'point' as const, filled: true, size: 90, cursor: 'pointer' as const },
              encoding: {
                y: { ...y, field: 'value' },
                color: colour('alert'),
                href: { field: 'href' },
                tooltip,
              },
            },
          ]),
    ],
    config: {
      view: { stroke: null },
      axis: { labelFontSize: 11 },
      legend: { labelFontSize: 12, symbolStrokeWidth: 5, symbolSize: 160 },
    },
  };
}
