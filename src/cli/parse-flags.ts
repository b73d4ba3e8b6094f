import { UsageError } from '../errors/vigil-error.js';
import { parseSlice, USER_ATTRIBUTES, type UserAttribute } from '../sources/sources.js';
import { parseIsoDate, parseIsoTime, type IsoDate } from '../time/time.js';

/** A whole number within bounds, or a UsageError naming the flag. */
export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} ` +
        `(got ${JSON.stringify(text)})`,
    );
  }
  return value;
}

/** A `YYYY-MM-DD` calendar day, or a UsageError naming the flag. */
export function dateFlag(flag: string, text: string): IsoDate {
  const day = parseIsoDate(text);
  if (day === undefined) throw new UsageError(`${flag} must be a date YYYY-MM-DD (got ${JSON.stringify(text)})`);
  return day;
}

/** The times vigil takes: from 2000 to 2100. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** An ISO 8601 time (without an offset: in the configured time zone), or a UsageError naming the flag. */
export function timeFlag(flag: string, text: string, timezone: string): Date {
  const instant = parseIsoTime(text, timezone);
  if (instant !== undefined && (instant.getTime() < EARLIEST || instant.getTime() >= LATEST)) {
    throw new UsageError(`${flag} must be a time from the year 2000 to 2099 (got ${JSON.stringify(text)})`);
  }
  if (instant === undefined) {
    throw new UsageError(
      `${flag} must be an ISO time such as 2024-03-04T12:00:00Z, or 2024-03-04T15:00 in ${timezone} ` +
        `(got ${JSON.stringify(text)})`,
    );
  }
  return instant;
}

/** Commander's collector for repeatable flags. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A slice of users, `attribute=value`, or a UsageError naming the flag. */
export function sliceFlag(text: string, flag = '--slice'): { attribute: UserAttribute; value: string } {
  const slice = parseSlice(text);
  if (slice === undefined) {
    throw new UsageError(
      `${flag} must be attribute=value with an attribute of ${USER_ATTRIBUTES.join(', ')} ` +
        `(got ${JSON.stringify(text)})`,
    );
  }
  return slice;
}
