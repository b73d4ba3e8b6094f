import type { Command } from 'commander';
import { IQR_DEFAULTS } from '../../metrics/metrics.js';
import type { CommandRunner } from '../cli-context.js';

export interface BacktestFlags {
  readonly input: string;
  readonly detector: string;
  readonly a: string;
  readonly n: string;
  readonly json?: boolean;
}

export function defineBacktestCommand(program: Command, run: CommandRunner): void {
  program
    .command('backtest')
    .description('run the alert detector over a CSV series, judging each point from its own past only')
    .requiredOption(
      '--input <file>',
      'CSV with a header "time,value"; an empty value is undefined (e.g. a CTR without views)',
    )
    .option('--detector <name>', 'the detector', 'iqr')
    .option('--a <number>', 'band width in interquartile ranges', String(IQR_DEFAULTS.a))
    .option('--n <number>', 'points of history behind each quartile, and the smoothing window', String(IQR_DEFAULTS.n))
    .option('--json', 'print one JSON object per line: {"time","value","low","up","alert"}')
    .addHelpText(
      'after',
      `
Point i gets exactly the decision and band the live alert would have given at i from the points up
to i. Times are ISO 8601 (without an offset: in the configured timezone) and must increase.`,
    )
    .action(run(() => import('../actions/backtest.js')));
}
