import type { Command } from 'commander';
import { ALERT_METRICS } from '../../metrics/metrics.js';
import type { CommandRunner } from '../cli-context.js';

export interface SeriesFlags {
  readonly metric: string;
  readonly slice?: string;
  readonly from?: string;
  readonly to?: string;
}

export function defineSeriesCommand(program: Command, run: CommandRunner): void {
  program
    .command('series')
    .description("print a metric's 15-minute windows as CSV, the input vigil backtest reads")
    .requiredOption('--metric <metric>', `one of ${ALERT_METRICS.join(', ')}`)
    .option('--slice <attribute=value>', 'one slice of users, e.g. os=iOS (default: the whole product)')
    .option('--from <time>', 'the first window (default: alerts.history before --to, from the start of a day)')
    .option('--to <time>', 'the end, exclusive (default: the end of the last complete window)')
    .addHelpText(
      'after',
      `
Counted from the source tables in one query; a window without events is 0, a CTR without views is
empty. Times are UTC.

  vigil series --metric views --slice os=iOS > views-ios.csv
  vigil backtest --input views-ios.csv --notify`,
    )
    .action(run(() => import('../actions/series.js')));
}
