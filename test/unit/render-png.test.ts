import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderPng, TELEGRAM_PHOTO_MAX_BYTES, TELEGRAM_PHOTO_MAX_SIDES } from '../../src/charts/render-png.js';
import { buildReport, type ActivityRow } from '../../src/daily/daily-report.js';
import { dailyChartSpec } from '../../src/charts/daily-chart.js';

const row = (day: string, i: number): ActivityRow => ({
  day,
  feed_users: 10_000 + i * 300,
  views: 200_000 + i * 5_000,
  likes: 40_000 - i * 700,
  senders: 2_500 + i * 10,
  messages: 14_000 + (i % 3) * 900,
  active_users: 11_000 + i * 200,
  both_features: 1_300,
  feed_only: 8_700,
  messenger_only: 1_000 + i,
});

describe('the report picture', () => {
  const days = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09', '2024-03-10'];
  const report = buildReport(
    '2024-03-10',
    days.map((d, i) => row(d, i)),
    days.map((day) => ({ day, receivers: 5_000 })),
  );

  it.each(['en', 'ru'] as const)(
    'is a PNG of phone-readable size within Telegram limits, not blank (%s)',
    async (locale) => {
      const { png, width, height } = await renderPng(dailyChartSpec(report, locale));
      const decoded = PNG.sync.read(png);
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      expect(width).toBeGreaterThanOrEqual(1000);
      expect(width + height).toBeLessThanOrEqual(TELEGRAM_PHOTO_MAX_SIDES);
      expect(png.length).toBeLessThanOrEqual(TELEGRAM_PHOTO_MAX_BYTES);
      let sum = 0;
      let sumSquares = 0;
      const pixels = decoded.width * decoded.height;
      for (let i = 0; i < decoded.data.length; i += 4) {
        const luminance = ((decoded.data[i] ?? 0) + (decoded.data[i + 1] ?? 0) + (decoded.data[i + 2] ?? 0)) / 3;
        sum += luminance;
        sumSquares += luminance * luminance;
      }
      const variance = sumSquares / pixels - (sum / pixels) ** 2;
      expect(variance).toBeGreaterThan(100);
    },
  );

  it('draws every metric as its own panel', () => {
    const spec = dailyChartSpec(report, 'en') as unknown as { data: { values: { metric: string }[] } };
    expect(new Set(spec.data.values.map((v) => v.metric)).size).toBe(11);
  });
});
