import { escapeHtml } from '../notify/telegram-html.js';

/*
 * The dashboard's pages: HTML shells without data or inline code. The bundled browser modules
 * (src/web/browser) read the page's name from <body data-page>, fetch the JSON API and fill them.
 */

type PageName = 'overview' | 'metric' | 'daily' | 'slices' | 'runs' | 'missing';

const NAV: readonly [PageName, string, string][] = [
  ['overview', '/', 'overview'],
  ['daily', '/daily', 'daily'],
  ['slices', '/slices', 'slices'],
  ['runs', '/runs', 'runs & alerts'],
];

function layout(page: PageName, title: string, body: string, arg = ''): string {
  const nav = NAV.map(
    ([name, href, label]) => `<a href="${href}"${name === page ? ' aria-current="page"' : ''}>${label}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · vigil</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/dashboard.css">
<script type="module" src="/static/dashboard.js"></script></head>
<body data-page="${page}" data-arg="${escapeAttribute(arg)}">
<header><a href="/"><strong>vigil</strong></a>${nav}</header>
<main><div id="problems"></div>${body}</main></body></html>`;
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replaceAll('"', '&quot;');
}

export function overviewPage(): string {
  return layout(
    'overview',
    'overview',
    `<h1>Overview</h1><p id="updated" class="muted">Loading…</p>
<div class="top"><div><section class="card" id="incidents"></section><section class="card" id="silences" hidden>
</section></div><section class="card scroll" id="sources"></section><section class="card scroll" id="jobs"></section>
</div>
<section id="tiles" class="tiles" aria-label="metrics"></section>
<details id="slice-tiles" hidden><summary id="slice-count">Slices</summary>
<div id="slice-grid" class="tiles"></div></details>`,
  );
}

export function metricPage(metric: string): string {
  return layout(
    'metric',
    metric,
    `<h1 id="title">${escapeHtml(metric)}</h1>
<div class="metric-layout"><div>
<section class="card" id="incident" hidden></section>
<section class="card"><div class="toolbar" id="ranges" role="group" aria-label="time range"></div>
<div id="chart"></div><p id="summary" class="muted"></p></section>
</div><div>
<section class="card" id="actions"></section>
<section class="card scroll"><h2>Alerts in this range</h2><table id="alerts">
<thead><tr><th>window</th><th>kind</th><th>value</th><th>expected</th></tr></thead>
<tbody id="alerts-body"></tbody></table>
</section></div></div>`,
    metric,
  );
}

export function dailyPage(): string {
  return layout(
    'daily',
    'daily',
    `<h1>Daily metrics</h1><section class="card"><div id="chart"></div></section>
<section class="card scroll"><table id="daily"><thead id="daily-head"></thead><tbody id="daily-body"></tbody></table>
</section>`,
  );
}

export function slicesPage(defaultDay: string): string {
  return layout(
    'slices',
    'slices',
    `<h1>Slices of <span id="shown"></span></h1>
<section class="card toolbar"><label>day <input type="date" id="day"></label>
<label>dimension <select id="dimension"></select></label></section>
<section class="card scroll"><table id="slices"><thead><tr><th>value</th><th>views</th><th>likes</th>
<th>msgs sent</th><th>msgs recv</th><th>users sent</th><th>users recv</th></tr></thead><tbody id="slices-body"></tbody>
</table></section>`,
    defaultDay,
  );
}

export function runsPage(): string {
  return layout(
    'runs',
    'runs',
    `<h1>Runs and alerts</h1>
<section class="card scroll"><h2>Alerts</h2><table id="alerts"><thead><tr><th>window</th><th>metric</th><th>slice</th>
<th>kind</th><th>delivered</th></tr></thead><tbody id="alerts-body"></tbody></table></section>
<section class="card scroll"><h2>Runs</h2><table id="runs"><thead><tr><th>job</th><th>for</th><th>try</th>
<th>started</th><th>status</th><th>rows</th><th>error</th></tr></thead><tbody id="runs-body"></tbody></table>
</section>`,
  );
}

/** A page that is not there: what it was, and where the pages are. */
export function missingPage(problem: string): string {
  return layout(
    'missing',
    'not found',
    `<h1>Not found</h1><section class="card"><p>${escapeHtml(problem)}</p><p><a href="/">The overview</a> lists every
metric; <a href="/runs">runs &amp; alerts</a> every alert.</p></section>`,
  );
}
