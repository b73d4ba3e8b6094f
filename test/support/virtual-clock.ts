import type { Clock } from '../../src/schedule/clock.js';

/**
 * A clock whose time moves only when every sleeper is waiting: `advanceTo` wakes sleepers in
 * time order, letting each woken task run until it sleeps again. Days pass in milliseconds.
 */
export class VirtualClock implements Clock {
  private time: number;
  private timers: { at: number; wake: () => void }[] = [];

  constructor(start: Date) {
    this.time = start.getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const aborted = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      // Woken in time, it lets go of the signal: a long-lived one would gather a listener a sleep.
      const timer = {
        at: this.time + Math.max(0, ms),
        wake: () => {
          signal.removeEventListener('abort', aborted);
          resolve();
        },
      };
      this.timers.push(timer);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Moves time forward to `end`, waking every sleeper due on the way, in order. */
  async advanceTo(end: Date): Promise<void> {
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end.getTime()) break;
      this.timers.shift();
      this.time = next.at;
      next.wake();
    }
    this.time = end.getTime();
  }
}

/** Lets pending promise chains (and I/O callbacks already due) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
