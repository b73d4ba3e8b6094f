import { ensureOnce, forgetEnsured } from '../warehouse/ensure-once.js';
import { quoteIdentifier, tableName, type TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** vigil's own tables in its database (config `database`): what the alert and the service remember. */
export interface VigilTables {
  readonly database: string;
  /** Counted 15-minute windows, so runs read raw events only for the newest ones. */
  readonly windows: TableName;
  /** Every alert evaluation. */
  readonly evaluations: TableName;
  /**
   * The notifications journal: what was decided (with the message, written before it is sent) and
   * every delivery to every destination.
   */
  readonly notifications: TableName;
  /** The journal of vigil before 0.2, read once into {@link notifications}. */
  readonly legacyNotifications: TableName;
  /** The run ledger: every attempt of every scheduled run. */
  readonly runs: TableName;
  /** Silences: added and removed, with who, when and why. */
  readonly silences: TableName;
  /** Claims of runs and sends, in Keeper (KeeperMap): made only with serve.coordination: keeper. */
  readonly claims: TableName;
}

export function vigilTables(database: string): VigilTables {
  const named = (table: string) => tableName(`${database}.${table}`);
  return {
    database,
    windows: named('alert_windows'),
    evaluations: named('alert_evaluations'),
    notifications: named('notifications'),
    legacyNotifications: named('alert_notifications'),
    runs: named('runs'),
    silences: named('silences'),
    claims: named('claims'),
  };
}

/** The alert's tables, those a fresh simulation makes obsolete (the run ledger stays). */
const ALERT_TABLES = ['windows', 'evaluations', 'notifications', 'legacyNotifications'] as const;

/** Creates vigil's database and tables once per warehouse connection. */
export async function ensureVigilTables(warehouse: Warehouse, tables: VigilTables): Promise<void> {
  await ensureOnce(warehouse, [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(tables.database)}`,
    createWindowsTableSql(tables.windows),
    createEvaluationsTableSql(tables.evaluations),
    createNotificationsTableSql(tables.notifications),
    createRunsTableSql(tables.runs),
    createSilencesTableSql(tables.silences),
  ]);
}

/** Forgets every alert evaluation, notification and counted window, for when the sources were replaced wholesale. */
export async function discardAlertState(warehouse: Warehouse, tables: VigilTables): Promise<void> {
  for (const name of ALERT_TABLES)
    await warehouse.command(`DROP TABLE IF EXISTS ${tables[name].sql}`, { idempotent: true });
  forgetEnsured(warehouse);
}

/**
 * The per-window counts already computed, so each run reads only the newest windows of raw
 * events. `sources` keys the rows by the tables they came from, `slice` by the attribute ('' for
 * the whole product), `slice_value` by its value. A window is written again when a later count
 * differs (late events); merges keep the last copy, readers the one with the most events.
 */
function createWindowsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  sources String, slice String, slice_value String, window_start DateTime('UTC'),
  users UInt64, active_posts UInt64, views UInt64, likes UInt64, senders UInt64, messages UInt64
) ENGINE = ReplacingMergeTree ORDER BY (sources, slice, window_start, slice_value)`;
}

/** Every evaluation: which window, which metric, its value and band, and the decision. */
function createEvaluationsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  evaluated_at DateTime('UTC'), window_start DateTime('UTC'), metric LowCardinality(String), slice String,
  value Nullable(Float64), low Nullable(Float64), up Nullable(Float64),
  alert UInt8, -- the detector's verdict
  notified UInt8 -- and whether it passed the noise gate
) ENGINE = MergeTree ORDER BY (metric, window_start)`;
}

/**
 * The notifications journal. `decided` rows say what was decided about a subject (a metric of a
 * slice, a source without data, a day's report) and carry the message that announces it, written
 * before the message is sent (several subjects can share one message; its text and picture ride
 * on the first of them). `sent` and `failed` rows record each delivery to each destination. A
 * message is pending while one of its destinations has no `sent` row.
 */
function createNotificationsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  recorded_at DateTime64(3, 'UTC'),
  message String,
  entry LowCardinality(String),
  destination LowCardinality(String),
  subject LowCardinality(String),
  slice String,
  kind LowCardinality(String),
  window_start DateTime('UTC'),
  value Nullable(Float64), low Nullable(Float64), up Nullable(Float64),
  destinations Array(String),
  text String,
  image String,
  error String
) ENGINE = MergeTree ORDER BY (message, recorded_at)`;
}

/**
 * Copies the alert decisions of vigil before 0.2 (`alert_notifications`) into the journal once,
 * as decided, so an anomaly open across the upgrade is not announced again; then drops the old
 * table. Nothing to do when it is not there.
 */
export async function importLegacyNotifications(warehouse: Warehouse, tables: VigilTables): Promise<void> {
  const legacy = tables.legacyNotifications;
  const [found] = await warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    { params: { database: legacy.database, table: legacy.table } },
  );
  if (!found || found.n === 0) return;
  await warehouse.command(
    `INSERT INTO ${tables.notifications.sql}
       (recorded_at, message, entry, destination, subject, slice, kind, window_start, value, low, up,
        destinations, text)
     SELECT window_start, concat('legacy-', metric, '-', slice, '-', toString(window_start), '-', kind), 'decided', '',
       metric, slice, kind, window_start, value, low, up, [], text
     FROM ${legacy.sql}`,
  );
  await warehouse.command(`DROP TABLE ${legacy.sql}`, { idempotent: true });
}

/** Silences as a log: an `added` row each, and a `removed` row when one is ended early. */
function createSilencesTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  id String, entry LowCardinality(String), metric LowCardinality(String), slice String,
  starts_at DateTime64(3, 'UTC'), ends_at DateTime64(3, 'UTC'),
  created_by String, recorded_at DateTime64(3, 'UTC'), comment String
) ENGINE = MergeTree ORDER BY (id, recorded_at)`;
}

function createRunsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  job LowCardinality(String), logical String, attempt UInt8,
  started_at DateTime64(3, 'UTC'), finished_at DateTime64(3, 'UTC'),
  status LowCardinality(String), error String, rows UInt64,
  holder String DEFAULT '' -- host:pid of the process that began a running attempt
) ENGINE = MergeTree ORDER BY (job, started_at)`;
}
