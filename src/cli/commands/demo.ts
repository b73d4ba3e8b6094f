import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export const DEMO_DAYS = 14;
export const DEMO_ETL_DAYS = 7;

export function defineDemoCommand(program: Command, run: CommandRunner): void {
  program
    .command('demo')
    .description('try vigil with no server: simulate the product into the embedded warehouse, then run the jobs on it')
    .addHelpText(
      'after',
      `
Simulates ${DEMO_DAYS} days of events up to now (with views dropping to 30 % in the last window),
computes the slice metrics of the last ${DEMO_ETL_DAYS} days, sends yesterday's report (to the outbox,
or Telegram if configured), checks the last 15-minute window for anomalies, and shows where
everything is.
Run it again at any time: it starts over with fresh data.`,
    )
    .action(run(() => import('../actions/demo.js')));
}
