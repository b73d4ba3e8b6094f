import { wallClockMs } from '../../time/wall-clock.js';
import type { MetricKindName } from '../api-types.js';

/** `2024-03-06 17:00` in the zone; `17:00` alone when `timeOnly`. */
export function formatTime(iso: string | number, timezone: string, timeOnly = false): string {
  const text = new Date(wallClockMs(iso, timezone)).toISOString();
  return timeOnly ? text.slice(11, 16) : `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

/** A value as people read it: a ratio in percent, a count whole with grouping; a dash when unknown. */
export function formatValue(kind: MetricKindName, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (kind === 'ratio') return `${(100 * value).toFixed(1)} %`;
  return Math.round(value).toLocaleString('en-US');
}

export function formatBand(kind: MetricKindName, low: number | null, up: number | null): string {
  return low === null || up === null ? 'no band yet' : `${formatValue(kind, low)} – ${formatValue(kind, up)}`;
}

/**
 * How far outside its band a value is, as people say it: "+42 % above", "−100 % below" (a ratio in
 * percentage points); '' inside the band.
 */
export function distanceFromBand(kind: MetricKindName, value: number | null, low: number | null, up: number | null) {
  if (value === null || low === null || up === null || (value >= low && value <= up)) return '';
  const edge = value > up ? up : low;
  const side = value > up ? 'above' : 'below';
  if (kind === 'ratio') return `${(100 * Math.abs(value - edge)).toFixed(1)} pp ${side} the band`;
  if (edge === 0) return `${side} the band`;
  return `${Math.round((100 * Math.abs(value - edge)) / Math.abs(edge))} % ${side} the band`;
}

/** A time of today as `17:15` alone, of another day with its date. */
export function formatNear(iso: string, timezone: string, now: string): string {
  const full = formatTime(iso, timezone);
  return full.slice(0, 10) === formatTime(now, timezone).slice(0, 10) ? full.slice(11) : full;
}

/** A run's logical time: a day as it is, an instant (the alert's) on the zone's clock. */
export function formatLogical(logical: string, timezone: string): string {
  return /^\d{4}-\d\d-\d\dT/.test(logical) ? formatTime(logical, timezone) : logical;
}

/** "just now", "3 min ago", "2 h ago", "4 d ago". */
export function ago(iso: string, now: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 60_000));
  if (minutes === 0) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} d ago`;
}

/** The metric page of a metric (and slice), centred on an alert's window when given. */
export function metricHref(metric: string, slice: string, window?: string): string {
  const params = new URLSearchParams();
  if (slice !== '') params.set('slice', slice);
  // A window's alert is evaluated at its end, as the notification's link says.
  if (window !== undefined) params.set('at', new Date(Date.parse(window) + 15 * 60_000).toISOString());
  const search = params.toString();
  return `/metric/${encodeURIComponent(metric)}${search === '' ? '' : `?${search}`}`;
}

export function subjectName(name: string, slice: string): string {
  return slice === '' ? name : `${name}, ${slice.replace('=', ' ')}`;
}

/** A silence's subject: "views, os iOS", "every metric". */
export function silenceSubject(silence: { metric: string; slice: string }): string {
  return subjectName(silence.metric === '' ? 'every metric' : silence.metric, silence.slice);
}
