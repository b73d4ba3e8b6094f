import type { WindowCounts } from '../metrics/metrics.js';
import { SOURCE_NAMES, type SourceName, type Sources, type UserAttribute } from '../sources/sources.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { fromSqlDateTime, toSqlDateTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { countsOf, eventsOf, sameCounts, ZERO_COUNTS, type CountedWindow } from '../windows/window-counts.js';
import { countedWindows, windowCacheKey } from '../windows/window-queries.js';
import { WINDOW_MS, windowStarts } from '../windows/windows.js';
import { alertInputsSql, alertStateSql, newestEventSql } from './alert-queries.js';
import { stateKey, type AlertState, type LastNotification, type NotificationKind } from './alert-state.js';
import type { WindowMemory } from './window-memory.js';

/** A process that remembers its windows writes settled ones to the cache this many at a time. */
const SAVE_BATCH = 4;

export interface AlertInputsRequest {
  readonly sources: Sources;
  readonly slices: readonly UserAttribute[];
  readonly tables: VigilTables;
  /** The evaluation time, the start of the history and of its evaluated (last) window. */
  readonly at: Date;
  readonly from: Date;
  readonly window: Date;
  /** Windows recounted from raw events on every run, ending with the evaluated one (late events are seen). */
  readonly recountMs: number;
  /** How far back freshness is looked for: a source without events since then has no data. */
  readonly freshFrom: Date;
  /** Windows counted by this process's earlier runs, if it keeps them. */
  readonly memory?: WindowMemory | undefined;
  /** Whether to read the alert state too. */
  readonly withState: boolean;
}

/** Each source's newest events: since the freshness horizon, and before the evaluation time. */
export type Freshness = Readonly<Record<SourceName, { readonly newest?: number; readonly newestBefore?: number }>>;

export interface AlertInputs {
  /** Every window of the history that had events, for the whole product and each slice value. */
  readonly windows: readonly CountedWindow[];
  /** The windows counted from raw events by this run (to be cached once settled). */
  readonly counted: readonly CountedWindow[];
  /** The cached copy of each window this run counted, if there was one. */
  readonly cached: ReadonlyMap<string, CountedWindow>;
  /** Undefined when not asked for. */
  readonly state: AlertState | undefined;
  readonly freshness: Freshness;
  /** Each metric's and slice's incidents that ended within the history, oldest first (by {@link stateKey}). */
  readonly pastIncidents: PastIncidents;
  /** Messages of the journal some destination has not taken yet (from earlier runs). */
  readonly pending: readonly { readonly message: string; readonly missing: readonly string[] }[];
  /** Windows from here on are counted afresh by every run; earlier ones are final once settled. */
  readonly recountFrom: number;
  /** The cache's key of the source tables, and the scope of the process's memory. */
  readonly sourcesKey: string;
  readonly scope: string;
}

/** Resolved incidents by {@link stateKey}: [from, to) in ms, from the started window to the resolved one. */
export type PastIncidents = ReadonlyMap<string, readonly { readonly from: number; readonly to: number }[]>;

/** A row of the inputs query; `part` says which columns mean something. */
interface InputRow extends WindowCounts {
  readonly part: 'cache' | 'raw' | 'state' | 'fresh' | 'pending' | 'incident';
  readonly slice: string;
  readonly value: string;
  readonly window: string;
  readonly metric: string;
  readonly kind: string;
  readonly since: string;
  readonly acked: string;
  readonly newest: string;
  readonly newest_before: string;
  readonly message: string;
  readonly missing: string[];
}

/**
 * What a run judges, read in one query: every window from `from` to the evaluated one, for the
 * whole product and for each value of each slice, the alert state, and each source's newest
 * events. The windows of the last `recountMs` are counted from raw events on every run, so
 * events that land late still count; earlier windows come from the process's memory or else from
 * the window cache. A cache with a gap (the first run, a pause, or windows whose events had not
 * arrived) costs a second query that counts from the gap on. Nothing is written here.
 */
export async function readAlertInputs(warehouse: Warehouse, request: AlertInputsRequest): Promise<AlertInputs> {
  const { from, memory, tables } = request;
  const sourcesKey = windowCacheKey(request.sources);
  const slices = ['', ...request.slices];
  const scope = `${sourcesKey}|${request.slices.join(',')}`;
  const to = request.window.getTime() + WINDOW_MS;
  const windows = windowStarts(from.getTime(), to);
  const recountFrom = Math.max(from.getTime(), to - Math.max(WINDOW_MS, request.recountMs));

  const read = async (rawFrom: number, withCache: boolean) =>
    sortRows(
      await warehouse.query<InputRow>(
        alertInputsSql(request.sources, tables, request.slices, { withCache, withState: request.withState }),
        {
          params: {
            sources: sourcesKey,
            from: toSqlDateTime(from),
            raw_from: toSqlDateTime(new Date(rawFrom)),
            to: toSqlDateTime(new Date(to)),
            at: toSqlDateTime(request.at),
            fresh_from: toSqlDateTime(new Date(Math.min(rawFrom, request.freshFrom.getTime()))),
          },
        },
      ),
      rawFrom,
      to,
    );
  const remembered = memory?.recall(scope, from.getTime(), recountFrom, WINDOW_MS);
  let rawFrom = recountFrom;
  let inputs = await read(rawFrom, remembered === undefined);
  const gap = remembered
    ? undefined
    : windows.find((w) => w < rawFrom && slices.some((slice) => !inputs.covered(slice, w)));
  if (gap !== undefined) {
    rawFrom = gap;
    inputs = await read(rawFrom, true);
  }
  const earlier = remembered ?? [...inputs.cached.values()].filter((row) => row.start < rawFrom);
  if (memory && !remembered) memory.remember(scope, from.getTime(), earlier, true);
  return {
    windows: [...earlier, ...inputs.raw],
    counted: inputs.raw,
    cached: inputs.cached,
    state: request.withState ? inputs.state : undefined,
    freshness: inputs.freshness,
    pending: inputs.pending,
    pastIncidents: inputs.pastIncidents,
    recountFrom,
    sourcesKey,
    scope,
  };
}

/**
 * Writes counted windows to the cache, only those that have settled (their events have arrived:
 * a window counted before then would freeze its missing events as zeros). A one-off run writes
 * those whose counts differ from the cache; a process that remembers keeps them and writes them
 * once they have left the recounted range, SAVE_BATCH windows at a time.
 */
export async function saveWindows(
  warehouse: Warehouse,
  tables: VigilTables,
  inputs: AlertInputs,
  { settledUntil, from, memory }: { settledUntil: number; from: number; memory?: WindowMemory | undefined },
): Promise<void> {
  const settled = inputs.counted.filter((row) => row.start + WINDOW_MS <= settledUntil);
  let toSave: CountedWindow[];
  if (memory) {
    memory.remember(inputs.scope, from, settled, false);
    const unsaved = memory.unsaved(Math.min(settledUntil, inputs.recountFrom));
    toSave = new Set(unsaved.map((row) => row.start)).size >= SAVE_BATCH ? unsaved : [];
  } else {
    toSave = settled.filter((row) => !sameCounts(row, inputs.cached.get(windowKey(row))));
  }
  if (toSave.length === 0) return;
  await warehouse.insert(
    tables.windows,
    toSave.map((row) => ({
      sources: inputs.sourcesKey,
      slice: row.slice,
      slice_value: row.value,
      window_start: toSqlDateTime(new Date(row.start)),
      ...countsOf(row),
    })),
    { idempotent: true },
  );
  memory?.markSaved(toSave);
}

/** The alert state alone. */
export async function readAlertState(warehouse: Warehouse, tables: VigilTables): Promise<AlertState> {
  const state = new Map<string, LastNotification>();
  for (const row of await warehouse.query<InputRow>(alertStateSql(tables))) {
    state.set(stateKey(row.metric, row.slice), lastDecision(row));
  }
  return state;
}

/** A source's newest event before `at`, ms; undefined when it has none. */
export async function newestEvent(warehouse: Warehouse, table: { sql: string }, at: Date): Promise<number | undefined> {
  const [row] = await warehouse.query<{ newest: string }>(newestEventSql(table), { params: { at: toSqlDateTime(at) } });
  return row === undefined ? undefined : fromSqlDateTime(row.newest).getTime();
}

function lastDecision(row: InputRow): LastNotification {
  const started = fromSqlDateTime(row.since).getTime();
  const acked = fromSqlDateTime(row.acked).getTime();
  return {
    kind: row.kind as NotificationKind,
    window: fromSqlDateTime(row.window).getTime(),
    started,
    // Acknowledged from a button on one of this incident's messages.
    ...(acked > 0 && acked >= started ? { acknowledged: true } : {}),
  };
}

/** Incidents from their started and resolved decisions: each resolved one ends the latest start before it. */
function pastIncidentsOf(rows: readonly InputRow[]): PastIncidents {
  const incidents = new Map<string, { from: number; to: number }[]>();
  const opened = new Map<string, number>();
  const sorted = rows
    .map((row) => ({ key: stateKey(row.metric, row.slice), kind: row.kind, at: fromSqlDateTime(row.window).getTime() }))
    .sort((a, b) => a.at - b.at);
  for (const { key, kind, at } of sorted) {
    const from = opened.get(key);
    if (kind === 'started') opened.set(key, at);
    else if (from !== undefined) {
      incidents.set(key, [...(incidents.get(key) ?? []), { from, to: at }]);
      opened.delete(key);
    }
  }
  return incidents;
}

const windowKey = (row: Pick<CountedWindow, 'slice' | 'start' | 'value'>) => `${row.slice}|${row.start}|${row.value}`;
const instant = (text: string) => {
  const ms = fromSqlDateTime(text).getTime();
  return ms > 0 ? ms : undefined;
};

/**
 * The query's rows, sorted out: cached windows (of several copies the one with the most events:
 * a later count only adds late events), windows counted from raw events (feed and messenger
 * rows added up; the whole product has a row for every window, zero when nothing happened, so
 * its absence from the cache means "not cached"), the state, and the sources' freshness.
 */
function sortRows(rows: readonly InputRow[], rawFrom: number, to: number) {
  const cached = new Map<string, CountedWindow>();
  const raw = new Map<string, CountedWindow>();
  const state = new Map<string, LastNotification>();
  const pending = rows.filter((row) => row.part === 'pending').map(({ message, missing }) => ({ message, missing }));
  const freshness = Object.fromEntries(SOURCE_NAMES.map((name) => [name, {}])) as Record<
    SourceName,
    Freshness[SourceName]
  >;
  for (let start = rawFrom; start < to; start += WINDOW_MS) {
    const zero: CountedWindow = { slice: '', value: '', start, ...ZERO_COUNTS };
    raw.set(windowKey(zero), zero);
  }
  for (const row of countedWindows(rows.filter((r) => r.part === 'raw'))) raw.set(windowKey(row), row);
  for (const row of rows) {
    if (row.part === 'state') state.set(stateKey(row.metric, row.slice), lastDecision(row));
    if (row.part === 'fresh') {
      const newest = instant(row.newest);
      const newestBefore = instant(row.newest_before);
      freshness[row.slice as SourceName] = {
        ...(newest === undefined ? {} : { newest }),
        ...(newestBefore === undefined ? {} : { newestBefore }),
      };
    }
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
    freshness,
    pending,
    pastIncidents: pastIncidentsOf(rows.filter((row) => row.part === 'incident')),
    /** A window of a slice is cached if it has rows there, or if nothing at all happened in it. */
    covered: (slice: string, start: number) =>
      cachedWindows.has(`${slice}|${start}`) || (cachedWindows.has(`|${start}`) && quietWindows.has(start)),
  };
}
