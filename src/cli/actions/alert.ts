import { runAlert, type AlertResult } from '../../alert/alert-job.js';
import { createDelivery } from '../../app/create-delivery.js';
import { JobError } from '../../errors/vigil-error.js';
import { metricName } from '../../metrics/metrics.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { AlertFlags } from '../commands/alert.js';
import { timeFlag } from '../parse-flags.js';

export async function action(ctx: CliContext, flags: AlertFlags): Promise<void> {
  const settings = ctx.settings();
  const at = flags.at === undefined ? ctx.io.now() : timeFlag('--at', flags.at, settings.timezone);
  const delivery = createDelivery(settings.delivery, { dryRun: flags.dryRun ?? false, logger: ctx.logger });
  const result = await runAlert(
    { warehouse: await ctx.openWarehouse(), delivery, logger: ctx.logger },
    settings.alert,
    at,
  );
  ctx.print(describe(result, settings.timezone, delivery.notifier.name));
  const problems = result.outcomes.filter((o) => o.problem !== undefined);
  if (problems.length > 0)
    throw new JobError(
      problems.map((o) => `${o.metric}${o.slice === '' ? '' : ` ${o.slice}`}: ${o.problem ?? ''}`).join('\n'),
    );
}

function describe(result: AlertResult, timezone: string, destination: string): string {
  const number = (v: number | undefined) =>
    v === undefined ? '—' : Math.abs(v) < 10 ? v.toFixed(3) : Math.round(v).toLocaleString('en-US');
  const lines = [`window ${formatLocalTime(result.window, timezone)} (+15 min), ${result.windows} windows of history:`];
  for (const { metric, slice, verdict, notification, gated } of result.outcomes) {
    const state = verdict.alert ? 'ANOMALY' : gated ? 'ok (outside the band, within noise)' : 'ok';
    const note = notification ? `  → ${notification}, ${destination}` : '';
    const name = `${metricName(metric, 'en')}${slice === '' ? '' : ` ${slice}`}`;
    lines.push(
      `  ${name.padEnd(24)} ${number(verdict.value).padStart(9)}  ` +
        `band ${number(verdict.low)} … ${number(verdict.up)}  ${state}${note}`,
    );
  }
  return lines.join('\n');
}
