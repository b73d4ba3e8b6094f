import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export interface ReportFlags {
  readonly date?: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

export function defineReportCommand(program: Command, run: CommandRunner): void {
  program
    .command('report')
    .description("send the daily report: a day's feed, messenger and app metrics with their changes, and a 7-day chart")
    .option('--date <day>', 'the day to report, YYYY-MM-DD (default: yesterday in the configured timezone)')
    .option('--dry-run', 'print the report (and save its picture to a temporary folder); record and send nothing')
    .option('--force', 'send it again to destinations that already have this day')
    .addHelpText(
      'after',
      `
Goes to Telegram when notify.telegram is configured, else to the outbox folder (notify.outbox.path)
as report-<day>.txt, .png and .json. Each day's report goes to each destination once: a re-run of
a delivered day says so and sends nothing (unless --force). What a destination does not take is
kept in the warehouse (<database>.notifications) and sent on the next run. report.locale chooses
en or ru.`,
    )
    .action(run(() => import('../actions/report.js')));
}
