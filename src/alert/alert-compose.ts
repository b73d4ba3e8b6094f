import { renderPng } from '../charts/render-png.js';
import { windowChartSpec } from '../charts/window-chart.js';
import type { Logger } from '../log/logger.js';
import { metricName } from '../metrics/metrics.js';
import type { Notification } from '../notify/notifier.js';
import { toSqlDateTime } from '../time/time.js';
import { historyStart } from '../windows/windows.js';
import type { Decision, MetricDecision, SourceDecision } from './alert-decide.js';
import { renderAlertText, renderNoDataText } from './alert-message.js';
import type { AlertSettings } from './alert-settings.js';
import type { NotificationKind } from './alert-state.js';

/** A decision that calls for a notification, and the notification. */
export interface Composed {
  readonly decision: Decision & { readonly kind: NotificationKind };
  readonly notification: Notification;
  /** Why the picture is missing, if it should have one. */
  readonly problem?: string;
}

/** Step 5 of a run: the text (and for a metric the picture) of each notification due. */
export async function composeNotifications(
  settings: AlertSettings,
  window: Date,
  decisions: readonly Decision[],
  logger: Logger,
): Promise<Composed[]> {
  const composed: Composed[] = [];
  for (const decision of decisions) {
    if (decision.kind === undefined) continue;
    const due = { ...decision, kind: decision.kind };
    composed.push(
      due.type === 'metric' ? await composeMetric(settings, window, due, logger) : composeSource(settings, window, due),
    );
  }
  return composed;
}

const stampOf = (window: Date) => toSqlDateTime(window).replace(' ', 'T').replaceAll(':', '');
const safe = (key: string) => key.replace(/[^\w.-]+/g, '_');

async function composeMetric(
  settings: AlertSettings,
  window: Date,
  decision: MetricDecision & { readonly kind: NotificationKind },
  logger: Logger,
): Promise<Composed> {
  const { kind, started, judgement } = decision;
  const { metric, slice, verdict, series } = judgement;
  const text = renderAlertText({
    kind,
    metric,
    slice,
    verdict,
    previous: series.at(-2),
    window,
    started,
    timezone: settings.timezone,
    locale: settings.locale,
    dashboardUrl: settings.dashboardUrl,
  });
  const key = safe(`${metric}${slice === '' ? '' : `-${slice}`}-${stampOf(window)}-${kind}`);
  try {
    const png = (await renderPng(chartOf(settings, window, decision))).png;
    return { decision, notification: { kind: 'alert', key, text, image: { png, filename: `alert-${key}.png` } } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const problem = `the picture could not be made (${reason}); the text went alone`;
    logger.error(`alert ${metric}: ${problem}`);
    return { decision, notification: { kind: 'alert', key, text }, problem };
  }
}

function composeSource(
  settings: AlertSettings,
  window: Date,
  decision: SourceDecision & { readonly kind: NotificationKind },
): Composed {
  const { source, newest } = decision.status;
  const table = settings.sources[source];
  const text = renderNoDataText({
    kind: decision.kind,
    table: `${table.database}.${table.table}`,
    newest,
    timezone: settings.timezone,
    locale: settings.locale,
  });
  return {
    decision,
    notification: { kind: 'alert', key: safe(`no_data-${source}-${stampOf(window)}-${decision.kind}`), text },
  };
}

/**
 * The picture shows since the start of the day before (however long the history the detector
 * read), each window's band as the live alert saw it then: within the open incident, against
 * what was expected before it.
 */
function chartOf(settings: AlertSettings, window: Date, { judgement }: MetricDecision) {
  const { metric, slice, detector } = judgement;
  const from = historyStart(window, settings.timezone).getTime();
  const shown = Math.max(
    0,
    judgement.windows.findIndex((w) => w >= from),
  );
  const judge = detector.prepare(judgement.series);
  const { open, past = [] } = judgement.incidents ?? {};
  const bands = judgement.series.slice(shown).map((_, k) => {
    const i = shown + k;
    const ended = past.filter((incident) => incident.to <= i);
    const within = open && open.from < i ? { open: { from: open.from, to: i } } : {};
    const { low, up } = judge(i, { ...within, past: ended });
    return { low, up };
  });
  const when = new Intl.DateTimeFormat('en-CA', {
    timeZone: settings.timezone,
    dateStyle: 'short',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(window);
  return windowChartSpec({
    metric,
    windows: judgement.windows.slice(shown),
    values: judgement.series.slice(shown),
    bands,
    timezone: settings.timezone,
    locale: settings.locale,
    title: `${metricName(metric, settings.locale)}${slice === '' ? '' : `, ${slice.replace('=', ' ')}`} · ${when}`,
  });
}
