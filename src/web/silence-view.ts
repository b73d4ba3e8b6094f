import type { Silence } from '../silence/silences.js';
import type { SilenceView } from './api-types.js';

export function silenceView(silence: Silence): SilenceView {
  return {
    id: silence.id,
    metric: silence.metric,
    slice: silence.slice,
    startsAt: new Date(silence.startsAt).toISOString(),
    endsAt: new Date(silence.endsAt).toISOString(),
    createdBy: silence.createdBy,
    comment: silence.comment,
  };
}

/** When the silence in force ends, as the pages show it; null when none is. */
export function silenceEnd(silence: Silence | undefined): string | null {
  return silence ? new Date(silence.endsAt).toISOString() : null;
}
