import { Option, type Command } from 'commander';
import { DEFAULT_POPULATION } from '../../simulate/population.js';
import type { CommandRunner } from '../cli-context.js';
import { collect } from '../parse-flags.js';

export interface SimulateFlags {
  readonly days: string;
  readonly until?: string;
  readonly users?: string;
  readonly eventsPerDay?: string;
  readonly seed?: string;
  readonly append?: boolean;
  readonly anomaly?: string[];
  readonly live?: boolean;
  readonly dryRun?: boolean;
}

export function defineSimulateCommand(program: Command, run: CommandRunner): void {
  const n = (value: number) => value.toLocaleString('en-US');
  program
    .command('simulate')
    .description("generate the product's feed and messenger events into the source tables (embedded or server)")
    .option('--days <n>', 'days of history, ending with the day of --until', '14')
    .option('--until <time>', 'generate events up to this ISO time (default: now)')
    .option('--users <n>', `users in the product (default ${n(DEFAULT_POPULATION.users)})`)
    .option('--events-per-day <n>', `feed events on an average day (default ${n(DEFAULT_POPULATION.eventsPerDay)})`)
    .option('--seed <n>', `random seed; the same options give the same events (default ${DEFAULT_POPULATION.seed})`)
    .option(
      '--append',
      'continue the existing simulation up to --until, with its own users and seed, without duplicating anything',
    )
    .addOption(
      new Option('--anomaly <spec>', 'distort a metric over a time range (repeatable); see below').argParser(collect),
    )
    .option('--live', 'after generating, keep appending each elapsed minute until stopped (Ctrl-C)')
    .option('--dry-run', 'say what would be generated and replaced; write nothing')
    .addHelpText(
      'after',
      `
--anomaly takes comma-separated key=value pairs:
  metric=views|likes|feed|messages   what to distort
  factor=F                           0 = outage, 0.3 = drop to 30 %, 5 = five times as many
  from=TIME[,to=TIME] | last=DUR     when: ISO times, or the last 45m / 2h before --until
  os=iOS (or gender, age, country, city, source, exp_group)   only these users
Examples:
  vigil simulate --days 7 --anomaly metric=views,factor=0.3,last=2h
  vigil simulate --anomaly metric=messages,factor=0,from=2024-03-04T12:00,to=2024-03-04T13:00
  vigil simulate --append --anomaly metric=likes,factor=5,last=30m,os=iOS

Without --append the source tables are replaced, but only tables that vigil simulate made; the
ETL's look-back digests and the alert state of the old events are discarded with them.`,
    )
    .action(run(() => import('../actions/simulate.js')));
}
