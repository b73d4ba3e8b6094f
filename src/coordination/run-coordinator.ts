import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../log/logger.js';
import { sleep } from '../time/sleep.js';
import type { Claim, ClaimOutcome } from './keeper-claims.js';

/** What a coordinator needs of the claims (KeeperClaims). */
export interface RunClaims {
  readonly holder: string;
  readonly leaseMs: number;
  claim(key: string, again?: boolean): Promise<ClaimOutcome>;
  renew(claim: Claim): Promise<boolean>;
  complete(claim: Claim): Promise<boolean>;
  release(claim: Claim): Promise<void>;
  holds(claim: Claim): Promise<boolean>;
}

/** The claimed run the current code runs in, if any: what a send checks before it is made. */
const currentRun = new AsyncLocalStorage<{ claims: RunClaims; claim: Claim }>();

/**
 * Whether the run this code is part of is still this process's: false once its lease ran out
 * and another process took it over (after this one was frozen, say). Outside a claimed run: true.
 */
export async function runStillOurs(): Promise<boolean> {
  const run = currentRun.getStore();
  return run === undefined || run.claims.holds(run.claim);
}

export type CoordinatedRun<T> =
  { readonly ran: true; readonly value: T } | { readonly ran: false; readonly why: string };

export interface RunOptions {
  /**
   * A scheduled run waits while another process holds the run, and takes it over if that
   * process dies (its lease expires); a one-off run does not wait.
   */
  readonly wait: boolean;
  /** A person's re-run: finished work is done again. */
  readonly again?: boolean;
  /** A role rather than a run (polling Telegram): released when it ends, for another to take. */
  readonly release?: boolean;
  readonly signal?: AbortSignal;
}

/** Runs each (job, logical time) once across processes. */
export interface RunCoordinator {
  run<T>(key: string, work: () => Promise<T>, options: RunOptions): Promise<CoordinatedRun<T>>;
}

/** Without coordination: every run is this process's. */
export const uncoordinated: RunCoordinator = {
  async run(_key, work) {
    return { ran: true, value: await work() };
  },
};

/**
 * Through claims: the process that claims a run's key runs it, renewing its lease a third of the
 * way through each; the others see it done, or wait while it is held and take it over when the
 * lease runs out (the holder died). A failed run is released at once for a retry anywhere.
 */
export function claimedRuns(claims: RunClaims, logger: Logger): RunCoordinator {
  return {
    async run(key, work, options) {
      for (;;) {
        if (options.signal?.aborted) return { ran: false, why: 'stopping' };
        const outcome = await claims.claim(key, options.again);
        if (outcome.kind === 'done') return { ran: false, why: `done by ${outcome.holder}` };
        if (outcome.kind === 'held') {
          if (!options.wait) return { ran: false, why: `in progress on ${outcome.holder}` };
          // Look again when the lease could have run out (sooner, to follow a renewal).
          await sleep(Math.min(outcome.expiresInMs + 50, claims.leaseMs / 2), options.signal);
          continue;
        }
        if (outcome.tookOver) logger.warn(`${key}: taken over (its holder's lease ran out)`);
        return { ran: true, value: await holding(claims, outcome.claim, work, logger, options.release ?? false) };
      }
    },
  };
}

async function holding<T>(
  claims: RunClaims,
  claim: Claim,
  work: () => Promise<T>,
  logger: Logger,
  release: boolean,
): Promise<T> {
  let renewing: Promise<void> | undefined;
  const timer = setInterval(() => {
    // One renewal at a time: a slow one is not overtaken by the next.
    if (renewing) return;
    renewing = claims
      .renew(claim)
      .then((held) => {
        if (!held) logger.warn(`${claim.key}: lost its claim (the lease ran out); another process may run it`);
      })
      .catch((error: unknown) => logger.warn(`${claim.key}: could not renew its claim: ${String(error)}`))
      .finally(() => (renewing = undefined));
  }, claims.leaseMs / 3);
  try {
    const value = await currentRun.run({ claims, claim }, work);
    clearInterval(timer);
    await renewing;
    if (release) await claims.release(claim);
    else if (!(await claims.complete(claim))) logger.warn(`${claim.key}: finished after another process took it over`);
    return value;
  } catch (error) {
    clearInterval(timer);
    await renewing;
    await claims.release(claim).catch(() => undefined);
    throw error;
  }
}
