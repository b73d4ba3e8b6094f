import { createDelivery } from '../../app/create-delivery.js';
import { JobError, UsageError } from '../../errors/vigil-error.js';
import { OutboxNotifier } from '../../notify/outbox-notifier.js';
import { runReport } from '../../report/report-job.js';
import { dayOf, yesterday } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { ReportFlags } from '../commands/report.js';
import { dateFlag } from '../parse-flags.js';

export async function action(ctx: CliContext, flags: ReportFlags): Promise<void> {
  const settings = ctx.settings();
  const { timezone } = settings;
  const lastComplete = yesterday(ctx.io.now(), timezone);
  const day = flags.date === undefined ? lastComplete : dateFlag('--date', flags.date);
  if (day > lastComplete) {
    throw new UsageError(
      `--date ${day} has not ended yet in ${timezone} (today is ${dayOf(ctx.io.now(), timezone)}); ` +
        'the report covers complete days',
    );
  }
  const delivery = createDelivery(settings.delivery, { dryRun: flags.dryRun ?? false, logger: ctx.logger });
  const result = await runReport(
    { warehouse: await ctx.openWarehouse(), delivery, logger: ctx.logger },
    settings.report,
    day,
  );
  const where =
    delivery.notifier instanceof OutboxNotifier
      ? `written to ${delivery.notifier.directory}/report-${day}.txt${result.notification.image ? ' and .png' : ''}`
      : `sent to Telegram chat ${settings.delivery.telegram?.chatId ?? ''}`;
  ctx.print(`report ${day} ${where}`);
  if (result.imageError !== undefined)
    throw new JobError(`the report's picture could not be made (${result.imageError}); the text went out alone`);
}
