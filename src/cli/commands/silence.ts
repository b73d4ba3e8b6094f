import type { Command } from 'commander';
import { ALERT_METRICS } from '../../metrics/metrics.js';
import type { CommandRunner } from '../cli-context.js';

export interface SilenceFlags {
  readonly metric?: string;
  readonly slice?: string;
  readonly for?: string;
  readonly until?: string;
  readonly comment?: string;
  readonly by?: string;
  readonly json?: boolean;
}

export function defineSilenceCommand(program: Command, run: CommandRunner): void {
  const silence = program
    .command('silence')
    .description("keep a metric's alerts quiet for a while: judged and recorded, not notified")
    .addHelpText(
      'after',
      `
Silences live in the warehouse (<database>.silences), so every vigil process sees them. When a
silence ends while the anomaly lasts, it is notified as a start. Recurring quiet times go in the
config: alerts.muteTimings: [{ days: [mon, tue, wed, thu, fri], from: "02:00", to: "03:00" }].

  vigil silence add --metric views --for 2h --comment "migration"
  vigil silence add --metric all --slice os=iOS --until 2024-03-05T09:00
  vigil silence list
  vigil silence remove s-1a2b3c4d`,
    );
  silence
    .command('add')
    .description('silence a metric (or all) of a slice (or every slice), from now')
    .requiredOption('--metric <metric>', `one of ${ALERT_METRICS.join(', ')}, or all`)
    .option('--slice <attribute=value>', 'only this slice, e.g. os=iOS (default: the whole product and every slice)')
    .option('--for <duration>', 'for this long, e.g. 2h or 30m')
    .option('--until <time>', 'until this time (ISO; without an offset, in the configured timezone)')
    .option('--comment <text>', 'why, for whoever looks later')
    .option('--by <name>', 'who (default: the user running vigil)')
    .action(run(() => import('../actions/silence-add.js')));
  silence
    .command('list')
    .description('the silences in force and to come')
    .option('--json', 'one JSON object per line')
    .action(run(() => import('../actions/silence-list.js')));
  silence
    .command('remove')
    .description('end a silence now')
    .argument('<id>', 'the silence, as vigil silence list shows it')
    .option('--by <name>', 'who (default: the user running vigil)')
    .action(run(() => import('../actions/silence-remove.js')));
}
