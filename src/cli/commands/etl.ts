import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export interface EtlFlags {
  readonly date?: string;
  readonly from?: string;
  readonly to?: string;
  readonly missing?: boolean;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

export function defineEtlCommand(program: Command, run: CommandRunner): void {
  program
    .command('etl')
    .description('compute the daily slice metrics (os, gender, age, …) of a day into the target table')
    .option('--date <day>', 'the day to compute, YYYY-MM-DD (default: yesterday in the configured timezone)')
    .option('--from <day>', 'first day of a range to backfill, one day at a time')
    .option('--to <day>', 'last day of the range (default: yesterday)')
    .option('--missing', 'only the days absent from the target (within --from/--to; default: the days with events)')
    .option('--force', 'replace a day even if its new totals fall by more than etl.maxShrink')
    .option('--dry-run', 'say which days would be computed and what the sources hold for them; write nothing')
    .addHelpText(
      'after',
      `
Each day is computed inside ClickHouse and replaces the day's rows atomically: re-running a day
never doubles it, and a run that fails or is killed leaves the day as it was. Only complete days
are computed. A day whose sources have no events is left as it was (skipped), and a published day
whose new totals would fall by more than etl.maxShrink (50 %) is refused unless --force: raw
events that expired must not empty the target. Exit 1 if a day failed or every day was skipped.
Examples:
  vigil etl                                   # yesterday
  vigil etl --date 2024-03-04
  vigil etl --from 2024-03-01 --to 2024-03-07
  vigil etl --missing`,
    )
    .action(run(() => import('../actions/etl.js')));
}
