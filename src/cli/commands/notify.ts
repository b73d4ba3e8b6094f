import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export interface NotifyTestFlags {
  readonly to?: string;
}

export function defineNotifyCommand(program: Command, run: CommandRunner): void {
  const notify = program.command('notify').description('check the destinations of reports and alerts');
  notify
    .command('test')
    .description('send a short test message, with a picture, to each destination and say what each answered')
    .option('--to <name>', 'only this destination (telegram, webhook, email; outbox when none is configured)')
    .addHelpText(
      'after',
      `
The test message is not recorded in the notifications journal and is never retried: it answers
"does this destination work now?". Exit 1 when a destination did not take it.`,
    )
    .action(run(() => import('../actions/notify-test.js')));
}
