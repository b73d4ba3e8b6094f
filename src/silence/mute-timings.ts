export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A recurring quiet time (alerts.muteTimings): on these days, from `from` to `to` (HH:MM in the
 * configured zone; a `to` at or before `from` ends the next day), the metrics (all when none are
 * named) are not notified. A time across midnight belongs to the day it starts.
 */
export interface MuteTiming {
  readonly days: readonly Weekday[];
  readonly from: string;
  readonly to: string;
  readonly metrics?: readonly string[] | undefined;
}

const minutesOf = (clock: string) => {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
};

/** The zone's weekday and minutes since midnight at an instant. */
function wallClock(at: number, timezone: string): { day: Weekday; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Weekday;
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** The mute timing that quiets a metric at an instant, if one does. */
export function mutedBy(
  timings: readonly MuteTiming[],
  metric: string,
  at: number,
  timezone: string,
): MuteTiming | undefined {
  const { day, minutes } = wallClock(at, timezone);
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7] as Weekday;
  return timings.find((timing) => {
    if (timing.metrics && timing.metrics.length > 0 && !timing.metrics.includes(metric)) return false;
    const from = minutesOf(timing.from);
    const to = minutesOf(timing.to);
    if (from < to) return timing.days.includes(day) && minutes >= from && minutes < to;
    // Across midnight: the evening of a listed day, or the small hours after one.
    return (timing.days.includes(day) && minutes >= from) || (timing.days.includes(yesterday) && minutes < to);
  });
}
