import { DAILY, DAILY_METRICS } from '../metrics/metrics.js';
import { escapeHtml } from '../notify/telegram-html.js';

/*
 * The dashboard's pages: small HTML shells that fetch the JSON API and draw the same Vega-Lite
 * specifications the PNGs are made from, with Vega served by vigil itself (nothing from the
 * internet). Readable on a phone: one column, system fonts, tables that scroll sideways.
 */

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#1f3d66;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;flex-wrap:wrap;
  align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:1rem;max-width:960px;margin:auto}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
.card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:.8rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
.started{color:#c62828;font-weight:600}.resolved{color:#2e7d32}.repeated{color:#ef6c00}
.muted{color:#777}
#chart{width:100%}
label{margin-right:1rem}
`;

function layout(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · vigil</title><style>${STYLE}</style></head>
<body><header><a href="/">vigil</a><a href="/daily">daily</a><a href="/slices">slices</a>
<a href="/runs">runs &amp; alerts</a></header>
<main>${body}</main>
<script src="/static/vega.min.js"></script><script src="/static/vega-lite.min.js"></script>
<script src="/static/vega-embed.min.js"></script>
<script>
const query = new URLSearchParams(location.search);
const token = query.get('token');
const api = (path, params = {}) => {
  const p = new URLSearchParams(params);
  if (token) p.set('token', token);
  return fetch(path + '?' + p).then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  });
};
const escape = (v) => String(v).replace(/</g, '&lt;');
const fail = (error) => {
  const text = '<p class="card started">' + escape(error.message || error) + '</p>';
  document.querySelector('main').insertAdjacentHTML('beforeend', text);
};
const number = (v) => v === null || v === undefined ? '—'
  : Math.abs(v) < 10 && !Number.isInteger(v) ? v.toFixed(3) : Math.round(v).toLocaleString('en-US');
const cell = (v) => '<td>' + escape(v) + '</td>';
const row = (cells, className = '') => '<tr class="' + className + '">' + cells.join('') + '</tr>';
${script}
</script></body></html>`;
}

export function indexPage(metrics: readonly string[]): string {
  const links = metrics.map((m) => `<li><a href="/metric/${m}">${m}</a></li>`).join('');
  return layout(
    'vigil',
    `<h1>vigil</h1><div class="card">
<p>The last day of 15-minute windows, with the band and the alerts, for each metric:</p><ul>${links}</ul></div>`,
    '',
  );
}

export function metricPage(metric: string): string {
  return layout(
    metric,
    `<h1 id="title">${escapeHtml(metric)}</h1>
<div class="card"><div id="chart"></div><p id="summary" class="muted"></p></div>
<div class="card"><h2>Alerts</h2><table id="alerts">
<thead><tr><th>window</th><th>kind</th><th>value</th><th>band</th></tr></thead><tbody></tbody></table></div>`,
    `const params = Object.fromEntries(['slice', 'at'].filter((k) => query.get(k)).map((k) => [k, query.get(k)]));
api('/api/metric/' + ${JSON.stringify(encodeURIComponent(metric))}, params)
  .then((data) => {
    const format = { timeZone: data.timezone, dateStyle: 'short', timeStyle: 'short' };
    const local = (iso) => new Date(iso).toLocaleString('sv-SE', format);
    const band = (p) => number(p.low) + ' … ' + number(p.up);
    if (data.slice) document.getElementById('title').textContent = data.metric + ', ' + data.slice.replace('=', ' ');
    const last = data.points[data.points.length - 1];
    document.getElementById('summary').textContent =
      'window ' + local(data.window) + ' (' + data.timezone + '): ' + number(last.value) + ' (band ' + band(last) + ')';
    document.querySelector('#alerts tbody').innerHTML = data.alerts.length === 0
      ? '<tr><td colspan="4" class="muted">no alerts in this period</td></tr>'
      : data.alerts
          .map((a) => row([local(a.window), a.kind, number(a.value), band(a)].map(cell), 'alert ' + a.kind))
          .join('');
    const width = Math.min(640, document.getElementById('chart').clientWidth - 90);
    return vegaEmbed('#chart', data.spec, { actions: false, renderer: 'svg', width });
  }).catch(fail);`,
  );
}

export function dailyPage(): string {
  const columns = DAILY_METRICS;
  return layout(
    'daily',
    `<h1>Daily metrics</h1><div class="card"><div id="chart"></div></div><div class="card"><table id="daily">
<thead><tr><th>day</th>${columns.map((c) => `<th>${escapeHtml(DAILY[c].names.en)}</th>`).join('')}</tr></thead>
<tbody></tbody></table></div>`,
    `const ratios = ${JSON.stringify(columns.filter((c) => DAILY[c].kind === 'ratio'))};
const value = (metrics, c) => metrics === null ? '—'
  : !ratios.includes(c) ? number(metrics[c])
  : metrics[c] === null ? 'n/a' : (100 * metrics[c]).toFixed(1) + ' %';
api('/api/daily', { days: query.get('days') || '28' }).then((data) => {
  document.querySelector('#daily tbody').innerHTML = data.days.slice().reverse()
    .map((d) => row([cell(d.day), ...${JSON.stringify(columns)}.map((c) => cell(value(d.metrics, c)))])).join('');
  return vegaEmbed('#chart', data.spec, { actions: false, renderer: 'svg' });
}).catch(fail);`,
  );
}

export function slicesPage(defaultDay: string, dimensions: readonly string[]): string {
  const options = dimensions.map((d) => `<option value="${escapeHtml(d)}">${escapeHtml(d)}</option>`).join('');
  return layout(
    'slices',
    `<h1>Slices of <span id="shown"></span></h1>
<div class="card"><label>day <input type="date" id="day" value="${escapeHtml(defaultDay)}"></label>
<label>dimension <select id="dimension">${options}</select></label></div>
<div class="card"><table id="slices"><thead><tr><th>value</th><th>views</th><th>likes</th><th>msgs sent</th>
<th>msgs recv</th><th>users sent</th><th>users recv</th></tr></thead><tbody></tbody></table></div>`,
    `const day = document.getElementById('day');
const dimension = document.getElementById('dimension');
if (query.get('day')) day.value = query.get('day');
if (query.get('dimension')) dimension.value = query.get('dimension');
const load = () => api('/api/slices', { day: day.value, dimension: dimension.value }).then((data) => {
  document.getElementById('shown').textContent = data.day + ' by ' + data.dimension;
  const counts = (r) => [r.views, r.likes, r.messages_sent, r.messages_received, r.users_sent, r.users_received];
  document.querySelector('#slices tbody').innerHTML = data.rows.length === 0
    ? '<tr><td colspan="7" class="muted">no rows for this day</td></tr>'
    : data.rows.map((r) => row([cell(r.dimension_value), ...counts(r).map((v) => cell(number(v)))])).join('');
}).catch(fail);
day.addEventListener('change', load);
dimension.addEventListener('change', load);
load();`,
  );
}

export function runsPage(): string {
  return layout(
    'runs',
    `<h1>Runs and alerts</h1>
<div class="card"><h2>Alerts</h2><table id="alerts"><thead><tr><th>window</th><th>metric</th><th>slice</th>
<th>kind</th><th>value</th><th>delivered</th></tr></thead><tbody></tbody></table></div>
<div class="card"><h2>Runs</h2><table id="runs"><thead><tr><th>job</th><th>for</th><th>try</th><th>started</th>
<th>status</th><th>rows</th><th>error</th></tr></thead><tbody></tbody></table></div>`,
    `const link = (a) => {
  const href = '/metric/' + a.metric + (a.slice ? '?slice=' + encodeURIComponent(a.slice) : '');
  return '<td><a href="' + href + '">' + a.metric + '</a></td>';
};
api('/api/alerts', { limit: '100' }).then((data) => {
  document.querySelector('#alerts tbody').innerHTML = data.alerts.map((a) =>
    row([cell(a.window), link(a), ...[a.slice, a.kind, number(a.value), a.delivered ? 'yes' : 'kept'].map(cell)],
      a.kind),
  ).join('');
}).catch(fail);
api('/api/runs', { limit: '100' }).then((data) => {
  document.querySelector('#runs tbody').innerHTML = data.runs.map((r) =>
    row([r.job, r.logical, r.attempt, r.startedAt, r.status, r.rows, r.error].map(cell),
      r.status === 'failure' ? 'started' : ''),
  ).join('');
}).catch(fail);`,
  );
}
