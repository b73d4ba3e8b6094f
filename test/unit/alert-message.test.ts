import { plainText } from '../../src/notify/telegram-html.js';
import { describe, expect, it } from 'vitest';
import { renderAlertText, renderNoDataText } from '../../src/alert/alert-message.js';

const base = {
  kind: 'started' as const,
  metric: 'views' as const,
  slice: '',
  verdict: { value: 0, low: -200, up: 1_500, alert: true },
  previous: 1_000,
  started: undefined,
  locale: 'en' as const,
  dashboardUrl: undefined,
};

describe('the alert message', () => {
  it('names the window in the zone, and a count band never below zero', () => {
    const text = renderAlertText({ ...base, window: new Date('2024-03-06T14:00:00Z'), timezone: 'Europe/Moscow' });
    expect(text).toContain('Value <b>0</b> in 2024-03-06 17:00–17:15 (Europe/Moscow), -100% vs the previous window');
    expect(text).toContain('Expected 0 … 1,500');
  });

  it('adds the offset to a window in the hour repeated when clocks go back', () => {
    const first = renderAlertText({ ...base, window: new Date('2024-11-03T05:15:00Z'), timezone: 'America/New_York' });
    const second = renderAlertText({ ...base, window: new Date('2024-11-03T06:15:00Z'), timezone: 'America/New_York' });
    expect(first).toContain('2024-11-03 01:15–01:30 (America/New_York, UTC−04:00)');
    expect(second).toContain('2024-11-03 01:15–01:30 (America/New_York, UTC−05:00)');
    const ordinary = renderAlertText({
      ...base,
      window: new Date('2024-11-03T09:15:00Z'),
      timezone: 'America/New_York',
    });
    expect(ordinary).toContain('2024-11-03 04:15–04:30 (America/New_York)');
  });
});

describe('the no-data message', () => {
  it('says since when a source has no events, and when they are back', () => {
    const input = {
      table: 'db.feed_actions',
      newest: Date.parse('2024-03-06T10:59:00Z'),
      timezone: 'Europe/Moscow',
      locale: 'en' as const,
    };
    expect(renderNoDataText({ ...input, kind: 'started' })).toBe(
      '⚪ <b>No data: db.feed_actions</b>\nNo events in db.feed_actions since 2024-03-06 13:59 (Europe/Moscow).\n' +
        'Alerts on its metrics are held until events return.',
    );
    expect(renderNoDataText({ ...input, kind: 'resolved' })).toContain('✅ <b>Data is back: db.feed_actions</b>');
    expect(renderNoDataText({ ...input, newest: undefined, kind: 'started', locale: 'ru' })).toContain(
      'нет ни одного события',
    );
  });
});

describe('plain text of a message', () => {
  it('keeps the address of a link, for email and webhooks', () => {
    expect(plainText('<b>Anomaly</b>\n<a href="https://d.example.com/m?a=1&amp;b=2">Dashboard</a>')).toBe(
      'Anomaly\nDashboard: https://d.example.com/m?a=1&b=2',
    );
  });
});
