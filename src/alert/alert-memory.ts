import type { AlertState, LastNotification } from './alert-state.js';
import { WindowMemory } from './window-memory.js';

/**
 * What a long-running process (`vigil serve`) remembers between alert runs: the windows it
 * counted, and the alert state as it last read or changed it. While no anomaly is open in that
 * state, a run need not read the state again unless a metric alerts (a notification sent
 * meanwhile by another process is then seen before anything is decided).
 */
export class AlertMemory {
  readonly windows = new WindowMemory();
  #state: Map<string, LastNotification> | undefined;

  /** The remembered state if no anomaly is open in it; else undefined (read it). */
  quietState(): AlertState | undefined {
    if (!this.#state) return undefined;
    for (const last of this.#state.values()) if (last.kind !== 'resolved') return undefined;
    return this.#state;
  }

  /** The state as read, then each notification as decided. */
  rememberState(state: AlertState): void {
    this.#state = new Map(state);
  }

  noteNotification(key: string, last: LastNotification): void {
    this.#state?.set(key, last);
  }

  clear(): void {
    this.windows.clear();
    this.#state = undefined;
  }
}
