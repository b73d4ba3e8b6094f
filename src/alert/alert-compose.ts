import { renderPng } from '../charts/render-png.js';
import type { ChartSpec } from '../charts/chart-spec.js';
import { windowChartSpec, windowPanelsSpec, type WindowChartInput } from '../charts/window-chart.js';
import type { Logger } from '../log/logger.js';
import { metricName } from '../metrics/metrics.js';
import type { Notification } from '../notify/notifier.js';
import { toSqlDateTime } from '../time/time.js';
import { historyStart } from '../windows/windows.js';
import type { Decision, MetricDecision, SourceDecision } from './alert-decide.js';
import { renderAlertText, renderGroupText, renderNoDataText } from './alert-message.js';
import type { AlertSettings } from './alert-settings.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './alert-state.js';

/** A decision that calls for a notification. */
export type Due = Decision & { readonly kind: NotificationKind };
type DueMetric = MetricDecision & { readonly kind: NotificationKind };

/** The decisions a notification announces (one, or a group), and the notification. */
export interface Composed {
  readonly decisions: readonly Due[];
  readonly notification: Notification;
  /** Why the picture is missing, if it should have one. */
  readonly problem?: string;
}

/** Panels in a grouped alert's picture, and metrics listed in its text; the rest are counted. */
const GROUP_LIMIT = 6;

/**
 * Step 5 of a run: the text (and for a metric the picture) of each notification due. With
 * alerts.group, the metrics that start in this window go out as one message, and so do those
 * repeated, and those resolved; a source without data always has its own.
 */
export async function composeNotifications(
  settings: AlertSettings,
  window: Date,
  decisions: readonly Decision[],
  logger: Logger,
): Promise<Composed[]> {
  const due = decisions.flatMap((d): Due[] => (d.kind === undefined ? [] : [{ ...d, kind: d.kind }]));
  const composed: Composed[] = due.flatMap((d) => (d.type === 'source' ? [composeSource(settings, window, d)] : []));
  const metrics = due.filter((d): d is DueMetric => d.type === 'metric');
  for (const kind of NOTIFICATION_KINDS) {
    const group = metrics.filter((d) => d.kind === kind);
    if (settings.group && group.length > 1) composed.push(await composeGroup(settings, window, kind, group, logger));
    else for (const decision of group) composed.push(await composeMetric(settings, window, decision, logger));
  }
  return composed;
}

const stampOf = (window: Date) => toSqlDateTime(window).replace(' ', 'T').replaceAll(':', '');
const safe = (key: string) => key.replace(/[^\w.-]+/g, '_');

async function composeMetric(
  settings: AlertSettings,
  window: Date,
  decision: DueMetric,
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
  return withPicture(
    [decision],
    { kind: 'alert', key, text },
    windowChartSpec(chartOf(settings, window, decision, 'name and time')),
    logger,
  );
}

/** Several metrics' decisions of one kind as one message, with a panel per metric. */
async function composeGroup(
  settings: AlertSettings,
  window: Date,
  kind: NotificationKind,
  group: readonly DueMetric[],
  logger: Logger,
): Promise<Composed> {
  const shown = group.slice(0, GROUP_LIMIT);
  const text = renderGroupText({
    kind,
    items: shown.map(({ judgement: { metric, slice, verdict } }) => ({ metric, slice, verdict })),
    more: group.length - shown.length,
    window,
    timezone: settings.timezone,
    locale: settings.locale,
    dashboardUrl: settings.dashboardUrl,
  });
  const key = safe(`group-${stampOf(window)}-${kind}`);
  const spec = windowPanelsSpec(
    dayTime(settings, window),
    shown.map((decision) => chartOf(settings, window, decision, 'name')),
  );
  return withPicture(group, { kind: 'alert', key, text }, spec, logger);
}

/** The notification with its picture, or without it and the reason when it could not be drawn. */
async function withPicture(
  decisions: readonly Due[],
  notification: Notification,
  spec: ChartSpec,
  logger: Logger,
): Promise<Composed> {
  try {
    const png = (await renderPng(spec)).png;
    return { decisions, notification: { ...notification, image: { png, filename: `alert-${notification.key}.png` } } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const problem = `the picture could not be made (${reason}); the text went alone`;
    logger.error(`alert ${notification.key}: ${problem}`);
    return { decisions, notification, problem };
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
    decisions: [decision],
    notification: { kind: 'alert', key: safe(`no_data-${source}-${stampOf(window)}-${decision.kind}`), text },
  };
}

/**
 * The picture shows since the start of the day before (however long the history the detector
 * read), each window's band as the live alert saw it then: within the open incident, against
 * what was expected before it.
 */
function chartOf(
  settings: AlertSettings,
  window: Date,
  { judgement }: MetricDecision,
  titled: 'name' | 'name and time',
): WindowChartInput {
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
  const name = `${metricName(metric, settings.locale)}${slice === '' ? '' : `, ${slice.replace('=', ' ')}`}`;
  return {
    metric,
    windows: judgement.windows.slice(shown),
    values: judgement.series.slice(shown),
    bands,
    timezone: settings.timezone,
    locale: settings.locale,
    title: titled === 'name' ? name : `${name} · ${dayTime(settings, window)}`,
  };
}

/** The window's day and time in the zone, as a picture's title says it. */
function dayTime(settings: AlertSettings, window: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: settings.timezone,
    dateStyle: 'short',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(window);
}
