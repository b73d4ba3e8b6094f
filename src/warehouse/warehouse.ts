import type { TableName } from './identifiers.js';

/**
 * A value for a ClickHouse bound parameter `{name:Type}`: scalars only, which both adapters bind
 * identically. Dates travel as `YYYY-MM-DD` / `YYYY-MM-DD hh:mm:ss` strings.
 */
export type QueryParamValue = string | number | boolean | bigint | null;
export type QueryParams = Readonly<Record<string, QueryParamValue>>;

export interface StatementOptions {
  /** Bound parameters for the `{name:Type}` placeholders of the statement. */
  readonly params?: QueryParams;
  /** ClickHouse settings for this statement only, e.g. `{ max_threads: 2 }`. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Whether running the statement twice is harmless, so a transient failure may be retried even
   * if the first attempt might have reached the server. Reads always are.
   * @default false for commands and inserts
   */
  readonly idempotent?: boolean;
}

/**
 * The one door to ClickHouse. The same SQL (with ClickHouse's own `{name:Type}` bound parameters)
 * runs on both adapters: embedded chDB and a ClickHouse server over HTTP. Every failure is a
 * {@link import('./warehouse-error.js').WarehouseError}.
 *
 * 64-bit integers come back as JS numbers: vigil's counts stay far below 2^53.
 */
export interface Warehouse {
  /** `embedded` (chDB in this process) or `server` (ClickHouse over HTTP). */
  readonly kind: 'embedded' | 'server';
  /** Human-readable location (a data directory or a URL without credentials). */
  readonly location: string;
  /** Runs a SELECT and returns its rows as objects (JSONEachRow). */
  query<Row = Record<string, unknown>>(sql: string, options?: StatementOptions): Promise<Row[]>;
  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, ALTER). */
  command(sql: string, options?: StatementOptions): Promise<void>;
  /** Inserts rows given as objects keyed by column name. */
  insert(
    table: TableName,
    rows: readonly Readonly<Record<string, unknown>>[],
    options?: Omit<StatementOptions, 'params'>,
  ): Promise<void>;
  /** Checks that the warehouse answers; throws a WarehouseError if not. */
  ping(): Promise<void>;
  /** Releases the connection (and, when embedded, the data directory's lock). Idempotent. */
  close(): Promise<void>;
}
