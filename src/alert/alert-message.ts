import type { Verdict } from '../detect/detector.js';
import { INTL_LOCALE, type Locale } from '../metrics/locale.js';
import { formatMetricValue, metricName, METRICS, type AlertMetric } from '../metrics/metrics.js';
import { escapeHtml } from '../notify/telegram-html.js';
import { isRepeatedWallTime, utcOffset } from '../time/time.js';
import { WINDOW_MS } from '../windows/windows.js';
import type { NotificationKind } from './alert-state.js';

const WORDS = {
  en: {
    started: 'Anomaly',
    repeated: 'Still anomalous',
    resolved: 'Back to normal',
    value: 'Value',
    in: 'in',
    vsPrevious: 'vs the previous window',
    expected: 'Expected',
    since: 'since',
    dashboard: 'Dashboard',
  },
  ru: {
    started: 'Аномалия',
    repeated: 'Аномалия продолжается',
    resolved: 'Вернулась в норму',
    value: 'Значение',
    in: 'за',
    vsPrevious: 'к предыдущей пятнадцатиминутке',
    expected: 'Ожидалось',
    since: 'с',
    dashboard: 'Дашборд',
  },
} as const;
const ICON: Record<NotificationKind, string> = { started: '🔴', repeated: '🟠', resolved: '✅' };

export interface AlertMessageInput {
  readonly kind: NotificationKind;
  readonly metric: AlertMetric;
  /** '' for the whole product, else `attribute=value`. */
  readonly slice: string;
  readonly verdict: Verdict;
  /** The value of the window before, for the change in percent. */
  readonly previous: number | undefined;
  readonly window: Date;
  readonly started: Date | undefined;
  readonly timezone: string;
  readonly locale: Locale;
  readonly dashboardUrl: string | undefined;
}

/** The alert as Telegram HTML: metric, value, change vs the previous window, band, window, link. */
export function renderAlertText(input: AlertMessageInput): string {
  const { kind, metric, verdict, locale } = input;
  const words = WORDS[locale];
  const format = (v: number) => formatMetricValue(METRICS[metric].kind, v, locale);
  const time = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: input.timezone,
  });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: input.timezone }).format(input.window);
  const end = new Date(input.window.getTime() + WINDOW_MS);
  // In the hour repeated when clocks go back, the wall time alone is ambiguous: add the offset.
  const zone = isRepeatedWallTime(input.window, input.timezone)
    ? `${input.timezone}, ${utcOffset(input.window, input.timezone)}`
    : input.timezone;
  const windowText = `${day} ${time.format(input.window)}–${time.format(end)} (${zone})`;

  const sliceText = input.slice === '' ? '' : `, ${input.slice.replace('=', ' ')}`;
  const lines = [`${ICON[kind]} <b>${escapeHtml(`${words[kind]}: ${metricName(metric, locale)}${sliceText}`)}</b>`];
  const value = verdict.value === undefined ? 'n/a' : format(verdict.value);
  const change =
    verdict.value !== undefined && input.previous !== undefined && input.previous !== 0
      ? `, ${signedPercent(locale).format(verdict.value / input.previous - 1)} ${words.vsPrevious}`
      : '';
  lines.push(`${words.value} <b>${escapeHtml(value)}</b> ${words.in} ${escapeHtml(windowText)}${escapeHtml(change)}`);
  if (verdict.low !== undefined && verdict.up !== undefined)
    lines.push(`${words.expected} ${escapeHtml(`${format(Math.max(0, verdict.low))} … ${format(verdict.up)}`)}`);
  if (kind !== 'started' && input.started)
    lines.push(`${escapeHtml(words.started)} ${words.since} ${escapeHtml(time.format(input.started))}`);
  if (input.dashboardUrl !== undefined) lines.push(dashboardLink(input.dashboardUrl, metric, input, words.dashboard));
  return lines.join('\n');
}

/** The dashboard link of a metric's alert, from alerts.dashboardUrl's template. */
function dashboardLink(
  template: string,
  metric: AlertMetric,
  input: { slice: string; window: Date },
  label: string,
): string {
  const href = template
    .replaceAll('{metric}', encodeURIComponent(metric))
    .replaceAll('{slice}', encodeURIComponent(input.slice))
    .replaceAll('{window}', encodeURIComponent(input.window.toISOString()))
    .replaceAll('{at}', encodeURIComponent(new Date(input.window.getTime() + WINDOW_MS).toISOString()));
  return `<a href="${escapeHtml(href).replaceAll('"', '&quot;')}">${label}</a>`;
}

const GROUP_WORDS = {
  en: {
    headline: { started: 'anomalous', repeated: 'still anomalous', resolved: 'back to normal' },
    metrics: (count: number) => `${count} ${count === 1 ? 'metric' : 'metrics'}`,
    at: 'at',
    expected: 'expected',
    more: (count: number) => `and ${count} more`,
  },
  ru: {
    headline: { started: 'аномальны', repeated: 'всё ещё аномальны', resolved: 'вернулись в норму' },
    metrics: (count: number) => {
      const form = new Intl.PluralRules('ru').select(count);
      return `${count} ${form === 'one' ? 'метрика' : form === 'few' ? 'метрики' : 'метрик'}`;
    },
    at: 'в',
    expected: 'ожидалось',
    more: (count: number) => `и ещё ${count}`,
  },
} as const;

/** One metric (of one slice) in a grouped message. */
export interface GroupItem {
  readonly metric: AlertMetric;
  readonly slice: string;
  readonly verdict: Verdict;
}

export interface GroupMessageInput {
  readonly kind: NotificationKind;
  /** The metrics to list, in order; those beyond them are counted as "and N more". */
  readonly items: readonly GroupItem[];
  readonly more: number;
  readonly window: Date;
  readonly timezone: string;
  readonly locale: Locale;
  readonly dashboardUrl: string | undefined;
}

/**
 * Several metrics that started (or repeated, or resolved) in the same window, as one Telegram
 * HTML message: a headline, a line per metric with its value, expected band and change from the
 * expected value (counts in percent, ratios in percentage points), one dashboard link.
 */
export function renderGroupText(input: GroupMessageInput): string {
  const { kind, locale } = input;
  const words = GROUP_WORDS[locale];
  const time = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: input.timezone,
  });
  const count = input.items.length + input.more;
  const when = `${words.at} ${time.format(input.window)} (${input.timezone})`;
  const headline = `${words.metrics(count)} ${words.headline[kind]} ${when}`;
  const lines = [`${ICON[kind]} <b>${escapeHtml(headline)}</b>`];
  for (const { metric, slice, verdict } of input.items) {
    const kindOf = METRICS[metric].kind;
    const format = (v: number) => formatMetricValue(kindOf, v, locale);
    const name = `${metricName(metric, locale)}${slice === '' ? '' : `, ${slice.replace('=', ' ')}`}`;
    const value = verdict.value === undefined ? 'n/a' : format(verdict.value);
    const details: string[] = [];
    if (verdict.low !== undefined && verdict.up !== undefined) {
      details.push(`${words.expected} ${format(Math.max(0, verdict.low))} … ${format(verdict.up)}`);
      const expected = verdict.expected ?? (verdict.low + verdict.up) / 2;
      if (verdict.value !== undefined) details.push(changeText(kindOf, verdict.value, expected, locale));
    }
    const detail = details.filter((d) => d !== '').join('; ');
    lines.push(`• <b>${escapeHtml(name)}</b>: ${escapeHtml(value)}${detail === '' ? '' : escapeHtml(` (${detail})`)}`);
  }
  if (input.more > 0) lines.push(escapeHtml(words.more(input.more)));
  const first = input.items[0];
  if (input.dashboardUrl !== undefined && first) {
    lines.push(
      dashboardLink(
        input.dashboardUrl,
        first.metric,
        { slice: first.slice, window: input.window },
        WORDS[locale].dashboard,
      ),
    );
  }
  return lines.join('\n');
}

/** A value's change from its expected value: counts in percent, ratios in percentage points. */
function changeText(kind: 'count' | 'ratio', value: number, expected: number, locale: Locale): string {
  if (kind === 'ratio') {
    const points = new Intl.NumberFormat(INTL_LOCALE[locale], { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
    return `${points.format((value - expected) * 100)} ${locale === 'ru' ? 'п. п.' : 'pp'}`;
  }
  return expected === 0 ? '' : signedPercent(locale).format(value / expected - 1);
}

function signedPercent(locale: Locale): Intl.NumberFormat {
  const options = { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' } as const;
  return new Intl.NumberFormat(INTL_LOCALE[locale], options);
}

const NO_DATA_WORDS = {
  en: {
    started: 'No data',
    repeated: 'Still no data',
    resolved: 'Data is back',
    none: (table: string) => `No events in ${table} at all before this run.`,
    since: (table: string, time: string) => `No events in ${table} since ${time}.`,
    held: 'Alerts on its metrics are held until events return.',
    newest: (time: string) => `Newest event ${time}.`,
  },
  ru: {
    started: 'Нет данных',
    repeated: 'Данных всё ещё нет',
    resolved: 'Данные снова поступают',
    none: (table: string) => `В ${table} нет ни одного события до этого запуска.`,
    since: (table: string, time: string) => `В ${table} нет событий с ${time}.`,
    held: 'Алерты по её метрикам приостановлены, пока события не вернутся.',
    newest: (time: string) => `Последнее событие ${time}.`,
  },
} as const;
const NO_DATA_ICON: Record<NotificationKind, string> = { started: '⚪', repeated: '⚪', resolved: '✅' };

export interface NoDataMessageInput {
  readonly kind: NotificationKind;
  /** The source table, `db.table`. */
  readonly table: string;
  /** The source's newest event, ms; undefined when it has none. */
  readonly newest: number | undefined;
  readonly timezone: string;
  readonly locale: Locale;
}

/** A source without data (or with data again) as Telegram HTML. */
export function renderNoDataText(input: NoDataMessageInput): string {
  const words = NO_DATA_WORDS[input.locale];
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: input.timezone });
  const clock = new Intl.DateTimeFormat(INTL_LOCALE[input.locale], {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: input.timezone,
  });
  const time = (ms: number) => `${day.format(ms)} ${clock.format(ms)} (${input.timezone})`;
  const lines = [`${NO_DATA_ICON[input.kind]} <b>${escapeHtml(`${words[input.kind]}: ${input.table}`)}</b>`];
  if (input.kind === 'resolved') {
    if (input.newest !== undefined) lines.push(escapeHtml(words.newest(time(input.newest))));
  } else {
    lines.push(
      escapeHtml(input.newest === undefined ? words.none(input.table) : words.since(input.table, time(input.newest))),
    );
    lines.push(escapeHtml(words.held));
  }
  return lines.join('\n');
}
