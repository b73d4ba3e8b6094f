import { UsageError } from '../../errors/vigil-error.js';
import { isAlertMetric, ALERT_METRICS } from '../../metrics/metrics.js';
import { newestEvent } from '../../alert/alert-inputs.js';
import { explainSourceFailure } from '../../sources/source-check.js';
import type { Sources, UserAttribute } from '../../sources/sources.js';
import { toSqlDateTime } from '../../time/time.js';
import { quoteIdentifier } from '../../warehouse/identifiers.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { readWindowHistory } from '../../windows/window-history.js';
import { evaluatedWindow, historyFrom, WINDOW_MS } from '../../windows/windows.js';
import type { CliContext } from '../cli-context.js';
import type { SeriesFlags } from '../commands/series.js';
import { sliceFlag, timeFlag } from '../parse-flags.js';

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
  const now = ctx.io.now().getTime();
  const given = {
    from: flags.from === undefined ? undefined : alignedTime('--from', flags.from, timezone),
    to: flags.to === undefined ? undefined : alignedTime('--to', flags.to, timezone),
  };
  if (given.from !== undefined && given.to !== undefined && given.from >= given.to) {
    throw new UsageError('--from must come before --to');
  }
  if (given.to !== undefined && given.to > now) {
    throw new UsageError(`--to ${flags.to ?? ''} is in the future; a window is exported once it has ended`);
  }
  const { sources } = settings.alert;
  const warehouse = await ctx.openWarehouse();
  try {
    // By default, up to the last window whose events have arrived (as the live alert judges).
    const newest = await Promise.all(
      [sources.feed, sources.messages].map((table) => newestEvent(warehouse, table, new Date(now))),
    );
    const arrived = Math.max(...newest.map((ms) => ms ?? Number.NEGATIVE_INFINITY)) + 60_000;
    const lastComplete = evaluatedWindow(new Date(Math.min(now, arrived)), settings.alert.lagMs).getTime() + WINDOW_MS;
    const to = given.to ?? lastComplete;
    const from = given.from ?? historyFrom(new Date(to - 1), timezone, settings.alert.historyMs).getTime();
    if (from >= to) throw new UsageError(`--from must come before --to (and the sources have events up to it)`);
    if ((to - from) / WINDOW_MS > MAX_WINDOWS) {
      throw new UsageError(`--from … --to spans more than ${MAX_WINDOWS.toLocaleString('en-US')} windows; export less`);
    }
    const { windows, series } = await readWindowHistory(warehouse, {
      sources,
      windowsTable: settings.alert.tables.windows,
      slice,
      from,
      rawFrom: from,
      to,
    });
    const happened = windows.map(
      (_, i) => (series.views[i] ?? 0) + (series.messages[i] ?? 0) + (series.users[i] ?? 0) > 0,
    );
    if (slice && !happened.some(Boolean)) throw await unknownSlice(warehouse, sources, slice, from, to);
    // Without --from, the series starts with the first window anything happened in: before it, no history.
    const first = given.from === undefined ? Math.max(0, happened.indexOf(true)) : 0;
    const values = series[metric];
    const lines = windows.slice(first).map((start, i) => `${new Date(start).toISOString()},${values[first + i] ?? ''}`);
    ctx.print(['time,value', ...lines].join('\n'));
  } catch (error) {
    throw await explainSourceFailure(warehouse, sources, error);
  }
}

/** A slice value with no events: a usage error naming the values there are. */
async function unknownSlice(
  warehouse: Warehouse,
  sources: Sources,
  slice: { attribute: UserAttribute; value: string },
  from: number,
  to: number,
): Promise<UsageError> {
  const column = quoteIdentifier(slice.attribute);
  const rows = await warehouse.query<{ value: string }>(
    `SELECT DISTINCT toString(${column}) AS value FROM ${sources.feed.sql}
     WHERE time >= {from:DateTime('UTC')} AND time < {to:DateTime('UTC')} ORDER BY value LIMIT 21`,
    { params: { from: toSqlDateTime(new Date(from)), to: toSqlDateTime(new Date(to)) } },
  );
  const known = rows.map((row) => row.value);
  const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, …` : known.join(', ');
  return new UsageError(
    `--slice ${slice.attribute}=${slice.value}: no events in these windows` +
      (known.length > 0 ? ` (values of ${slice.attribute} there: ${list})` : ''),
  );
}

/** A time on the windows' grid: 15-minute windows start at whole quarter hours. */
function alignedTime(flag: string, text: string, timezone: string): number {
  const ms = timeFlag(flag, text, timezone).getTime();
  if (ms % WINDOW_MS !== 0)
    throw new UsageError(`${flag} must be on a quarter hour, where windows start (got ${text})`);
  return ms;
}
