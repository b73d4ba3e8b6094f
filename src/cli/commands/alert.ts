import type { Command } from 'commander';
import { DEFAULT_DETECTOR } from '../../detect/detectors.js';
import type { CommandRunner } from '../cli-context.js';

export interface AlertFlags {
  readonly at?: string;
  readonly dryRun?: boolean;
}

export function defineAlertCommand(program: Command, run: CommandRunner): void {
  program
    .command('alert')
    .description('check the last complete 15-minute window of every metric against its recent history')
    .option('--at <time>', 'evaluate as of this ISO time (default: now)')
    .option('--dry-run', 'judge and print what would be notified; send nothing and record nothing')
    .addHelpText(
      'after',
      `
Metrics: feed users, active posts, views, likes, CTR; messenger senders and messages. Each is judged
by its detector (alerts.metrics.<metric>.detector, default ${DEFAULT_DETECTOR}: the same time of day on
earlier days and weeks) over alerts.history of windows (default 28 days). An anomaly notifies when
it starts, again every alerts.repeat (default 1h) while it lasts, and once more when it is resolved.
Every evaluation and notification is recorded in <database>.alert_evaluations and
<database>.alert_notifications; vigil backtest replays a series with the same rules.`,
    )
    .action(run(() => import('../actions/alert.js')));
}
