import { DateTime } from 'luxon';

/** A calendar date `YYYY-MM-DD`, as the SPEC writes days. */
export type IsoDate = string;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses `YYYY-MM-DD` strictly (a real calendar day); undefined otherwise. */
export function parseIsoDate(text: string): IsoDate | undefined {
  if (!ISO_DATE.test(text)) return undefined;
  return DateTime.fromISO(text, { zone: 'UTC' }).isValid ? text : undefined;
}

/**
 * Parses an ISO 8601 time. Without an offset it is a wall-clock time in `timezone` (SPEC §6);
 * a wall-clock time that does not exist (skipped by a DST change) is rejected.
 */
export function parseIsoTime(text: string, timezone: string): Date | undefined {
  if (!ISO_TIME.test(text)) return undefined;
  const parsed = DateTime.fromISO(text.replace(' ', 'T'), { zone: timezone, setZone: true });
  if (!parsed.isValid) return undefined;
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  if (!hasOffset) {
    const wall = text.replace(' ', 'T').slice(0, 16);
    if (parsed.setZone(timezone).toISO()?.slice(0, 16) !== wall) return undefined;
  }
  return parsed.toJSDate();
}

/** The calendar day of an instant in a time zone. */
export function dayOf(instant: Date, timezone: string): IsoDate {
  return DateTime.fromJSDate(instant, { zone: timezone }).toISODate() ?? '';
}

/** The instant a calendar day starts in a time zone. */
export function startOfDay(day: IsoDate, timezone: string): Date {
  return DateTime.fromISO(day, { zone: timezone }).startOf('day').toJSDate();
}

/** `day` moved by a number of calendar days. */
export function addDays(day: IsoDate, days: number): IsoDate {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate() ?? '';
}

/** Calendar days from `from` to `to` inclusive (empty if `to` is before `from`). */
export function daysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The SPEC's default logical date of the daily jobs: the day before the run's day. */
export function yesterday(now: Date, timezone: string): IsoDate {
  return addDays(dayOf(now, timezone), -1);
}

/** `YYYY-MM-DD hh:mm:ss` in UTC: how instants are bound to `{name:DateTime('UTC')}` parameters. */
/** `YYYY-MM-DD hh:mm:ss.sss`, UTC, for a DateTime64(3) column. */
export function toSqlDateTime64(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}

export function toSqlDateTime(instant: Date): string {
  return instant.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses `YYYY-MM-DD hh:mm:ss` as returned by ClickHouse for a `DateTime('UTC')` column. */
export function fromSqlDateTime(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** An instant as a readable wall-clock time in a zone, e.g. `2024-03-04 15:00 MSK`. */
export function formatLocalTime(instant: Date, timezone: string): string {
  return DateTime.fromJSDate(instant, { zone: timezone }).toFormat('yyyy-LL-dd HH:mm ZZZZ');
}

/** Rounds an instant down to a whole number of minutes. */
export function floorToMinutes(instant: Date, minutes: number): Date {
  const step = minutes * 60_000;
  return new Date(Math.floor(instant.getTime() / step) * step);
}

/**
 * Whether an instant's wall-clock time in a zone happens twice that day (the hour repeated when
 * clocks go back), so that the wall time alone does not say which instant it is.
 */
export function isRepeatedWallTime(instant: Date, timezone: string): boolean {
  const wall = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toFormat('yyyy-LL-dd HH:mm');
  const here = wall(instant.getTime());
  return [-3_600_000, 3_600_000].some((shift) => wall(instant.getTime() + shift) === here);
}

/** The zone's offset from UTC at an instant, e.g. `UTC−05:00`. */
export function utcOffset(instant: Date, timezone: string): string {
  return `UTC${DateTime.fromJSDate(instant, { zone: timezone }).toFormat('ZZ').replace('-', '−')}`;
}
