import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export function defineStatusCommand(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('check that the warehouse answers and list the source and vigil tables in it')
    .action(run(() => import('../actions/status.js')));
}
