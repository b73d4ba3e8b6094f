import type { UserAttribute } from '../config/schema.js';
import type { EtlSources } from '../etl/etl-queries.js';
import { fromSqlDateTime, toSqlDateTime } from '../time/time.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { alertInputsSql, alertStateSql } from './alert-queries.js';
import { buildHistory, WINDOW_MS, windowStarts, type AlertHistory, type CountedWindow } from './alert-series.js';
import type { AlertState, LastNotification, NotificationKind } from './alert-state.js';
import type { WindowMemory } from './window-memory.js';

/** Windows recounted from raw events on every run: the evaluated one and the one before it. */
const FRESH_WINDOWS = 2;
/** A process that remembers its windows writes settled ones to the cache this many at a time. */
const SAVE_BATCH = 4;

/** One series set: the whole product (slice '') or one value of a slice (`os=iOS`). */
export interface SliceHistory {
  readonly slice: string;
  readonly history: AlertHistory;
}

export interface AlertInputs {
  readonly histories: readonly SliceHistory[];
  /** Undefined when not asked for. */
  readonly state: AlertState | undefined;
}

export interface AlertInputsRequest {
  readonly sources: EtlSources;
  readonly slices: readonly UserAttribute[];
  readonly tables: { readonly windows: TableName; readonly notifications: TableName };
  /** Start of the history and of its evaluated (last) window. */
  readonly from: Date;
  readonly window: Date;
  /** Windows counted by this process's earlier runs, if it keeps them. */
  readonly memory?: WindowMemory | undefined;
  /** Whether to read the alert state too. */
  readonly withState: boolean;
}

/** A row of the query: its windows' start is not a column, but parsed from `window`. */
interface InputRow extends Omit<CountedWindow, 'start'> {
  readonly part: 'cache' | 'raw' | 'state';
  /** State rows: the notification's kind and the start of its anomaly. */
  readonly kind: string;
  readonly started: string;
}

const METRIC_COLUMNS = ['users', 'active_posts', 'views', 'likes', 'senders', 'messages'] as const;
type Counts = Pick<CountedWindow, (typeof METRIC_COLUMNS)[number]>;

/**
 * What a run judges, read in one query: every window from `from` to the evaluated one, for the
 * whole product and for each value of each slice, and the alert state. The last FRESH_WINDOWS
 * are recounted from raw events on every run, so events that land a little late (a live
 * source's last minute) still count; earlier windows come from the process's memory or else
 * from the window cache. A cache with a gap (the first run, or after a pause) costs a second
 * query that counts from the gap on. What was counted is written to the cache: at once by a
 * one-off run, SAVE_BATCH settled windows at a time by a process that remembers.
 */
export async function readAlertInputs(warehouse: Warehouse, request: AlertInputsRequest): Promise<AlertInputs> {
  const { from, memory } = request;
  const sources = `${request.sources.feed.sql}|${request.sources.messages.sql}`;
  const slices = ['', ...request.slices];
  const scope = `${sources}|${request.slices.join(',')}`;
  const to = request.window.getTime() + WINDOW_MS;
  const windows = windowStarts(from.getTime(), to);
  const freshFrom = Math.max(from.getTime(), to - FRESH_WINDOWS * WINDOW_MS);

  const read = async (rawFrom: number, withCache: boolean) =>
    splitRows(
      await warehouse.query<InputRow>(alertInputsSql(request.sources, request.tables, request.slices, { withCache, withState: request.withState }), {
        params: { sources, from: toSqlDateTime(from), raw_from: toSqlDateTime(new Date(rawFrom)), to: toSqlDateTime(new Date(to)) },
      }),
      rawFrom,
      to,
    );
  const remembered = memory?.recall(scope, from.getTime(), freshFrom, WINDOW_MS);
  let rawFrom = freshFrom;
  let inputs = await read(rawFrom, remembered === undefined);
  const gap = remembered ? undefined : windows.find((w) => w < rawFrom && slices.some((slice) => !inputs.covered(slice, w)));
  if (gap !== undefined) {
    rawFrom = gap;
    inputs = await read(rawFrom, true);
  }
  const earlier = remembered ?? [...inputs.cached.values()].filter((row) => row.start < rawFrom);

  let toSave: CountedWindow[];
  if (memory) {
    if (!remembered) memory.remember(scope, from.getTime(), earlier, true);
    memory.remember(scope, from.getTime(), inputs.raw, false);
    const unsaved = memory.unsaved(freshFrom);
    toSave = new Set(unsaved.map((row) => row.start)).size >= SAVE_BATCH || remembered === undefined ? unsaved : [];
  } else {
    toSave = inputs.raw.filter((row) => !sameCounts(row, inputs.cached.get(rowKey(row))));
  }
  if (toSave.length > 0) {
    await warehouse.insert(
      request.tables.windows,
      toSave.map((row) => ({ sources, slice: row.slice, slice_value: row.slice_value, window_start: row.window, ...countsOf(row) })),
      { idempotent: true },
    );
    memory?.markSaved(toSave);
  }

  const rows = [...earlier, ...inputs.raw];
  const histories = slices.flatMap((slice): SliceHistory[] => {
    const own = rows.filter((row) => row.slice === slice);
    return [...new Set(own.map((row) => row.slice_value))].sort().map((value) => {
      // A counted window holds the feed's and the messenger's counts alike.
      const series = new Map(own.filter((row) => row.slice_value === value).map((row) => [row.start, row]));
      return { slice: slice === '' ? '' : `${slice}=${value}`, history: buildHistory(windows, series, series) };
    });
  });
  return { histories, state: request.withState ? inputs.state : undefined };
}

/** The alert state alone. */
export async function readAlertState(warehouse: Warehouse, notifications: TableName): Promise<AlertState> {
  const state = new Map<string, LastNotification>();
  for (const row of await warehouse.query<InputRow>(alertStateSql(notifications))) addState(state, row);
  return state;
}

function addState(state: Map<string, LastNotification>, { slice_value: metric, slice, window, kind, started }: Pick<InputRow, 'slice_value' | 'slice' | 'window' | 'kind' | 'started'>): void {
  state.set(`${metric}|${slice}`, { kind: kind as NotificationKind, window: fromSqlDateTime(window).getTime(), started: fromSqlDateTime(started).getTime() });
}

const rowKey = (row: Pick<CountedWindow, 'slice' | 'window' | 'slice_value'>) => `${row.slice}|${row.window}|${row.slice_value}`;
const eventsOf = (row: Counts) => row.views + row.likes + row.messages;

/**
 * The query's rows, sorted out: cached windows (of several copies the one with the most events:
 * a later count only adds late events), windows counted from raw events (feed and messenger
 * rows added up; the whole product has a row for every window, zero when nothing happened, so
 * its absence from the cache means "not cached"), and the state.
 */
function splitRows(rows: readonly InputRow[], rawFrom: number, to: number) {
  const cached = new Map<string, CountedWindow>();
  const raw = new Map<string, CountedWindow>();
  const state = new Map<string, LastNotification>();
  for (let w = rawFrom; w < to; w += WINDOW_MS) {
    const zero: CountedWindow = { slice: '', slice_value: '', window: toSqlDateTime(new Date(w)), start: w, users: 0, active_posts: 0, views: 0, likes: 0, senders: 0, messages: 0 };
    raw.set(rowKey(zero), zero);
  }
  for (const { part, kind, started, ...row } of rows) {
    if (part === 'state') {
      addState(state, { ...row, kind, started });
      continue;
    }
    const key = rowKey(row);
    const counted = { ...row, start: fromSqlDateTime(row.window).getTime() };
    if (part === 'cache') {
      const seen = cached.get(key);
      if (!seen || eventsOf(counted) > eventsOf(seen)) cached.set(key, counted);
    } else {
      const seen = raw.get(key);
      raw.set(key, seen ? { ...seen, ...Object.fromEntries(METRIC_COLUMNS.map((c) => [c, seen[c] + counted[c]])) } : counted);
    }
  }
  const cachedWindows = new Set([...cached.values()].map((row) => `${row.slice}|${row.start}`));
  const quietWindows = new Set([...cached.values()].filter((row) => row.slice === '' && row.users === 0 && row.senders === 0).map((row) => row.start));
  return {
    cached,
    raw: [...raw.values()],
    state,
    /** A window of a slice is cached if it has rows there, or if nothing at all happened in it. */
    covered: (slice: string, start: number) => cachedWindows.has(`${slice}|${start}`) || (cachedWindows.has(`|${start}`) && quietWindows.has(start)),
  };
}

function countsOf(row: Counts): Counts {
  return Object.fromEntries(METRIC_COLUMNS.map((c) => [c, row[c]])) as Counts;
}

function sameCounts(a: Counts, b: Counts | undefined): boolean {
  return b !== undefined && METRIC_COLUMNS.every((c) => a[c] === b[c]);
}
