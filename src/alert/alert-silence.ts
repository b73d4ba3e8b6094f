import { mutedBy } from '../silence/mute-timings.js';
import { covers, SilenceStore, type Silence } from '../silence/silences.js';
import { formatLocalTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Decision, MetricDecision } from './alert-decide.js';
import type { AlertSettings } from './alert-settings.js';
import type { NotificationKind } from './alert-state.js';

/** A metric's decision a silence or a mute timing kept quiet, and which. */
export interface Quieted {
  readonly decision: MetricDecision & { readonly kind: NotificationKind };
  readonly reason: string;
}

/**
 * Silences and mute timings in force at the run's time over its decisions: a start or a repeat they cover is not
 * notified (recorded as "silenced"; the state does not change, so when the silence ends while
 * the anomaly lasts, it notifies as a start); a resolution they cover is recorded without a
 * message, so the incident closes. The silences are read only when something is due.
 */
export async function applySilences(
  warehouse: Warehouse,
  settings: AlertSettings,
  run: Date,
  decisions: readonly Decision[],
): Promise<{ all: Decision[]; quiet: Quieted[] }> {
  const due = decisions.filter((d) => d.type === 'metric' && d.kind !== undefined);
  if (due.length === 0) return { all: [...decisions], quiet: [] };
  // What is in force when the run would notify: a silence added a minute ago covers the next run.
  const at = run.getTime();
  const silences = await new SilenceStore(warehouse, settings.tables).current(at);
  const quiet: Quieted[] = [];
  const all = decisions.map((decision): Decision => {
    if (decision.type !== 'metric' || decision.kind === undefined) return decision;
    const reason = quietReason(settings, silences, decision, at);
    if (reason === undefined) return decision;
    quiet.push({ decision: { ...decision, kind: decision.kind }, reason });
    return { ...decision, kind: undefined };
  });
  return { all, quiet };
}

function quietReason(
  settings: AlertSettings,
  silences: readonly Silence[],
  decision: MetricDecision,
  at: number,
): string | undefined {
  const { metric, slice } = decision.judgement;
  const silence = silences.find((s) => covers(s, metric, slice, at));
  if (silence) return `silence ${silence.id} until ${formatLocalTime(new Date(silence.endsAt), settings.timezone)}`;
  const timing = mutedBy(settings.muteTimings, metric, at, settings.timezone);
  if (timing) return `mute timing ${timing.days.join(',')} ${timing.from}–${timing.to}`;
  return undefined;
}
