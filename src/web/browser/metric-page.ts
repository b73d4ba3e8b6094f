import { RANGES, type AlertView, type MetricResponse, type RangeName, type SilenceView } from '../api-types.js';
import { acknowledgeButton, removeSilenceButton } from './actions.js';
import { clearError, getJson, pageQuery, postJson, showError } from './api.js';
import { byId, fill, h } from './dom.js';
import {
  distanceFromBand,
  formatBand,
  formatTime,
  formatValue,
  metricHref,
  silenceSubject,
  subjectName,
} from './format.js';
import { metricChartSpec } from './metric-chart.js';
import { draw } from './vega.js';

const REFRESH_MS = 60_000;
const SILENCE_HOURS = [1, 4, 24] as const;

/**
 * A metric's page: the chart over a chosen range (centred on an alert's window when the link
 * says `at=`), the open incident, the silences and the alerts of the range. Acknowledge and
 * silence act on the same journal and silences as Telegram's buttons and `vigil silence`.
 */
export function startMetricPage(metric: string): void {
  const query = pageQuery();
  const slice = query.get('slice') ?? '';
  const at = query.get('at') ?? undefined;
  let range: RangeName = isRange(query.get('range')) ? (query.get('range') as RangeName) : '1d';

  const load = async () => {
    const data = await getJson<MetricResponse>(`/api/metric/${encodeURIComponent(metric)}`, { slice, at, range });
    clearError();
    await render(data, load);
  };
  const rangeButtons = byId('ranges');
  fill(
    rangeButtons,
    ...Object.keys(RANGES).map((name) => {
      const button = h('button', { type: 'button', 'data-range': name, 'aria-pressed': String(name === range) }, name);
      button.addEventListener('click', () => {
        range = name as RangeName;
        for (const other of rangeButtons.querySelectorAll('button')) {
          other.setAttribute('aria-pressed', String(other === button));
        }
        const next = pageQuery();
        next.set('range', range);
        history.replaceState(null, '', `${location.pathname}?${next.toString()}`);
        load().catch(showError);
      });
      return button;
    }),
  );
  load().catch(showError);
  // A page showing the latest windows follows them; one opened at an alert stays there.
  if (at === undefined) setInterval(() => load().catch(showError), REFRESH_MS);
}

function isRange(text: string | null): boolean {
  return text !== null && Object.hasOwn(RANGES, text);
}

async function render(data: MetricResponse, reload: () => Promise<void>): Promise<void> {
  const zone = data.timezone;
  const title = subjectName(data.name, data.slice);
  document.title = `${title} · vigil`;
  fill(byId('title'), title);
  const last = data.points.at(-1);
  const focus = data.points.find((p) => p.window === data.window) ?? last;
  const banded = data.points.some((p) => p.low !== null);
  fill(
    byId('summary'),
    focus === undefined
      ? 'No windows in this range.'
      : !banded && data.slice !== ''
        ? `${formatTime(focus.window, zone)} (${zone}): ${formatValue(data.kind, focus.value)}; ` +
          'no band: the alert does not watch this slice (alerts.slices).'
        : `${data.pinned ? 'Alert window' : 'Last window'} ${formatTime(focus.window, zone)} (${zone}): ` +
          `${formatValue(data.kind, focus.value)}, expected ${formatBand(data.kind, focus.low, focus.up)}` +
          `${suffix(distanceFromBand(data.kind, focus.value, focus.low, focus.up))}.`,
    data.pinned
      ? h('a', { href: metricHref(data.metric, data.slice), class: 'latest' }, 'Show the latest windows')
      : null,
  );
  renderIncident(data, reload);
  renderActions(data, reload);
  renderAlerts(data.alerts, data);
  const chart = byId('chart');
  const narrow = window.innerWidth < 600;
  await draw(chart, metricChartSpec(data, { height: narrow ? 220 : 300, narrow }));
  chart.dataset.points = String(data.points.length);
  chart.dataset.range = data.range;
}

const suffix = (text: string) => (text === '' ? '' : `, ${text}`);

function renderIncident(data: MetricResponse, reload: () => Promise<void>) {
  const box = byId('incident');
  const incident = data.incident;
  box.hidden = incident === null;
  box.className = `card ${incident?.acknowledged === true ? 'state-acknowledged' : 'state-anomalous'}`;
  if (incident === null) return box.replaceChildren();
  const ack = acknowledgeButton({ metric: data.metric, slice: data.slice }, reload);
  fill(
    box,
    h(
      'strong',
      {},
      incident.silencedUntil !== null
        ? `Silenced incident (until ${formatTime(incident.silencedUntil, data.timezone)})`
        : incident.acknowledged
          ? 'Acknowledged incident'
          : 'Open incident',
    ),
    ` since ${formatTime(incident.since, data.timezone)}; ` +
      `last notified about the ${formatTime(incident.lastWindow, data.timezone, true)} window. `,
    incident.acknowledged ? 'No repeats until it is resolved.' : ack,
  );
}

function renderActions(data: MetricResponse, reload: () => Promise<void>) {
  const hours = h(
    'select',
    { id: 'silence-hours', 'aria-label': 'for how long' },
    ...SILENCE_HOURS.map((n) => h('option', { value: String(n) }, n === 1 ? '1 hour' : `${n} hours`)),
  );
  const comment = h('input', { id: 'silence-comment', type: 'text', placeholder: 'why (optional)', maxlength: '200' });
  const form = h(
    'form',
    { class: 'inline-form' },
    'Silence for ',
    hours,
    comment,
    h('button', { type: 'submit' }, 'Silence'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    postJson('/api/silences', {
      metric: data.metric,
      slice: data.slice,
      hours: Number(hours.value),
      comment: comment.value.trim(),
      by: 'dashboard',
    })
      .then(reload)
      .catch(showError);
  });
  fill(byId('actions'), h('h2', {}, 'Silences'), silenceList(data.silences, data.timezone, reload), form);
}

function silenceList(silences: readonly SilenceView[], zone: string, reload: () => Promise<void>) {
  if (silences.length === 0) return h('p', { class: 'muted' }, 'Not silenced.');
  return h(
    'ul',
    { id: 'silence-list' },
    ...silences.map((s) => {
      const remove = removeSilenceButton(s.id, reload);
      return h(
        'li',
        {},
        `${silenceSubject(s)}: ${formatTime(s.startsAt, zone)} – ${formatTime(s.endsAt, zone)} by ${s.createdBy}`,
        s.comment ? ` (${s.comment})` : '',
        ' ',
        remove,
      );
    }),
  );
}

function renderAlerts(alerts: readonly AlertView[], data: MetricResponse) {
  fill(
    byId('alerts-body'),
    ...(alerts.length === 0
      ? [h('tr', {}, h('td', { colspan: '4', class: 'muted' }, 'No alerts in this range.'))]
      : alerts.map((a) =>
          h(
            'tr',
            { class: `alert ${a.kind}` },
            h(
              'td',
              {},
              h('a', { href: metricHref(data.metric, data.slice, a.window) }, formatTime(a.window, data.timezone)),
            ),
            h('td', { class: 'text kind' }, a.kind),
            h('td', {}, formatValue(data.kind, a.value)),
            h('td', {}, formatBand(data.kind, a.low, a.up)),
          ),
        )),
  );
}
