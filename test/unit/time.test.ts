import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayOf,
  daysBetween,
  parseIsoDate,
  parseIsoTime,
  startOfDay,
  yesterday,
  isRepeatedWallTime,
  utcOffset,
} from '../../src/time/time.js';

describe('time', () => {
  it('parses real calendar days only', () => {
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('2024-3-4')).toBeUndefined();
    expect(parseIsoDate('yesterday')).toBeUndefined();
  });

  it('reads a time without offset in the configured zone, and one with an offset as given', () => {
    expect(parseIsoTime('2024-03-04T12:00', 'Europe/Moscow')).toEqual(new Date('2024-03-04T09:00:00Z'));
    expect(parseIsoTime('2024-03-04 12:00:30', 'UTC')).toEqual(new Date('2024-03-04T12:00:30Z'));
    expect(parseIsoTime('2024-03-04T12:00:00Z', 'Europe/Moscow')).toEqual(new Date('2024-03-04T12:00:00Z'));
    expect(parseIsoTime('2024-03-04T12:00:00+05:30', 'UTC')).toEqual(new Date('2024-03-04T06:30:00Z'));
    expect(parseIsoTime('2024-13-04T12:00', 'UTC')).toBeUndefined();
    expect(parseIsoTime('noon', 'UTC')).toBeUndefined();
  });

  it('rejects a wall-clock time skipped by a DST change', () => {
    expect(parseIsoTime('2024-03-31T02:30', 'Europe/Berlin')).toBeUndefined();
    expect(parseIsoTime('2024-03-31T03:30', 'Europe/Berlin')).toEqual(new Date('2024-03-31T01:30:00Z'));
  });

  it('takes days in the configured zone', () => {
    const lateUtc = new Date('2024-03-04T22:30:00Z');
    expect(dayOf(lateUtc, 'UTC')).toBe('2024-03-04');
    expect(dayOf(lateUtc, 'Europe/Moscow')).toBe('2024-03-05');
    expect(yesterday(lateUtc, 'Europe/Moscow')).toBe('2024-03-04');
    expect(startOfDay('2024-03-05', 'Europe/Moscow')).toEqual(new Date('2024-03-04T21:00:00Z'));
    expect(startOfDay('2024-03-31', 'Europe/Berlin')).toEqual(new Date('2024-03-30T23:00:00Z'));
  });

  it('counts calendar days', () => {
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(daysBetween('2024-03-02', '2024-03-01')).toEqual([]);
  });
});

describe('the hour repeated when clocks go back', () => {
  it('is told apart by its UTC offset', () => {
    const first = new Date('2024-11-03T05:15:00Z'); // 01:15 EDT
    const second = new Date('2024-11-03T06:15:00Z'); // 01:15 EST
    expect(isRepeatedWallTime(first, 'America/New_York')).toBe(true);
    expect(isRepeatedWallTime(second, 'America/New_York')).toBe(true);
    expect(isRepeatedWallTime(new Date('2024-11-03T08:15:00Z'), 'America/New_York')).toBe(false);
    expect(isRepeatedWallTime(new Date('2024-03-10T07:15:00Z'), 'America/New_York')).toBe(false);
    expect([utcOffset(first, 'America/New_York'), utcOffset(second, 'America/New_York')]).toEqual([
      'UTC−04:00',
      'UTC−05:00',
    ]);
  });
});
