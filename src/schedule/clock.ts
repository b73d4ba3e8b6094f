import { sleep } from '../time/sleep.js';

/** Time as the scheduler sees it; tests pass a virtual clock that runs days in milliseconds. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms` (any length), or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** setTimeout takes any delay above 2³¹−1 ms as 1 ms; longer waits are slept in chunks below it. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
const CHUNK_MS = 24 * 3_600_000;

export const systemClock: Clock = {
  now: () => new Date(),
  async sleep(ms, signal) {
    const until = Date.now() + Math.max(0, ms);
    for (let left = until - Date.now(); left > 0 && !signal.aborted; left = until - Date.now()) {
      await sleep(Math.min(left, CHUNK_MS, LONGEST_TIMER_MS), signal);
    }
  },
};
