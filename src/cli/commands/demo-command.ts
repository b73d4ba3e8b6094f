import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';
import { printStatus } from './status-command.js';

export function registerDemoCommand(program: Command, run: CommandRunner): void {
  program
    .command('demo')
    .description('try vigil with no server: simulated product data in an embedded warehouse, then every job')
    .action(run((ctx) => printStatus(ctx)));
}
