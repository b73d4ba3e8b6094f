import type { Claim, ClaimOutcome } from '../coordination/keeper-claims.js';
import type { Logger } from '../log/logger.js';
import { sleep } from '../time/sleep.js';
import type { NotificationJournal, PendingNotification } from './journal.js';
import { DeliveryError, notificationId, type Notification, type Notifier } from './notifier.js';

/** How long delivery may take. */
export interface DeliveryPolicy {
  /** One notification to one destination, retries and waits for 429s included; then it is kept. */
  readonly budgetMs: number;
  /** All of a run's deliveries; what is left is kept for the next run, so a run never delays the next one. */
  readonly deadlineMs: number;
}

/**
 * notify.routes: a notification about any of `metrics` (alert metrics, or `no_data`) or of one of
 * `kinds` (`alert`, `report`) goes to `to`. Unset match keys match everything.
 */
export interface Route {
  readonly metrics?: readonly string[] | undefined;
  readonly kinds?: readonly string[] | undefined;
  readonly to: readonly string[];
}

/** Where notifications go, and how long delivering may take. */
export interface Delivery {
  /** Every destination by name. */
  readonly destinations: ReadonlyMap<string, Notifier>;
  /** Which destinations take which notifications; none: every one takes everything. */
  readonly routes?: readonly Route[];
  readonly policy: DeliveryPolicy;
  readonly logger: Logger;
  /** The wall clock: deadlines and the journal's times. */
  readonly now: () => Date;
  /**
   * With replicas (serve.coordination: keeper): each send is claimed first, so no two processes
   * send one notification to one destination; without a claim nothing is sent.
   */
  readonly claims?: SendClaims;
}

/** The claims a send takes (KeeperClaims). */
export interface SendClaims {
  claim(key: string, again?: boolean): Promise<ClaimOutcome>;
  complete(claim: Claim): Promise<boolean>;
  release(claim: Claim): Promise<void>;
}

/**
 * The destinations of a notification of this kind about these subjects: those of every route that
 * matches it (a route matches when its kinds and its metrics, where given, include the
 * notification's), or every destination when no route matches.
 */
export function destinationsFor(delivery: Delivery, kind: string, subjects: readonly string[]): string[] {
  const all = [...delivery.destinations.keys()];
  const matching = (delivery.routes ?? []).filter(
    (route) =>
      (route.kinds === undefined || route.kinds.includes(kind)) &&
      (route.metrics === undefined || subjects.some((s) => route.metrics?.includes(s))),
  );
  if (matching.length === 0) return all;
  const chosen = new Set(matching.flatMap((route) => route.to));
  return all.filter((name) => chosen.has(name));
}

/** What became of one notification at one destination in this run. */
export interface DeliveryOutcome {
  readonly id: string;
  readonly destination: string;
  /**
   * Sent now; `false` with `error` when kept for the next run, `skipped` when its turn never came
   * before the deadline.
   */
  readonly sent: boolean;
  readonly error?: string;
  readonly skipped?: boolean;
  /** Another process sends it, or has: it is not this run's to send (nor a failure). */
  readonly elsewhere?: string;
  /** From an earlier run. */
  readonly earlier: boolean;
}

/**
 * Delivers a run's own notifications (already in the journal), then those earlier runs could not
 * deliver, oldest first, each to each of its destinations that has not taken it, within the
 * policy's budget per send and deadline per run. Every outcome goes to the journal; what fails
 * stays pending there.
 */
export async function dispatch(
  delivery: Delivery,
  journal: NotificationJournal,
  own: readonly PendingNotification[],
  /** The messages earlier runs left pending, when the caller has read them already. */
  earlier?: readonly { readonly message: string; readonly missing: readonly string[] }[],
  /** A person's resend (report --force): this run's own messages go out even if sent before. */
  options: { readonly resend?: boolean } = {},
): Promise<DeliveryOutcome[]> {
  const started = delivery.now().getTime();
  const left = () => delivery.policy.deadlineMs - (delivery.now().getTime() - started);
  const outcomes: DeliveryOutcome[] = [];
  const ownIds = new Set(own.map((p) => notificationId(p.notification)));

  const send = async ({ notification, destinations }: PendingNotification, earlier: boolean) => {
    const id = notificationId(notification);
    for (const destination of destinations) {
      const notifier = delivery.destinations.get(destination);
      if (!notifier) continue;
      if (left() <= 0) {
        outcomes.push({ id, destination, sent: false, skipped: true, earlier });
        continue;
      }
      const claimed = await claimSend(delivery, id, destination, left, (options.resend ?? false) && !earlier);
      if ('elsewhere' in claimed) {
        // Sent by another process that may have died before its journal said so: say it here.
        if (claimed.done) await journal.delivered(id, destination, {}, delivery.now());
        outcomes.push({ id, destination, sent: false, elsewhere: claimed.elsewhere, earlier });
        continue;
      }
      const error = await deliverOnce(notifier, notification, Math.min(delivery.policy.budgetMs, left()));
      if (claimed.claim) {
        // Recorded as done before the journal: a crash between them re-sends nothing.
        if (error === undefined) await delivery.claims?.complete(claimed.claim);
        else await delivery.claims?.release(claimed.claim);
      }
      await journal.delivered(id, destination, error === undefined ? {} : { error }, delivery.now());
      outcomes.push({ id, destination, sent: error === undefined, ...(error === undefined ? {} : { error }), earlier });
      if (error === undefined && earlier)
        delivery.logger.info(`delivered ${id} to ${destination}, kept from an earlier run`);
      if (error !== undefined) {
        const when = earlier ? 'still undelivered' : 'not delivered';
        delivery.logger.warn(
          `${id} ${when} to ${destination}: ${error}; it is kept and will be retried on the next run`,
        );
      }
    }
  };

  for (const pending of own) await send(pending, false);
  if (left() > 0) {
    const waiting = earlier ? await journal.payloads(earlier) : await journal.pending(100);
    for (const pending of waiting) {
      if (!ownIds.has(notificationId(pending.notification))) await send(pending, true);
    }
  }
  return outcomes;
}

/**
 * The claim to send a notification to a destination, when sends are claimed. Keeper's failure
 * throws: without a claim nothing is sent, and the message stays pending in the journal.
 */
async function claimSend(
  delivery: Delivery,
  id: string,
  destination: string,
  left: () => number,
  again: boolean,
): Promise<{ claim: Claim | undefined } | { elsewhere: string; done: boolean }> {
  if (!delivery.claims) return { claim: undefined };
  let outcome = await delivery.claims.claim(`send:${id}:${destination}`, again);
  // Held by a process that may have died mid-send: wait out its lease (within the run's deadline)
  // and take the send over, rather than leave it for the next run.
  while (outcome.kind === 'held' && outcome.expiresInMs > 0 && outcome.expiresInMs < left()) {
    await sleep(outcome.expiresInMs + 50, undefined);
    outcome = await delivery.claims.claim(`send:${id}:${destination}`);
  }
  if (outcome.kind === 'won') return { claim: outcome.claim };
  const done = outcome.kind === 'done';
  return { elsewhere: `${done ? 'sent' : 'being sent'} by ${outcome.holder}`, done };
}

/** One notification to one destination within a budget: undefined when delivered, else why not. */
export async function deliverOnce(
  notifier: Notifier,
  notification: Notification,
  budgetMs: number,
): Promise<string | undefined> {
  const signal = AbortSignal.timeout(Math.max(1, budgetMs));
  try {
    await notifier.send(notification, signal);
    return undefined;
  } catch (error) {
    if (error instanceof DeliveryError) return error.message;
    if (signal.aborted) return `gave up after ${Math.round(budgetMs / 1000)} s`;
    return error instanceof Error ? error.message : String(error);
  }
}
