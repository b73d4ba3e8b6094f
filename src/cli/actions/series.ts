import { UsageError } from '../../errors/vigil-error.js';
import { isAlertMetric, ALERT_METRICS } from '../../metrics/metrics.js';
import { isUserAttribute, USER_ATTRIBUTES } from '../../sources/sources.js';
import { readWindowHistory } from '../../windows/window-history.js';
import { evaluatedWindow, historyFrom, WINDOW_MS } from '../../windows/windows.js';
import type { CliContext } from '../cli-context.js';
import type { SeriesFlags } from '../commands/series.js';
import { timeFlag } from '../parse-flags.js';

/** About three years of windows, as many as backtest takes. */
const MAX_WINDOWS = 100_000;

export async function action(ctx: CliContext, flags: SeriesFlags): Promise<void> {
  const settings = ctx.settings();
  const { timezone } = settings;
  const metric = flags.metric;
  if (!isAlertMetric(metric)) {
    throw new UsageError(`--metric must be one of ${ALERT_METRICS.join(', ')} (got ${JSON.stringify(metric)})`);
  }
  const slice = flags.slice === undefined ? undefined : sliceFlag(flags.slice);
  const to =
    flags.to === undefined
      ? evaluatedWindow(ctx.io.now(), settings.alert.lagMs).getTime() + WINDOW_MS
      : alignedTime('--to', flags.to, timezone);
  const from =
    flags.from === undefined
      ? historyFrom(new Date(to - 1), timezone, settings.alert.historyMs).getTime()
      : alignedTime('--from', flags.from, timezone);
  if (from >= to) throw new UsageError(`--from must come before --to`);
  if ((to - from) / WINDOW_MS > MAX_WINDOWS) {
    throw new UsageError(`--from … --to spans more than ${MAX_WINDOWS.toLocaleString('en-US')} windows; export less`);
  }
  const warehouse = await ctx.openWarehouse();
  const { windows, series } = await readWindowHistory(warehouse, {
    sources: settings.alert.sources,
    windowsTable: settings.alert.tables.windows,
    slice,
    from,
    rawFrom: from,
    to,
  });
  const values = series[metric];
  const lines = windows.map((start, i) => `${new Date(start).toISOString()},${values[i] ?? ''}`);
  ctx.print(['time,value', ...lines].join('\n'));
}

function sliceFlag(text: string) {
  const [attribute = '', ...rest] = text.split('=');
  const value = rest.join('=');
  if (!isUserAttribute(attribute) || value === '') {
    throw new UsageError(
      `--slice must be attribute=value with an attribute of ${USER_ATTRIBUTES.join(', ')} ` +
        `(got ${JSON.stringify(text)})`,
    );
  }
  return { attribute, value };
}

/** A time on the windows' grid: 15-minute windows start at whole quarter hours. */
function alignedTime(flag: string, text: string, timezone: string): number {
  const ms = timeFlag(flag, text, timezone).getTime();
  if (ms % WINDOW_MS !== 0)
    throw new UsageError(`${flag} must be on a quarter hour, where windows start (got ${text})`);
  return ms;
}
