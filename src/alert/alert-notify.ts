import { renderPng } from '../charts/render-png.js';
import { windowChartSpec } from '../charts/window-chart.js';
import type { Logger } from '../log/logger.js';
import { metricName } from '../metrics/metrics.js';
import { deliver, UndeliveredError, type Delivery } from '../notify/delivery.js';
import type { Notification } from '../notify/notifier.js';
import { toSqlDateTime } from '../time/time.js';
import type { Decision } from './alert-decide.js';
import { renderAlertText } from './alert-message.js';
import type { AlertSettings } from './alert-settings.js';
import type { NotificationKind } from './alert-state.js';

/** A notification that was due, and what became of it. */
export interface SentNotification {
  readonly decision: Decision & { readonly kind: NotificationKind };
  /** Its key: its outbox files are `alert-<key>.txt` and `.png`. */
  readonly key: string;
  readonly text: string;
  readonly delivered: boolean;
  /** Why it did not go out, or went without its picture. */
  readonly problem?: string;
}

/** Step 5 of a run: each notification due, as text and picture, through the delivery. */
export async function notifyDecisions(
  deps: { readonly delivery: Delivery; readonly logger: Logger },
  settings: AlertSettings,
  window: Date,
  decisions: readonly Decision[],
): Promise<SentNotification[]> {
  const sent: SentNotification[] = [];
  for (const decision of decisions) {
    if (decision.kind === undefined) continue;
    sent.push(await notifyOne(deps, settings, window, { ...decision, kind: decision.kind }));
  }
  return sent;
}

async function notifyOne(
  deps: { readonly delivery: Delivery; readonly logger: Logger },
  settings: AlertSettings,
  window: Date,
  decision: Decision & { readonly kind: NotificationKind },
): Promise<SentNotification> {
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
  const stamp = toSqlDateTime(window).replace(' ', 'T').replaceAll(':', '');
  const key = `${metric}${slice === '' ? '' : `-${slice}`}-${stamp}-${kind}`.replace(/[^\w.-]+/g, '_');
  let problem: string | undefined;
  let image: Notification['image'];
  try {
    image = { png: (await renderPng(chartOf(settings, window, decision))).png, filename: `alert-${key}.png` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problem = `the picture could not be made (${reason}); the text went alone`;
    deps.logger.error(`alert ${metric}: ${problem}`);
  }
  try {
    await deliver(deps.delivery, { kind: 'alert', key, text, ...(image ? { image } : {}) });
    return { decision, key, text, delivered: true, ...(problem === undefined ? {} : { problem }) };
  } catch (error) {
    if (!(error instanceof UndeliveredError)) throw error;
    return { decision, key, text, delivered: false, problem: error.message };
  }
}

function chartOf(settings: AlertSettings, window: Date, { judgement }: Decision) {
  const { metric, slice, windows, series, detector } = judgement;
  const when = new Intl.DateTimeFormat('en-CA', {
    timeZone: settings.timezone,
    dateStyle: 'short',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(window);
  return windowChartSpec({
    metric,
    windows,
    values: series,
    bands: detector.bands(series),
    timezone: settings.timezone,
    locale: settings.locale,
    title: `${metricName(metric, settings.locale)}${slice === '' ? '' : `, ${slice.replace('=', ' ')}`} · ${when}`,
  });
}
