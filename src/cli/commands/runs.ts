import type { Command } from 'commander';
import { JOBS } from '../../schedule/jobs.js';
import type { CommandRunner } from '../cli-context.js';

export interface RunsFlags {
  readonly job?: string;
  readonly limit: string;
  readonly json?: boolean;
}

export function defineRunsCommand(program: Command, run: CommandRunner): void {
  program
    .command('runs')
    .description("print the run ledger: every attempt of the service's scheduled runs, newest first")
    .option('--job <job>', `only this job (${JOBS.join(', ')})`)
    .option('--limit <n>', 'at most this many attempts', '20')
    .option('--json', 'one JSON object per line')
    .action(run(() => import('../actions/runs.js')));
}
