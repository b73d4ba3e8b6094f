import { addDays, dayOf, floorToMinutes, startOfDay } from '../time/time.js';

/**
 * The length of an alert window (SPEC §5). Every zone's offset is whole quarter hours, so windows
 * are the same instants everywhere.
 */
export const WINDOW_MS = 15 * 60_000;

/** The evaluated window for an evaluation time: the last complete one before at − lag (SPEC §2). */
export function evaluatedWindow(at: Date, lagMs: number): Date {
  return new Date(floorToMinutes(new Date(at.getTime() - lagMs), 15).getTime() - WINDOW_MS);
}

/** The first window of the history judged at `at`: the start of the day `days` before at's day (SPEC §2: 1). */
export function historyStart(at: Date, timezone: string, days = 1): Date {
  return startOfDay(addDays(dayOf(at, timezone), -days), timezone);
}

const DAY_MS = 86_400_000;

/**
 * The first window of a history of `historyMs` ending at `at`: whole days in the zone, and never
 * less than SPEC §2's (the start of the day before).
 */
export function historyFrom(at: Date, timezone: string, historyMs: number): Date {
  return historyStart(at, timezone, Math.max(1, Math.ceil(historyMs / DAY_MS)));
}

/** The start of every window in [from, to), ms since the epoch. */
export function windowStarts(from: number, to: number): number[] {
  const starts: number[] = [];
  for (let start = from; start < to; start += WINDOW_MS) starts.push(start);
  return starts;
}
