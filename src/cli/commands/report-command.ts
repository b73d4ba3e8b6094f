import type { Command } from 'commander';
import { createDelivery } from '../../notify/create-delivery.js';
import { UndeliveredError } from '../../notify/delivery.js';
import { OutboxNotifier } from '../../notify/outbox-notifier.js';
import { reportSettingsFrom, runReport } from '../../report/report-job.js';
import { dayOf, yesterday } from '../../time/time.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { dateFlag } from '../parse-flags.js';
import { JobFailure, UsageError } from '../usage-error.js';

export function registerReportCommand(program: Command, run: CommandRunner): void {
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
    .action(run((ctx, options) => reportCommand(ctx, options)));
}

async function reportCommand(ctx: CliContext, flags: { date?: string; dryRun?: boolean }): Promise<void> {
  const { config } = ctx.config();
  const timezone = config.timezone;
  const lastComplete = yesterday(ctx.io.now(), timezone);
  const day = flags.date === undefined ? lastComplete : dateFlag('--date', flags.date);
  if (day > lastComplete) throw new UsageError(`--date ${day} has not ended yet in ${timezone} (today is ${dayOf(ctx.io.now(), timezone)}); the report covers complete days`);

  const delivery = createDelivery(config, { dryRun: flags.dryRun ?? false, logger: ctx.logger });
  let result;
  try {
    result = await runReport({ warehouse: ctx.openWarehouse(), delivery, logger: ctx.logger }, reportSettingsFrom(config), day);
  } catch (error) {
    if (error instanceof UndeliveredError) throw new JobFailure(error.message);
    throw error;
  }
  const where =
    delivery.notifier instanceof OutboxNotifier
      ? `written to ${delivery.notifier.directory}/report-${day}.txt${result.notification.image ? ' and .png' : ''}`
      : `sent to Telegram chat ${config.notify.telegram?.chatId ?? ''}`;
  ctx.print(`report ${day} ${where}`);
  if (result.imageError !== undefined) throw new JobFailure(`the report's picture could not be made (${result.imageError}); the text went out alone`);
}
