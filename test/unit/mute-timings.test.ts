import { describe, expect, it } from 'vitest';
import { mutedBy, type MuteTiming } from '../../src/silence/mute-timings.js';

const MOSCOW = 'Europe/Moscow';
/** 2024-03-04 is a Monday; Moscow is UTC+3. */
const moscow = (local: string) => Date.parse(`${local}+03:00`);

describe('mute timings', () => {
  const night: MuteTiming = { days: ['mon'], from: '23:00', to: '02:00' };

  it('cover a night across midnight from the day they start on, in the configured zone', () => {
    expect(mutedBy([night], 'views', moscow('2024-03-04T23:30:00'), MOSCOW)).toBe(night);
    expect(mutedBy([night], 'views', moscow('2024-03-05T01:45:00'), MOSCOW)).toBe(night);
    expect(mutedBy([night], 'views', moscow('2024-03-05T02:00:00'), MOSCOW)).toBeUndefined();
    // Monday's small hours belong to Sunday's night, which is not listed; Tuesday's evening neither.
    expect(mutedBy([night], 'views', moscow('2024-03-04T01:30:00'), MOSCOW)).toBeUndefined();
    expect(mutedBy([night], 'views', moscow('2024-03-05T23:30:00'), MOSCOW)).toBeUndefined();
    // The same instant in UTC is Monday 20:30: not muted there.
    expect(mutedBy([night], 'views', moscow('2024-03-04T23:30:00'), 'UTC')).toBeUndefined();
  });

  it('cover a window within a day, and only the metrics they name', () => {
    const migration: MuteTiming = { days: ['tue', 'wed'], from: '02:00', to: '03:00', metrics: ['messages'] };
    expect(mutedBy([migration], 'messages', moscow('2024-03-06T02:15:00'), MOSCOW)).toBe(migration);
    expect(mutedBy([migration], 'views', moscow('2024-03-06T02:15:00'), MOSCOW)).toBeUndefined();
    expect(mutedBy([migration], 'messages', moscow('2024-03-06T03:00:00'), MOSCOW)).toBeUndefined();
    expect(mutedBy([migration], 'messages', moscow('2024-03-07T02:15:00'), MOSCOW)).toBeUndefined();
  });
});
