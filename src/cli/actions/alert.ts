import { alertProblems, runAlert, type AlertResult } from '../../alert/alert-job.js';
import { JobError, UsageError } from '../../errors/vigil-error.js';
import { formatMetricValue, metricName, METRICS } from '../../metrics/metrics.js';
import { formatLocalTime } from '../../time/time.js';
import { evaluatedWindow } from '../../windows/windows.js';
import type { CliContext } from '../cli-context.js';
import type { AlertFlags } from '../commands/alert.js';
import { timeFlag } from '../parse-flags.js';
import { describeDryRun } from './dry-run.js';
import { exclusively } from './exclusively.js';

/** How far ahead of this machine's clock --at may be (clocks differ a little). */
const CLOCK_SKEW_MS = 60_000;

export async function action(ctx: CliContext, flags: AlertFlags): Promise<void> {
  const settings = ctx.settings();
  const now = ctx.io.now();
  const at = flags.at === undefined ? now : timeFlag('--at', flags.at, settings.timezone);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new UsageError(
      `--at ${formatLocalTime(at, settings.timezone)} is in the future ` +
        `(now ${formatLocalTime(now, settings.timezone)})`,
    );
  }
  const warehouse = await ctx.openWarehouse();
  const dryRun = flags.dryRun ?? false;
  const delivery = dryRun ? undefined : await ctx.delivery();
  const work = () => runAlert({ warehouse, delivery, logger: ctx.logger }, settings.alert, { at, dryRun });
  const result = dryRun
    ? await work()
    : await exclusively(ctx, 'alert', evaluatedWindow(at, settings.alert.lagMs).toISOString(), work);
  const destination = delivery ? [...delivery.destinations.keys()].join(', ') : '';
  ctx.print(describe(result, settings.timezone, destination));
  if (dryRun) ctx.print(describeDryRun(result.notifications));
  const problems = alertProblems(result);
  if (problems.length > 0) throw new JobError(problems.join('\n'));
}

function describe(result: AlertResult, timezone: string, destination: string): string {
  const history = `${result.windows.toLocaleString('en-US')} windows of history`;
  const lines = [`window ${formatLocalTime(result.window, timezone)} (+15 min), ${history}:`];
  // A dry run has no destination: "→ started" alone.
  const to = destination === '' ? '' : `, ${destination}`;
  for (const source of result.sources) {
    const newest = source.newest === undefined ? 'none' : formatLocalTime(new Date(source.newest), timezone);
    const state = source.stale ? 'NO DATA' : 'ok';
    const note = source.notification ? `  → no data ${source.notification}${to}` : '';
    lines.push(`  source ${source.source.padEnd(17)} newest event ${newest}  ${state}${note}`);
  }
  if (result.outcomes.length > 0 && result.outcomes.every((o) => o.status !== 'judged')) {
    lines.push('  the events of this window have not arrived yet: nothing judged (see the sources above)');
    return lines.join('\n');
  }
  // Where each of this run's messages went (routes may send it to some destinations only).
  const sentTo = (key: string | undefined) => {
    const names = result.deliveries
      .filter((d) => d.id === `alert-${key ?? ''}` && !d.earlier)
      .map((d) => d.destination);
    return names.length === 0 ? to : `, ${names.join(', ')}`;
  };
  for (const { metric, slice, status, verdict, notification, gated, pending, silenced, key } of result.outcomes) {
    const name = `${metricName(metric, 'en')}${slice === '' ? '' : ` ${slice}`}`;
    if (status !== 'judged') {
      lines.push(
        `  ${name.padEnd(24)} ` +
          (status === 'held' ? 'held: its source has no data' : 'its events have not arrived yet'),
      );
      continue;
    }
    // The detector's band may reach below zero; no count does.
    const low = verdict.low === undefined || METRICS[metric].kind === 'ratio' ? verdict.low : Math.max(0, verdict.low);
    const state = verdict.alert
      ? 'ANOMALY'
      : pending
        ? 'anomalous, pending (not yet for alerts.metrics.<metric>.pendingWindows windows)'
        : gated
          ? 'ok (iqr fired, but within its noise gate)'
          : 'ok';
    const number = (v: number | undefined) =>
      v === undefined ? '—' : formatMetricValue(METRICS[metric].kind, v, 'en');
    const note = notification ? `  → ${notification}${sentTo(key)}` : silenced ? `  → not notified: ${silenced}` : '';
    lines.push(
      `  ${name.padEnd(24)} ${number(verdict.value).padStart(9)}  ` +
        `band ${number(low)} … ${number(verdict.up)}  ${state}${note}`,
    );
  }
  return lines.join('\n');
}
