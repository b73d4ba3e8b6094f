import type { DailyReport } from '../daily/daily-report.js';
import { INTL_LOCALE, type Locale } from '../metrics/locale.js';
import { DAILY, DAILY_METRICS } from '../metrics/metrics.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-spec.js';

const TITLE: Record<Locale, (day: string) => string> = {
  en: (day) => `vigil · the 7 days to ${day}`,
  ru: (day) => `vigil · 7 дней по ${day}`,
};

/** One panel per metric over D−6 … D (days without events are left out), two panels a row. */
export function dailyChartSpec(report: DailyReport, locale: Locale): ChartSpec {
  const intl = INTL_LOCALE[locale];
  const dayLabel = new Intl.DateTimeFormat(intl, {
    day: '2-digit',
    month: locale === 'ru' ? '2-digit' : 'short',
    timeZone: 'UTC',
  });
  const count = new Intl.NumberFormat(intl, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(intl, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const week = report.days.slice(-7);
  const values = DAILY_METRICS.flatMap((key, order) =>
    week.flatMap(({ day, metrics }) => {
      const value = metrics?.[key];
      if (value === undefined) return [];
      // A ratio is drawn in percent so its axis reads 20.3, not 203m.
      const isRatio = DAILY[key].kind === 'ratio';
      const name = DAILY[key].names[locale];
      return [
        {
          metric: isRatio ? `${name}, %` : name,
          order,
          day,
          label: dayLabel.format(new Date(`${day}T00:00:00Z`)),
          value: isRatio ? value * 100 : value,
          display: isRatio ? percent.format(value) : count.format(value),
        },
      ];
    }),
  );
  const labels = week.map(({ day }) => dayLabel.format(new Date(`${day}T00:00:00Z`)));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: TITLE[locale](report.day),
    data: { values },
    facet: { field: 'metric', type: 'nominal', sort: { field: 'order' }, header: { title: null } },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 250,
      height: 110,
      layer: [
        { mark: { type: 'line', color: '#2f6db5' } },
        { mark: { type: 'point', filled: true, size: 40, color: '#2f6db5' } },
        {
          transform: [{ filter: `datum.day == '${report.day}'` }],
          mark: { type: 'text', dy: -10, fontSize: 11, fontWeight: 'bold', color: '#111' },
          encoding: { text: { field: 'display' } },
        },
      ],
      encoding: {
        x: { field: 'label', type: 'ordinal', sort: labels, title: null, axis: { labelAngle: 0, labelFontSize: 10 } },
        y: {
          field: 'value',
          type: 'quantitative',
          title: null,
          scale: { zero: false, nice: true },
          axis: { format: '~s', tickCount: 4 },
        },
      },
    },
    config: CHART_CONFIG,
  };
}
