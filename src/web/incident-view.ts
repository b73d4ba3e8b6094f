import type { LastNotification } from '../alert/alert-state.js';
import type { Locale } from '../metrics/locale.js';
import { metricName, METRICS, type AlertMetric } from '../metrics/metrics.js';
import type { IncidentView } from './api-types.js';

/** An open incident as the pages show it, with the last window's value and band. */
export function incidentView(
  metric: AlertMetric,
  slice: string,
  last: LastNotification,
  latest: { value: number | null; low: number | null; up: number | null } | undefined,
  silencedUntil: string | null,
  locale: Locale,
): IncidentView {
  return {
    metric,
    slice,
    name: metricName(metric, locale),
    kind: METRICS[metric].kind,
    since: new Date(last.started).toISOString(),
    lastWindow: new Date(last.window).toISOString(),
    acknowledged: last.acknowledged === true,
    silencedUntil,
    value: latest?.value ?? null,
    low: latest?.low ?? null,
    up: latest?.up ?? null,
  };
}
