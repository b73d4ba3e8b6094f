/*
 * An instant as a zone's wall clock, encoded as a UTC instant: what a chart's UTC time scale
 * reads as local hours whatever the zone of the machine (or browser) drawing it. No Node or DOM
 * here: the server's charts and the dashboard's browser code both use it.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timezone, format);
  }
  return format;
}

/** The zone's wall-clock reading of an instant, as milliseconds of a UTC instant. */
export function wallClockMs(instant: number | string | Date, timezone: string): number {
  const parts = wallClockFormat(timezone).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}
