import type { Clock } from '../schedule/clock.js';
import { floorToMinutes } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Sources } from '../sources/sources.js';
import { simulateAppend, type SimulationResult } from './simulate.js';

export interface LiveSimulationOptions {
  readonly warehouse: Warehouse;
  readonly tables: Sources;
  readonly clock: Clock;
  readonly onAppend?: (result: SimulationResult) => void;
  readonly onError?: (error: unknown) => void;
}

export interface LiveSimulation {
  /** Appends up to the last whole minute now (after the append under way, if any). */
  catchUp(): Promise<void>;
  /** Stops after the append under way, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * The simulator's live mode: at the start of every minute, append the events of the minute that
 * just ended, so the alert job always has a fresh window to look at.
 */
export function startLiveSimulation(options: LiveSimulationOptions): LiveSimulation {
  const stopping = new AbortController();
  const stopped = (): boolean => stopping.signal.aborted;
  // One append at a time: the minute's own and a job's catch-up never write the same minute twice.
  let appending = Promise.resolve();
  const append = () => {
    appending = appending.then(async () => {
      try {
        const result = await simulateAppend(options.warehouse, options.tables, {
          until: floorToMinutes(options.clock.now(), 1),
          anomalies: [],
        });
        if (result) options.onAppend?.(result);
      } catch (error) {
        options.onError?.(error);
      }
    });
    return appending;
  };
  const loop = async (): Promise<void> => {
    while (!stopped()) {
      await append();
      const now = options.clock.now().getTime();
      await options.clock.sleep(60_000 - (now % 60_000), stopping.signal);
    }
  };
  const running = loop();
  return {
    catchUp: append,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
