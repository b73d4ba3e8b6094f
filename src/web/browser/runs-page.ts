import type { AlertHistoryEntry, RunView } from '../api-types.js';
import { getJson, showError } from './api.js';
import { byId, fill, h } from './dom.js';
import { formatLogical, formatTime, metricHref } from './format.js';

/** Every alert decided and every run attempt, newest first; each alert links to its window. */
export function startRunsPage(): void {
  getJson<{ timezone: string; alerts: AlertHistoryEntry[] }>('/api/alerts', { limit: '100' })
    .then((data) =>
      fill(
        byId('alerts-body'),
        ...(data.alerts.length === 0
          ? [h('tr', {}, h('td', { colspan: '5', class: 'muted' }, 'No alerts yet.'))]
          : data.alerts.map((a) =>
              h(
                'tr',
                { class: `alert ${a.kind}` },
                h(
                  'td',
                  {},
                  h('a', { href: metricHref(a.metric, a.slice, a.window) }, formatTime(a.window, data.timezone)),
                ),
                h('td', {}, a.metric),
                h('td', {}, a.slice || 'all'),
                h('td', {}, a.kind),
                h('td', {}, a.delivered ? 'yes' : 'kept to retry'),
              ),
            )),
      ),
    )
    .catch(showError);
  getJson<{ timezone: string; runs: RunView[] }>('/api/runs', { limit: '100' })
    .then((data) =>
      fill(
        byId('runs-body'),
        ...(data.runs.length === 0
          ? [
              h(
                'tr',
                {},
                h(
                  'td',
                  { colspan: '7', class: 'muted' },
                  'No runs recorded yet. vigil serve records every scheduled run of the ETL, ' +
                    'the report and the alert here.',
                ),
              ),
            ]
          : data.runs.map((r) =>
              h(
                'tr',
                { class: r.status === 'failure' ? 'state-anomalous' : '' },
                h('td', {}, r.job),
                h('td', { class: 'text' }, formatLogical(r.logical, data.timezone)),
                h('td', {}, r.attempt),
                h('td', {}, formatTime(r.startedAt, data.timezone)),
                h('td', { class: 'text kind' }, r.status),
                h('td', {}, r.rows),
                h('td', { class: 'error-text' }, r.error),
              ),
            )),
      ),
    )
    .catch(showError);
}
