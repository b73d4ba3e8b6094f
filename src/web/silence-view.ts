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
