import type { IncidentView, OverviewResponse, SilenceView, Tile } from '../api-types.js';
import { acknowledgeButton, removeSilenceButton } from './actions.js';
import { clearError, getJson, showError } from './api.js';
import { byId, fill, h } from './dom.js';
import {
  ago,
  distanceFromBand,
  formatBand,
  formatLogical,
  formatNear,
  formatTime,
  formatValue,
  metricHref,
  silenceSubject,
  subjectName,
} from './format.js';
import { sparkline } from './sparkline.js';

const REFRESH_MS = 60_000;

/**
 * The overview: open incidents, sources and last runs, then a tile per metric and (folded) per
 * slice. It refreshes itself every minute in place, so scroll and folds stay as they were.
 */
export function startOverview(): void {
  const refresh = () =>
    getJson<OverviewResponse>('/api/overview')
      .then((data) => {
        clearError();
        render(data, refresh);
      })
      .catch(showError);
  void refresh();
  setInterval(() => void refresh(), REFRESH_MS);
}

function render(data: OverviewResponse, refresh: () => Promise<void>): void {
  const zone = data.timezone;
  const time = (iso: string) => formatNear(iso, zone, data.now);
  fill(byId('updated'), `Updated ${formatTime(data.now, zone)} (${zone}); refreshes every minute.`);
  renderIncidents(data, time, refresh);
  renderSources(data, time);
  renderJobs(data, time);
  const whole = data.tiles.filter((t) => t.slice === '');
  const slices = data.tiles.filter((t) => t.slice !== '');
  fill(byId('tiles'), ...whole.map((t) => tile(t, zone, data.now)));
  const folded = byId('slice-tiles');
  folded.hidden = slices.length === 0;
  fill(byId('slice-count'), `Slices (${slices.length} tiles, ${slices.filter((t) => t.state !== 'ok').length} not ok)`);
  fill(byId('slice-grid'), ...slices.map((t) => tile(t, zone, data.now)));
  renderSilences(data.silences, time, refresh);
}

function renderIncidents(data: OverviewResponse, time: (iso: string) => string, refresh: () => Promise<void>) {
  const open = data.incidents;
  const rows = [
    ...data.noData.map((n) => h('li', { class: 'state-no-data' }, `No data from ${n.source} since ${time(n.since)}`)),
    ...open.map((incident) => incidentRow(incident, time, refresh)),
  ];
  fill(
    byId('incidents'),
    h('h2', {}, rows.length === 0 ? 'No open incidents' : `Open incidents (${rows.length})`),
    rows.length === 0 ? h('p', { class: 'muted' }, 'Every watched metric is within its band.') : h('ul', {}, ...rows),
  );
}

function incidentRow(incident: IncidentView, time: (iso: string) => string, refresh: () => Promise<void>) {
  const distance = distanceFromBand(incident.kind, incident.value, incident.low, incident.up);
  const ack = acknowledgeButton({ metric: incident.metric, slice: incident.slice }, refresh, true);
  return h(
    'li',
    {
      class:
        incident.silencedUntil !== null
          ? 'state-silenced'
          : incident.acknowledged
            ? 'state-acknowledged'
            : 'state-anomalous',
    },
    h(
      'a',
      { href: metricHref(incident.metric, incident.slice, incident.lastWindow) },
      subjectName(incident.name, incident.slice),
    ),
    ` since ${time(incident.since)}: ${formatValue(incident.kind, incident.value)}`,
    distance === '' ? '' : `, ${distance}`,
    ` (expected ${formatBand(incident.kind, incident.low, incident.up)})`,
    incident.silencedUntil !== null
      ? h('span', { class: 'badge' }, `silenced until ${time(incident.silencedUntil)}`)
      : incident.acknowledged
        ? h('span', { class: 'badge' }, 'acknowledged')
        : ack,
  );
}

function renderSources(data: OverviewResponse, time: (iso: string) => string) {
  fill(
    byId('sources'),
    h('h2', {}, 'Sources'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', {}, 'source'), h('th', {}, 'newest event'), h('th', {}, 'age'))),
      h(
        'tbody',
        {},
        ...data.sources.map((s) =>
          h(
            'tr',
            { class: s.error !== undefined || s.newest === null ? 'state-no-data' : '' },
            h('td', { title: s.table }, s.source),
            h('td', {}, s.error ?? (s.newest === null ? 'no events' : time(s.newest))),
            h('td', {}, s.newest === null ? '—' : ago(s.newest, data.now)),
          ),
        ),
      ),
    ),
  );
}

function renderJobs(data: OverviewResponse, time: (iso: string) => string) {
  fill(
    byId('jobs'),
    h('h2', {}, 'Last runs'),
    data.jobs.length === 0
      ? h('p', { class: 'muted' }, 'No runs recorded yet: vigil serve records every scheduled run here.')
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, 'job'), h('th', {}, 'for'), h('th', {}, 'status'), h('th', {}, 'finished')),
          ),
          h(
            'tbody',
            {},
            ...data.jobs.map((run) =>
              h(
                'tr',
                { class: run.status === 'failure' ? 'state-anomalous' : '' },
                h('td', {}, run.job),
                h('td', {}, formatLogical(run.logical, data.timezone)),
                h(
                  'td',
                  { title: run.error },
                  run.status === 'failure'
                    ? `failed (try ${run.attempt})`
                    : run.status === 'running'
                      ? 'running'
                      : 'ok',
                ),
                h('td', {}, time(run.finishedAt)),
              ),
            ),
          ),
        ),
    h('p', {}, h('a', { href: '/runs' }, 'All runs and alerts')),
  );
}

function tile(t: Tile, zone: string, now: string): HTMLElement {
  const stateClass = `state-${t.state.replaceAll(' ', '-')}`;
  const detail =
    t.state === 'silenced' && t.silencedUntil !== null
      ? `silenced until ${formatNear(t.silencedUntil, zone, now)}`
      : t.since !== null
        ? `since ${formatNear(t.since, zone, now)}`
        : distanceFromBand(t.kind, t.value, t.low, t.up);
  return h(
    'a',
    {
      class: `tile ${stateClass}`,
      href: metricHref(t.metric, t.slice),
      'data-metric': t.metric,
      'data-slice': t.slice,
    },
    h(
      'div',
      { class: 'tile-head' },
      h('span', { class: 'tile-name' }, subjectName(t.name, t.slice)),
      h('span', { class: 'badge' }, t.state),
    ),
    h('div', { class: 'tile-value' }, formatValue(t.kind, t.value)),
    h('div', { class: 'muted' }, `expected ${formatBand(t.kind, t.low, t.up)}`),
    detail === '' ? null : h('div', { class: 'tile-detail' }, detail),
    sparkline(t.today, t.lastWeek, `${t.name}: today against the same day last week`),
    h(
      'div',
      { class: 'muted small' },
      t.window === null || t.evaluatedAt === null
        ? 'not evaluated yet'
        : `window ${formatTime(t.window, zone, true)} · checked ${formatTime(t.evaluatedAt, zone, true)}`,
    ),
  );
}

function renderSilences(silences: readonly SilenceView[], time: (iso: string) => string, refresh: () => Promise<void>) {
  const card = byId('silences');
  card.hidden = silences.length === 0;
  fill(
    card,
    h('h2', {}, `Silences (${silences.length})`),
    h(
      'ul',
      {},
      ...silences.map((s) => {
        const remove = removeSilenceButton(s.id, refresh);
        return h(
          'li',
          {},
          `${silenceSubject(s)} until ${time(s.endsAt)} by ${s.createdBy}`,
          s.comment ? ` (${s.comment})` : '',
          ' ',
          remove,
        );
      }),
    ),
  );
}
