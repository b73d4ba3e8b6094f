import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export function defineConfigCommand(program: Command, run: CommandRunner): void {
  program
    .command('config')
    .description('print the effective configuration (file, environment and defaults combined), secrets hidden')
    .addHelpText(
      'after',
      `
The configuration comes from --config FILE, else $VIGIL_CONFIG, else ./vigil.yaml if present,
else built-in defaults (embedded warehouse in ./.vigil/, the simulator's tables, outbox reports).
\${VAR} in the file is replaced from the environment; keep passwords and tokens there.`,
    )
    .action(run(() => import('../actions/config.js')));
}
