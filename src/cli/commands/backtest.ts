import type { Command } from 'commander';
import { DEFAULT_DETECTOR, DETECTOR_NAMES, IQR_DEFAULTS, SEASONAL_DEFAULTS } from '../../detect/detectors.js';
import type { CommandRunner } from '../cli-context.js';

export interface BacktestFlags {
  readonly input: string;
  readonly detector: string;
  readonly a?: string;
  readonly n?: string;
  readonly z?: string;
  readonly minChange?: string;
  readonly kind: string;
  readonly notify?: boolean;
  readonly pending: string;
  readonly repeat: string;
  readonly labels?: string;
  readonly json?: boolean;
}

export function defineBacktestCommand(program: Command, run: CommandRunner): void {
  program
    .command('backtest')
    .description('run an alert detector over a CSV series, judging each point from its own past only')
    .requiredOption(
      '--input <file>',
      'CSV with a header "time,value" (vigil series writes one); an empty value is undefined (a CTR without views)',
    )
    .option('--detector <name>', `the detector: ${DETECTOR_NAMES.join(' or ')}`, DEFAULT_DETECTOR)
    .option('--a <number>', `iqr: band width in interquartile ranges (default ${IQR_DEFAULTS.a})`)
    .option('--n <number>', `iqr: points behind each quartile, and the smoothing window (default ${IQR_DEFAULTS.n})`)
    .option('--z <number>', `seasonal: noise deviations that make an anomaly (default ${SEASONAL_DEFAULTS.z})`)
    .option(
      '--min-change <fraction>',
      `the least relative change worth an alert (seasonal, default ${SEASONAL_DEFAULTS.minChange}; ` +
        `iqr's noise gate, default ${IQR_DEFAULTS.minChange})`,
    )
    .option('--kind <kind>', 'count, ratio, or auto: count when every value is a whole number ≥ 0', 'auto')
    .option('--notify', 'also apply what the live alert applies after the detector, and say what it would notify')
    .option('--repeat <duration>', 'with --notify: how often an ongoing anomaly is notified again', '1h')
    .option('--pending <windows>', 'with --notify: consecutive anomalous windows before a start (a zero: at once)', '1')
    .option(
      '--labels <file>',
      'JSON list of {"start","end"} ISO times of known anomalies: print precision, recall and F1',
    )
    .option(
      '--json',
      'one JSON object per line: {"time","value","low","up","alert"}, with --notify also "notify" and "notification"',
    )
    .addHelpText(
      'after',
      `
Point i gets exactly the verdict and band the detector would have given live at i from the points
up to i. Times are ISO 8601 (without an offset: in the configured timezone), increase, and sit on
one regular step (a missing row is a window without a value); a day of steps is the seasonal
detector's period. With --notify, every point is judged as the live alert judged it (iqr's noise
gate, the open and past incidents, alerts.metrics.<metric>.pendingWindows as --pending), so
"low", "up" and "alert" are the live alert's; "notify" is true where it would have sent a
"started" or a repeat, and "notification" names it (also "resolved"). Without --notify, each
point is the detector's alone, which knows no incident: after an outage it follows the zeros
within the hour.

  vigil series --metric views > views.csv
  vigil backtest --input views.csv --detector seasonal --notify --json`,
    )
    .action(run(() => import('../actions/backtest.js')));
}
