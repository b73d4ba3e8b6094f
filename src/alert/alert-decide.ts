import type { Judgement } from './alert-judge.js';
import {
  decideNotification,
  stateKey,
  type AlertState,
  type LastNotification,
  type NotificationKind,
} from './alert-state.js';

/** A judgement and what the state makes of it. */
export interface Decision {
  readonly judgement: Judgement;
  /** The notification it calls for, if any. */
  readonly kind: NotificationKind | undefined;
  /** When the anomaly it belongs to started (for repeats and resolutions). */
  readonly started: Date | undefined;
}

/** Step 4 of a run (pure): the state's decision on every judgement of the evaluated window. */
export function decide(
  judgements: readonly Judgement[],
  state: AlertState,
  window: Date,
  repeatMs: number,
): Decision[] {
  return judgements.map((judgement) => {
    const last = state.get(stateKey(judgement.metric, judgement.slice));
    const kind = decideNotification(last, judgement.verdict, window.getTime(), repeatMs);
    const started =
      kind === undefined ? undefined : kind === 'started' ? window : last ? new Date(last.started) : undefined;
    return { judgement, kind, started };
  });
}

/** The state after a decision, as the next run will read it from the notifications. */
export function nextState(decision: Decision, window: Date): LastNotification | undefined {
  if (decision.kind === undefined) return undefined;
  return { kind: decision.kind, window: window.getTime(), started: (decision.started ?? window).getTime() };
}
