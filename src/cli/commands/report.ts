import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export interface ReportFlags {
  readonly date?: string;
  readonly dryRun?: boolean;
}

export function defineReportCommand(program: Command, run: CommandRunner): void {
  program
    .command('report')
    .description("send the daily report: a day's feed, messenger and app metrics with their changes, and a 7-day chart")
    .option('--date <day>', 'the day to report, YYYY-MM-DD (default: yesterday in the configured timezone)')
    .option('--dry-run', 'write the report to the outbox folder instead of sending it, whatever the config says')
    .addHelpText(
      'after',
      `
Goes to Telegram when notify.telegram is configured, else to the outbox folder (notify.outbox.path)
as report-<day>.txt, .png and .json. A report Telegram does not take is kept in
<outbox>/undelivered/ and sent on the next run. report.locale chooses en or ru.`,
    )
    .action(run(() => import('../actions/report.js')));
}
