/**
 * Chart specifications are Vega-Lite JSON: pure data, rendered to PNG by render-png.ts and, in the
 * browser, by the dashboard from the very same object.
 */
export type ChartSpec = Record<string, unknown> & { readonly $schema: string };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The font every chart asks for; render-png.ts ships it, so no system font is needed. */
export const CHART_FONT = 'DejaVu Sans';

/** Shared look: legible at phone size once rendered at 2×. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 12,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee', labelColor: '#333', titleColor: '#333' },
  header: { labelFontSize: 13, labelFontWeight: 'bold', labelColor: '#222', title: null },
  title: { fontSize: 16, anchor: 'start', color: '#111' },
  line: { strokeWidth: 2.5 },
} as const;
