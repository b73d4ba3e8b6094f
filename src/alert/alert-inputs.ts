import type { WindowCounts } from '../metrics/metrics.js';
import type { Sources, UserAttribute } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { fromSqlDateTime, toSqlDateTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { countsOf, sameCounts, ZERO_COUNTS, type CountedWindow } from '../windows/window-counts.js';
import { countedWindows } from '../windows/window-queries.js';
import { WINDOW_MS, windowStarts } from '../windows/windows.js';
import { alertInputsSql, alertStateSql } from './alert-queries.js';
import { stateKey, type AlertState, type LastNotification, type NotificationKind } from './alert-state.js';
import type { WindowMemory } from './window-memory.js';

/** Windows recounted from raw events on every run: the evaluated one and the one before it. */
const FRESH_WINDOWS = 2;
/** A process that remembers its windows writes settled ones to the cache this many at a time. */
const SAVE_BATCH = 4;

export interface AlertInputsRequest {
  readonly sources: Sources;
  readonly slices: readonly UserAttribute[];
  readonly tables: VigilTables;
  /** Start of the history and of its evaluated (last) window. */
  readonly from: Date;
  readonly window: Date;
  /** Windows counted by this process's earlier runs, if it keeps them. */
  readonly memory?: WindowMemory | undefined;
  /** Whether to read the alert state too. */
  readonly withState: boolean;
}

export interface AlertInputs {
  /** Every window of the history that had events, for the whole product and each slice value. */
  readonly windows: readonly CountedWindow[];
  /** Undefined when not asked for. */
  readonly state: AlertState | undefined;
}

/** A row of the inputs query; `part` says which columns mean something. */
interface InputRow extends WindowCounts {
  readonly part: 'cache' | 'raw' | 'state';
  readonly slice: string;
  readonly value: string;
  readonly window: string;
  readonly metric: string;
  readonly kind: string;
  readonly started: string;
}

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
  const { from, memory, tables } = request;
  const sources = `${request.sources.feed.sql}|${request.sources.messages.sql}`;
  const slices = ['', ...request.slices];
  const scope = `${sources}|${request.slices.join(',')}`;
  const to = request.window.getTime() + WINDOW_MS;
  const windows = windowStarts(from.getTime(), to);
  const freshFrom = Math.max(from.getTime(), to - FRESH_WINDOWS * WINDOW_MS);

  const read = async (rawFrom: number, withCache: boolean) =>
    sortRows(
      await warehouse.query<InputRow>(
        alertInputsSql(request.sources, tables, request.slices, { withCache, withState: request.withState }),
        {
          params: {
            sources,
            from: toSqlDateTime(from),
            raw_from: toSqlDateTime(new Date(rawFrom)),
            to: toSqlDateTime(new Date(to)),
          },
        },
      ),
      rawFrom,
      to,
    );
  const remembered = memory?.recall(scope, from.getTime(), freshFrom, WINDOW_MS);
  let rawFrom = freshFrom;
  let inputs = await read(rawFrom, remembered === undefined);
  const gap = remembered
    ? undefined
    : windows.find((w) => w < rawFrom && slices.some((slice) => !inputs.covered(slice, w)));
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
    toSave = inputs.raw.filter((row) => !sameCounts(row, inputs.cached.get(windowKey(row))));
  }
  if (toSave.length > 0) {
    await warehouse.insert(
      tables.windows,
      toSave.map((row) => ({
        sources,
        slice: row.slice,
        slice_value: row.value,
        window_start: toSqlDateTime(new Date(row.start)),
        ...countsOf(row),
      })),
      { idempotent: true },
    );
    memory?.markSaved(toSave);
  }
  return { windows: [...earlier, ...inputs.raw], state: request.withState ? inputs.state : undefined };
}

/** The alert state alone. */
export async function readAlertState(warehouse: Warehouse, tables: VigilTables): Promise<AlertState> {
  const state = new Map<string, LastNotification>();
  for (const row of await warehouse.query<InputRow>(alertStateSql(tables)))
    state.set(stateKey(row.metric, row.slice), lastNotification(row));
  return state;
}

function lastNotification(row: InputRow): LastNotification {
  return {
    kind: row.kind as NotificationKind,
    window: fromSqlDateTime(row.window).getTime(),
    started: fromSqlDateTime(row.started).getTime(),
  };
}

const windowKey = (row: Pick<CountedWindow, 'slice' | 'start' | 'value'>) => `${row.slice}|${row.start}|${row.value}`;
const eventsOf = (row: WindowCounts) => row.views + row.likes + row.messages;

/**
 * The query's rows, sorted out: cached windows (of several copies the one with the most events:
 * a later count only adds late events), windows counted from raw events (feed and messenger
 * rows added up; the whole product has a row for every window, zero when nothing happened, so
 * its absence from the cache means "not cached"), and the state.
 */
function sortRows(rows: readonly InputRow[], rawFrom: number, to: number) {
  const cached = new Map<string, CountedWindow>();
  const raw = new Map<string, CountedWindow>();
  const state = new Map<string, LastNotification>();
  for (let start = rawFrom; start < to; start += WINDOW_MS) {
    const zero: CountedWindow = { slice: '', value: '', start, ...ZERO_COUNTS };
    raw.set(windowKey(zero), zero);
  }
  for (const row of countedWindows(rows.filter((r) => r.part === 'raw'))) raw.set(windowKey(row), row);
  for (const row of rows) {
    if (row.part === 'state') state.set(stateKey(row.metric, row.slice), lastNotification(row));
    if (row.part !== 'cache') continue;
    const counted: CountedWindow = {
      slice: row.slice,
      value: row.value,
      start: fromSqlDateTime(row.window).getTime(),
      ...countsOf(row),
    };
    const seen = cached.get(windowKey(counted));
    if (!seen || eventsOf(counted) > eventsOf(seen)) cached.set(windowKey(counted), counted);
  }
  const cachedWindows = new Set([...cached.values()].map((row) => `${row.slice}|${row.start}`));
  const quietWindows = new Set(
    [...cached.values()]
      .filter((row) => row.slice === '' && row.users === 0 && row.senders === 0)
      .map((row) => row.start),
  );
  return {
    cached,
    raw: [...raw.values()],
    state,
    /** A window of a slice is cached if it has rows there, or if nothing at all happened in it. */
    covered: (slice: string, start: number) =>
      cachedWindows.has(`${slice}|${start}`) || (cachedWindows.has(`|${start}`) && quietWindows.has(start)),
  };
}
