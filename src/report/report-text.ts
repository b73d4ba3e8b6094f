import { relativeChange, type DailyReport, type DayMetrics } from '../daily/daily-report.js';
import { INTL_LOCALE, type Locale } from '../metrics/locale.js';
import { DAILY, DAILY_METRICS, type DailyGroup, type DailyMetric } from '../metrics/metrics.js';
import { escapeHtml } from '../notify/telegram-html.js';

interface Wording {
  readonly greeting: string[];
  readonly groups: Record<DailyGroup, string>;
  readonly dayBefore: string;
  readonly weekBefore: string;
  readonly noData: (day: string) => string;
  readonly notAvailable: string;
  readonly points: string;
  readonly legend: string;
}

const WORDING: Record<Locale, Wording> = {
  en: {
    greeting: ['Good morning', 'Metrics for'],
    groups: { feed: 'Feed', messenger: 'Messenger', app: 'App' },
    dayBefore: 'd/d',
    weekBefore: 'w/w',
    noData: (day) => `No events on ${day}: both source tables are empty for that day.`,
    notAvailable: 'n/a',
    points: 'pp',
    legend: 'd/d: vs the day before · w/w: vs the same day a week before',
  },
  ru: {
    greeting: ['Доброе утро', 'Метрики за предыдущий день:'],
    groups: { feed: 'Лента', messenger: 'Мессенджер', app: 'Приложение' },
    dayBefore: 'к пред. дню',
    weekBefore: 'к неделе назад',
    noData: (day) => `За ${day} событий нет: обе таблицы-источника за этот день пусты.`,
    notAvailable: 'н/д',
    points: 'п.п.',
    legend: '',
  },
};

/** The report as Telegram HTML: D's value of each metric with its change vs D−1 and D−7. */
export function renderReportText(report: DailyReport, locale: Locale): string {
  const words = WORDING[locale];
  const intl = INTL_LOCALE[locale];
  const integer = new Intl.NumberFormat(intl, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(intl, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const signedPercent = new Intl.NumberFormat(intl, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const signedPoints = new Intl.NumberFormat(intl, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const date = new Intl.DateTimeFormat(intl, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${report.day}T00:00:00Z`));

  const today = report.days.at(-1)?.metrics;
  const dayBefore = report.days.at(-2)?.metrics;
  const weekBefore = report.days[0]?.metrics;
  const lines = [
    `<b>${escapeHtml(words.greeting[0] ?? '')}!</b> ${escapeHtml(words.greeting[1] ?? '')} <b>${escapeHtml(date)}</b>`,
  ];
  if (!today) return [...lines, '', escapeHtml(words.noData(report.day))].join('\n');

  const value = (key: DailyMetric, metrics: DayMetrics): string => {
    const v = metrics[key];
    if (v === undefined) return words.notAvailable;
    return DAILY[key].kind === 'ratio' ? percent.format(v) : integer.format(v);
  };
  const change = (key: DailyMetric, before: DayMetrics | undefined, label: string): string | undefined => {
    if (!before) return undefined;
    const now = today[key];
    const then = before[key];
    if (DAILY[key].kind === 'ratio') {
      if (now === undefined || then === undefined) return undefined;
      const diff = (now - then) * 100;
      return `${signedPoints.format(Math.abs(diff) < 0.05 ? 0 : diff)} ${words.points} ${label}`;
    }
    const relative = relativeChange(now, then);
    return relative === undefined ? undefined : `${signedPercent.format(relative)} ${label}`;
  };

  let group: string | undefined;
  let anyChange = false;
  for (const key of DAILY_METRICS) {
    const metricGroup = DAILY[key].group;
    if (metricGroup !== group) {
      group = metricGroup;
      lines.push('', `<b>${escapeHtml(words.groups[metricGroup])}</b>`);
    }
    const changes = [change(key, dayBefore, words.dayBefore), change(key, weekBefore, words.weekBefore)].filter(
      (c) => c !== undefined,
    );
    anyChange ||= changes.length > 0;
    lines.push(
      `${escapeHtml(DAILY[key].names[locale])}: <b>${escapeHtml(value(key, today))}</b>` +
        (changes.length > 0 ? `  ${escapeHtml(changes.join(' · '))}` : ''),
    );
  }
  if (anyChange && words.legend !== '') lines.push('', `<i>${escapeHtml(words.legend)}</i>`);
  return lines.join('\n');
}
