import { JobError, UsageError } from '../../errors/vigil-error.js';
import { runReport, undelivered } from '../../report/report-job.js';
import { dayOf, yesterday } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import { exclusively } from './exclusively.js';
import type { ReportFlags } from '../commands/report.js';
import { dateFlag } from '../parse-flags.js';
import { describeDryRun } from './dry-run.js';

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
  const dryRun = flags.dryRun ?? false;
  const warehouse = await ctx.openWarehouse();
  const delivery = dryRun ? undefined : await ctx.delivery();
  const work = () =>
    runReport({ warehouse, delivery, logger: ctx.logger }, settings.report, {
      day,
      dryRun,
      force: flags.force ?? false,
    });
  const result = dryRun ? await work() : await exclusively(ctx, 'report', day, work);
  if (dryRun) {
    ctx.print(describeDryRun([result.notification]));
    if (result.alreadyDelivered.length > 0 && !flags.force) {
      ctx.print(
        `report ${day} was already delivered to ${result.alreadyDelivered.join(', ')}: ` +
          'a real run would send nothing again (--force would)',
      );
    }
    return;
  }
  const sent = result.deliveries.filter((d) => d.sent && !d.earlier).map((d) => d.destination);
  if (sent.length > 0)
    ctx.print(`report ${day} sent to ${sent.map((d) => describeDestination(d, settings.delivery)).join(', ')}`);
  if (result.alreadyDelivered.length > 0 && !flags.force) {
    ctx.print(
      `report ${day} was already delivered to ${result.alreadyDelivered.join(', ')}; ` +
        'nothing sent again (--force sends it again)',
    );
  }
  const failure = undelivered(result);
  if (failure !== undefined) throw new JobError(failure);
  if (result.imageError !== undefined) {
    throw new JobError(`the report's picture could not be made (${result.imageError}); the text went out alone`);
  }
}

function describeDestination(
  name: string,
  delivery: { outbox: string; telegram?: { chatId: string } | undefined },
): string {
  if (name === 'telegram') return `Telegram chat ${delivery.telegram?.chatId ?? ''}`;
  if (name === 'outbox') return `the outbox (${delivery.outbox})`;
  return name;
}
