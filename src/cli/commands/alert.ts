import type { Command } from 'commander';
import { IQR_DEFAULTS } from '../../metrics/metrics.js';
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
    .option('--dry-run', 'write notifications to the outbox instead of sending them, whatever the config says')
    .addHelpText(
      'after',
      `
Metrics: feed users, active posts, views, likes, CTR; messenger senders and messages. Each is judged
by the iqr detector (alerts.metrics.<metric>.a / .n, default ${IQR_DEFAULTS.a} and ${IQR_DEFAULTS.n})
over every window since the start of the day before, empty windows counting as 0. An anomaly
notifies when it starts, again every alerts.repeat (default 1h) while it lasts, and once more when
it is resolved. Every
evaluation and notification is recorded in <database>.alert_evaluations / alert_notifications.`,
    )
    .action(run(() => import('../actions/alert.js')));
}
