import type { Command } from 'commander';
import { alertSettingsFrom, runAlert, type AlertResult } from '../../alert/alert-job.js';
import { metricName } from '../../alert/alert-message.js';
import { createDelivery } from '../../notify/create-delivery.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { timeFlag } from '../parse-flags.js';
import { JobFailure } from '../usage-error.js';

export function registerAlertCommand(program: Command, run: CommandRunner): void {
  program
    .command('alert')
    .description('check the last complete 15-minute window of every metric against its recent history')
    .option('--at <time>', 'evaluate as of this ISO time (default: now)')
    .option('--dry-run', 'write notifications to the outbox instead of sending them, whatever the config says')
    .addHelpText(
      'after',
      `
Metrics: feed users, active posts, views, likes, CTR; messenger senders and messages. Each is judged
by the iqr detector (alerts.metrics.<metric>.a / .n, default 4 and 5) over every window since the
start of the day before, empty windows counting as 0. An anomaly notifies when it starts, again
every alerts.repeat (default 1h) while it lasts, and once more when it is resolved. Every
evaluation and notification is recorded in <database>.alert_evaluations / alert_notifications.`,
    )
    .action(run((ctx, options) => alertCommand(ctx, options)));
}

async function alertCommand(ctx: CliContext, flags: { at?: string; dryRun?: boolean }): Promise<void> {
  const { config } = ctx.config();
  const at = flags.at === undefined ? ctx.io.now() : timeFlag('--at', flags.at, config.timezone);
  const delivery = createDelivery(config, { dryRun: flags.dryRun ?? false, logger: ctx.logger });
  const result = await runAlert(
    { warehouse: ctx.openWarehouse(), delivery, logger: ctx.logger },
    alertSettingsFrom(config),
    at,
  );
  ctx.print(describe(result, config.timezone, delivery.notifier.name));
  const problems = result.outcomes.filter((o) => o.problem !== undefined);
  if (problems.length > 0) throw new JobFailure(problems.map((o) => `${o.metric}${o.slice === '' ? '' : ` ${o.slice}`}: ${o.problem ?? ''}`).join('\n'));
}

function describe(result: AlertResult, timezone: string, destination: string): string {
  const number = (v: number | undefined) => (v === undefined ? '—' : Math.abs(v) < 10 ? v.toFixed(3) : Math.round(v).toLocaleString('en-US'));
  const lines = [`window ${formatLocalTime(result.window, timezone)} (+15 min), ${result.windows} windows of history:`];
  for (const { metric, slice, verdict, notification, gated } of result.outcomes) {
    const state = verdict.alert ? 'ANOMALY' : gated ? 'ok (outside the band, within noise)' : 'ok';
    const note = notification ? `  → ${notification}, ${destination}` : '';
    lines.push(`  ${`${metricName(metric, 'en')}${slice === '' ? '' : ` ${slice}`}`.padEnd(24)} ${number(verdict.value).padStart(9)}  band ${number(verdict.low)} … ${number(verdict.up)}  ${state}${note}`);
  }
  return lines.join('\n');
}
