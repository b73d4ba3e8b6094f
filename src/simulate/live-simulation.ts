import { floorToMinutes } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { simulateAppend, type SimulationResult, type SimulatorTables } from './simulate.js';

export interface LiveSimulationOptions {
  readonly warehouse: Warehouse;
  readonly tables: SimulatorTables;
  readonly now: () => Date;
  readonly onAppend?: (result: SimulationResult) => void;
  readonly onError?: (error: unknown) => void;
}

export interface LiveSimulation {
  /** Stops after the append under way, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * The simulator's live mode: at the start of every minute, append the events of the minute that
 * just ended, so the alert job always has a fresh window to look at.
 */
export function startLiveSimulation(options: LiveSimulationOptions): LiveSimulation {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      const result = await simulateAppend(options.warehouse, options.tables, { until: floorToMinutes(options.now(), 1), anomalies: [] });
      if (result) options.onAppend?.(result);
    } catch (error) {
      options.onError?.(error);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    const delay = 60_000 - (options.now().getTime() % 60_000) + 50;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, delay);
  };
  running = tick().finally(schedule);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
