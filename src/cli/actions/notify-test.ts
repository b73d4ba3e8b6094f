import { hostname } from 'node:os';
import { createDelivery } from '../../app/create-delivery.js';
import { renderPng } from '../../charts/render-png.js';
import { windowChartSpec } from '../../charts/window-chart.js';
import { JobError, UsageError } from '../../errors/vigil-error.js';
import { deliverOnce } from '../../notify/dispatch.js';
import type { Notification } from '../../notify/notifier.js';
import { escapeHtml } from '../../notify/telegram-html.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { NotifyTestFlags } from '../commands/notify.js';

export async function action(ctx: CliContext, flags: NotifyTestFlags): Promise<void> {
  const settings = ctx.settings();
  const delivery = createDelivery(settings.delivery, { logger: ctx.logger, now: ctx.io.now });
  const names = [...delivery.destinations.keys()];
  if (flags.to !== undefined && !delivery.destinations.has(flags.to)) {
    throw new UsageError(
      `--to must be a configured destination: ${names.join(', ')} (got ${JSON.stringify(flags.to)})`,
    );
  }
  const now = ctx.io.now();
  const notification: Notification = {
    kind: 'test',
    key: now.toISOString().replace(/[:.]/g, ''),
    text:
      `🧪 <b>vigil test message</b>\n` +
      escapeHtml(`From ${hostname()} at ${formatLocalTime(now, settings.timezone)}: this destination works.`),
    image: { png: await testPicture(now, settings.timezone), filename: 'vigil-test.png' },
  };
  const failed: string[] = [];
  for (const name of flags.to === undefined ? names : [flags.to]) {
    const notifier = delivery.destinations.get(name);
    if (!notifier) continue;
    const error = await deliverOnce(notifier, notification, settings.delivery.budgetMs);
    ctx.print(`${name}: ${error === undefined ? 'delivered' : `not delivered: ${error}`}`);
    if (error !== undefined) failed.push(name);
  }
  if (failed.length > 0) throw new JobError(`the test message did not reach ${failed.join(', ')}`);
}

/** A small chart of a made-up day, so a destination shows it can take pictures too. */
async function testPicture(now: Date, timezone: string): Promise<Buffer> {
  const windows = Array.from({ length: 96 }, (_, i) => now.getTime() - (95 - i) * 900_000);
  const values = windows.map((_, i) => Math.round(1000 + 600 * Math.sin((i / 96) * 2 * Math.PI)));
  const spec = windowChartSpec({
    metric: 'views',
    windows,
    values,
    bands: values.map((v) => ({ low: v * 0.8, up: v * 1.2 })),
    timezone,
    locale: 'en',
    title: 'vigil test picture',
  });
  return (await renderPng(spec)).png;
}
