import { INTL_LOCALE, type Locale } from './locale.js';

/*
 * What each metric vigil watches or reports is: its kind (a count of events or users in a window
 * or a day, or a ratio of two counts), where it comes from, its name for people and its format.
 */

export type MetricKind = 'count' | 'ratio';

/** SPEC §5's metrics of a 15-minute window. */
export const ALERT_METRICS = ['users', 'active_posts', 'views', 'likes', 'ctr', 'senders', 'messages'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** The counts of a window from which every alert metric follows. */
export const WINDOW_COUNTS = ['users', 'active_posts', 'views', 'likes', 'senders', 'messages'] as const;
export type WindowCount = (typeof WINDOW_COUNTS)[number];
export type WindowCounts = Readonly<Record<WindowCount, number>>;

interface MetricDefinition {
  readonly kind: MetricKind;
  readonly source: 'feed' | 'messages';
  readonly names: Readonly<Record<Locale, string>>;
}

export const METRICS: Readonly<Record<AlertMetric, MetricDefinition>> = {
  users: { kind: 'count', source: 'feed', names: { en: 'feed users', ru: 'пользователи ленты' } },
  active_posts: { kind: 'count', source: 'feed', names: { en: 'active posts', ru: 'активные посты' } },
  views: { kind: 'count', source: 'feed', names: { en: 'views', ru: 'просмотры' } },
  likes: { kind: 'count', source: 'feed', names: { en: 'likes', ru: 'лайки' } },
  ctr: { kind: 'ratio', source: 'feed', names: { en: 'CTR', ru: 'CTR' } },
  senders: { kind: 'count', source: 'messages', names: { en: 'senders', ru: 'отправители' } },
  messages: { kind: 'count', source: 'messages', names: { en: 'messages', ru: 'сообщения' } },
};

export function metricName(metric: AlertMetric, locale: Locale): string {
  return METRICS[metric].names[locale];
}

export function isAlertMetric(text: string): text is AlertMetric {
  return (ALERT_METRICS as readonly string[]).includes(text);
}

/** CTR: likes per view; undefined (not 0) when there were no views. */
export function ctr(likes: number, views: number): number | undefined {
  return views > 0 ? likes / views : undefined;
}

/** A window's value of a metric from its counts. */
export function metricValue(metric: AlertMetric, counts: WindowCounts): number | undefined {
  return metric === 'ctr' ? ctr(counts.likes, counts.views) : counts[metric];
}

/** A value as people read it: a ratio in percent, a count whole with grouping. */
export function formatMetricValue(kind: MetricKind, value: number, locale: Locale): string {
  return kind === 'ratio'
    ? new Intl.NumberFormat(INTL_LOCALE[locale], {
        style: 'percent',
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(value)
    : // Counts are whole; a band's edge is a count too, as a reader sees it.
      new Intl.NumberFormat(INTL_LOCALE[locale], { maximumFractionDigits: 0 }).format(value);
}

/** SPEC §4's metrics of a day, in the report's order. */
export const DAILY_METRICS = [
  'feedUsers',
  'views',
  'likes',
  'ctr',
  'senders',
  'messages',
  'receivers',
  'activeUsers',
  'bothFeatures',
  'feedOnly',
  'messengerOnly',
] as const;
export type DailyMetric = (typeof DAILY_METRICS)[number];
export type DailyGroup = 'feed' | 'messenger' | 'app';

export const DAILY: Readonly<
  Record<
    DailyMetric,
    { readonly group: DailyGroup; readonly kind: MetricKind; readonly names: Readonly<Record<Locale, string>> }
  >
> = {
  feedUsers: { group: 'feed', kind: 'count', names: { en: 'Users (DAU)', ru: 'Пользователи (DAU)' } },
  views: { group: 'feed', kind: 'count', names: { en: 'Views', ru: 'Просмотры' } },
  likes: { group: 'feed', kind: 'count', names: { en: 'Likes', ru: 'Лайки' } },
  ctr: { group: 'feed', kind: 'ratio', names: { en: 'CTR', ru: 'CTR' } },
  senders: { group: 'messenger', kind: 'count', names: { en: 'Senders', ru: 'Отправители' } },
  messages: { group: 'messenger', kind: 'count', names: { en: 'Messages', ru: 'Сообщения' } },
  receivers: { group: 'messenger', kind: 'count', names: { en: 'Receivers', ru: 'Получатели' } },
  activeUsers: { group: 'app', kind: 'count', names: { en: 'Active users', ru: 'Активные пользователи' } },
  bothFeatures: { group: 'app', kind: 'count', names: { en: 'Feed and messenger', ru: 'Лента и мессенджер' } },
  feedOnly: { group: 'app', kind: 'count', names: { en: 'Feed only', ru: 'Только лента' } },
  messengerOnly: { group: 'app', kind: 'count', names: { en: 'Messenger only', ru: 'Только мессенджер' } },
};
