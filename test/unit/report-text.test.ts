import { describe, expect, it } from 'vitest';
import { buildReport, type ActivityRow } from '../../src/daily/daily-report.js';
import { renderReportText } from '../../src/report/report-text.js';

const row = (day: string, scale: number, views = 200_000): ActivityRow => ({
  day,
  feed_users: 10_000 * scale,
  views: views * scale,
  likes: 40_000 * scale,
  senders: 2_500 * scale,
  messages: 14_000 * scale,
  active_users: 11_000 * scale,
  both_features: 1_300 * scale,
  feed_only: 8_700 * scale,
  messenger_only: 1_000 * scale,
});
const receivers = (day: string, n: number) => ({ day, receivers: n });

describe('report text', () => {
  const report = buildReport(
    '2024-03-10',
    [row('2024-03-03', 1), row('2024-03-09', 1.1), row('2024-03-10', 1.05)],
    [receivers('2024-03-03', 5_000), receivers('2024-03-09', 5_600), receivers('2024-03-10', 5_500)],
  );

  it('reads well in English', () => {
    expect(renderReportText(report, 'en')).toMatchSnapshot();
  });

  it('reads well in Russian, with the original greeting', () => {
    const text = renderReportText(report, 'ru');
    expect(text).toMatchSnapshot();
    expect(text).toContain('Доброе утро');
    expect(text).toContain('Метрики за предыдущий день');
  });

  it('gives changes only where the compared day has data', () => {
    const text = renderReportText(
      buildReport('2024-03-10', [row('2024-03-10', 1)], [receivers('2024-03-10', 1)]),
      'en',
    );
    expect(text).toContain('Views: <b>200,000</b>\n');
    expect(text).not.toContain('d/d');
  });

  it('says n/a for the CTR of a day without views', () => {
    const text = renderReportText(buildReport('2024-03-10', [{ ...row('2024-03-10', 1, 0), likes: 0 }], []), 'en');
    expect(text).toContain('CTR: <b>n/a</b>');
  });

  it('says so when the day has no events', () => {
    expect(renderReportText(buildReport('2024-03-10', [], []), 'en')).toContain('No events on 2024-03-10');
    expect(renderReportText(buildReport('2024-03-10', [], []), 'ru')).toContain('событий нет');
  });

  it('escapes nothing it does not need to and keeps tags on one line', () => {
    for (const line of renderReportText(report, 'en').split('\n')) {
      expect((line.match(/<b>/g) ?? []).length).toBe((line.match(/<\/b>/g) ?? []).length);
    }
  });
});
