import type { SourceName } from '../sources/sources.js';
import type { Judgement } from './alert-judge.js';
import {
  decideNoData,
  decideNotification,
  stateKey,
  type AlertState,
  type LastNotification,
  type NotificationKind,
} from './alert-state.js';

/** The subject under which a source's "no data" incidents are kept. */
export const NO_DATA = 'no_data';

/** A source's freshness at the evaluation time, as judged. */
export interface SourceStatus {
  readonly source: SourceName;
  /** Its newest event before the evaluation time, ms; undefined when none was seen. */
  readonly newest: number | undefined;
  /** No event for longer than alerts.noData. */
  readonly stale: boolean;
}

/** A judgement and what the state makes of it. */
export interface MetricDecision {
  readonly type: 'metric';
  readonly judgement: Judgement;
  /** The notification it calls for, if any. */
  readonly kind: NotificationKind | undefined;
  /** When the incident it belongs to started (for repeats and resolutions). */
  readonly started: Date | undefined;
}

/** A source's freshness and what the state makes of it. */
export interface SourceDecision {
  readonly type: 'source';
  readonly status: SourceStatus;
  readonly kind: NotificationKind | undefined;
  readonly started: Date | undefined;
}

export type Decision = MetricDecision | SourceDecision;

/**
 * Step 4 of a run (pure): the state's decision on every judgement of the evaluated window, and on
 * every source's freshness ("no data" when it starts, again every `repeatMs`, "data is back").
 * Held and not-arrived metrics decide nothing.
 */
export function decide(
  judgements: readonly Judgement[],
  sources: readonly SourceStatus[],
  state: AlertState,
  window: Date,
  repeatMs: number,
): Decision[] {
  const at = window.getTime();
  const started = (kind: NotificationKind | undefined, last: LastNotification | undefined) =>
    kind === undefined ? undefined : kind === 'started' ? window : last ? new Date(last.started) : undefined;
  const metrics = judgements.map((judgement): MetricDecision => {
    const last = state.get(stateKey(judgement.metric, judgement.slice));
    const kind =
      judgement.status === 'judged'
        ? decideNotification(last, judgement.verdict, at, repeatMs, judgement.gated)
        : undefined;
    return { type: 'metric', judgement, kind, started: started(kind, last) };
  });
  const freshness = sources.map((status): SourceDecision => {
    const last = state.get(stateKey(NO_DATA, status.source));
    const kind = decideNoData(last, status.stale, at, repeatMs);
    return { type: 'source', status, kind, started: started(kind, last) };
  });
  return [...freshness, ...metrics];
}

/** The state key a decision changes. */
export function decisionKey(decision: Decision): string {
  return decision.type === 'metric'
    ? stateKey(decision.judgement.metric, decision.judgement.slice)
    : stateKey(NO_DATA, decision.status.source);
}

/** The state after a decision, as the next run will read it from the journal. */
export function nextState(decision: Decision, window: Date): LastNotification | undefined {
  if (decision.kind === undefined) return undefined;
  return { kind: decision.kind, window: window.getTime(), started: (decision.started ?? window).getTime() };
}
