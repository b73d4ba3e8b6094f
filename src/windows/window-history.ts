import type { Sources, UserAttribute } from '../sources/sources.js';
import { fromSqlDateTime, toSqlDateTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { isMissingTable } from '../warehouse/warehouse-error.js';
import { countsOf, eventsOf, metricSeries, type CountedWindow, type MetricSeries } from './window-counts.js';
import {
  cachedWindowsSql,
  countedWindows,
  windowCacheKey,
  windowCountsSql,
  type WindowCountRow,
} from './window-queries.js';
import { windowStarts } from './windows.js';

export interface WindowHistoryRequest {
  readonly sources: Sources;
  readonly windowsTable: { readonly sql: string };
  /** The slice's attribute and value; undefined for the whole product. */
  readonly slice: { readonly attribute: UserAttribute; readonly value: string } | undefined;
  /** [from, to): the history; windows from `rawFrom` on are counted from raw events. */
  readonly from: number;
  readonly rawFrom: number;
  readonly to: number;
}

/**
 * One slice's windows over a long history for reading, not judging (the dashboard's band): the
 * recent windows counted from raw events, the earlier ones from the alert's window cache, which
 * a view never fills. A window before `rawFrom` the cache does not hold is unknown (undefined),
 * not zero: a detector must not take a gap in the cache for an outage.
 */
export async function readWindowHistory(
  warehouse: Warehouse,
  request: WindowHistoryRequest,
): Promise<{ windows: number[]; series: MetricSeries }> {
  const { slice } = request;
  const attribute = slice?.attribute ?? '';
  const value = slice?.value ?? '';
  const slices = slice ? [slice.attribute] : [];
  const raw = `SELECT 'raw' AS part, * FROM (${windowCountsSql(request.sources, slices, 'raw_from')})`;
  const cache = `SELECT 'cache' AS part, * FROM (${cachedWindowsSql(request.windowsTable, slices)})`;
  const params = {
    sources: windowCacheKey(request.sources),
    from: toSqlDateTime(new Date(request.from)),
    raw_from: toSqlDateTime(new Date(request.rawFrom)),
    to: toSqlDateTime(new Date(request.to)),
  };
  let rows: (WindowCountRow & { part: string })[];
  try {
    rows = await warehouse.query(request.rawFrom <= request.from ? raw : `${raw}\nUNION ALL\n${cache}`, { params });
  } catch (error) {
    // Before the first alert run there is no cache: only the recent windows are known.
    if (!isMissingTable(error)) throw error;
    rows = (
      await warehouse.query<WindowCountRow>(windowCountsSql(request.sources, slices, 'raw_from'), { params })
    ).map((row) => ({ ...row, part: 'raw' }));
  }
  const mine = (row: CountedWindow) => row.slice === attribute && row.value === value;
  const fresh = countedWindows(rows.filter((r) => r.part === 'raw')).filter((row) => row.start >= request.rawFrom);
  const cached = new Map<number, CountedWindow>();
  const known = new Set<number>();
  for (const row of rows) {
    const start = fromSqlDateTime(row.window).getTime();
    if (row.part !== 'cache' || start >= request.rawFrom) continue;
    // The whole product's row says the window was cached; the slice value's own row, what it held.
    if (row.slice === '') known.add(start);
    const counted: CountedWindow = { slice: row.slice, value: row.value, start, ...countsOf(row) };
    const seen = cached.get(start);
    // Of several copies, the one with the most events: a later count only adds late events.
    if (mine(counted) && (!seen || eventsOf(counted) > eventsOf(seen))) cached.set(start, counted);
  }
  const windows = windowStarts(request.from, request.to);
  const counts = new Map([...cached, ...fresh.filter(mine).map((row) => [row.start, row] as const)]);
  const counted = metricSeries(windows, counts);
  const unknown = (i: number) => (windows[i] ?? 0) < request.rawFrom && !known.has(windows[i] ?? 0);
  const series = Object.fromEntries(
    Object.entries(counted).map(([metric, values]) => [metric, values.map((v, i) => (unknown(i) ? undefined : v))]),
  ) as unknown as MetricSeries;
  return { windows, series };
}
