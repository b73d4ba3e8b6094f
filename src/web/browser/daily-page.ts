import type { VisualizationSpec } from 'vega-embed';
import { getJson, pageQuery, showError } from './api.js';
import { byId, fill, h } from './dom.js';
import { formatValue } from './format.js';
import { draw } from './vega.js';

interface DailyColumn {
  readonly key: string;
  readonly name: string;
  readonly kind: 'count' | 'ratio';
}

/** The report's chart: one small panel per metric, faceted in columns. */
interface FacetedSpec {
  readonly columns?: number;
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly resolve?: { readonly scale?: Readonly<Record<string, string>> };
}

interface DailyResponse {
  readonly until: string;
  readonly columns: readonly DailyColumn[];
  readonly days: readonly { day: string; metrics: Record<string, number | null> | null }[];
  readonly spec: FacetedSpec;
}

/** As many panel columns as the width holds (one on a phone), each as wide as they can be. */
function fitted(spec: FacetedSpec, width: number): VisualizationSpec {
  const columns = Math.max(1, Math.min(4, Math.floor(width / 330)));
  const panel = Math.floor(width / columns) - 75;
  // Each panel draws its own day axis: a shared one would hang under the grid's empty last cell.
  const resolve = { ...spec.resolve, axis: { x: 'independent' } };
  return { ...spec, columns, resolve, spec: { ...spec.spec, width: panel } } as VisualizationSpec;
}

/** The report's numbers of each day, newest first, under the report's own 7-day chart. */
export function startDailyPage(): void {
  getJson<DailyResponse>('/api/daily', { days: pageQuery().get('days') ?? '28' })
    .then(async (data) => {
      const value = (metrics: Record<string, number | null> | null, column: DailyColumn) => {
        const v = metrics?.[column.key];
        if (metrics === null) return '—';
        if (v === null || v === undefined) return 'n/a';
        return formatValue(column.kind, v);
      };
      fill(byId('daily-head'), h('tr', {}, h('th', {}, 'day'), ...data.columns.map((c) => h('th', {}, c.name))));
      // Days before the first with events are not rows of dashes: the data begins there.
      const first = data.days.findIndex((d) => d.metrics !== null);
      fill(
        byId('daily-body'),
        ...data.days
          .slice(first < 0 ? data.days.length : first)
          .reverse()
          .map((d) => h('tr', {}, h('td', {}, d.day), ...data.columns.map((c) => h('td', {}, value(d.metrics, c))))),
      );
      const chart = byId('chart');
      await draw(chart, fitted(data.spec, chart.clientWidth));
    })
    .catch(showError);
}
