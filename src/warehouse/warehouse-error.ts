import { JobError } from '../errors/vigil-error.js';

/**
 * A failure talking to ClickHouse, whichever adapter. `code` and `type` are ClickHouse's own
 * (`Code: 60. … (UNKNOWN_TABLE)`) when the engine refused the statement; for failures before the
 * engine answered (network, HTTP proxy, lock) `code` is undefined and `type` is vigil's own word.
 * Callers decide on `type` and `retryable`, never on message wording.
 */
export class WarehouseError extends JobError {
  override readonly name = 'WarehouseError';
  readonly code: number | undefined;
  readonly type: string;
  /** True when trying again later could succeed (network, overload, timeout). */
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { code?: number | undefined; type: string; retryable: boolean; cause?: unknown; hint?: string },
  ) {
    super(message, { cause: details.cause, hint: details.hint });
    this.code = details.code;
    this.type = details.type;
    this.retryable = details.retryable;
  }
}

/** Whether a statement failed because a table, or its database, does not exist (yet). */
export function isMissingTable(error: unknown): error is WarehouseError {
  return error instanceof WarehouseError && (error.type === 'UNKNOWN_TABLE' || error.type === 'UNKNOWN_DATABASE');
}

/** For a read of a table that may not exist yet (vigil's own, before their first write): `fallback` then. */
export function whenMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (isMissingTable(error)) return fallback;
    throw error;
  };
}

/** vigil's own types for failures that carry no ClickHouse code. */
export const NETWORK = 'NETWORK';
export const TIMEOUT = 'TIMEOUT';
export const BAD_RESPONSE = 'BAD_RESPONSE';
export const WAREHOUSE_LOCKED = 'WAREHOUSE_LOCKED';
export const CLOSED = 'CLOSED';

/** ClickHouse error codes worth a retry: the server was busy, a replica or the network hiccupped. */
const TRANSIENT_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (replica momentarily read-only)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED (server-wide pressure may pass)
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

const CLICKHOUSE_ERROR = /Code: (\d+)\.\s.*?Exception: (.+?)\s*\(([A-Z][A-Z0-9_]{2,})\)/s;

export interface ParsedClickHouseError {
  readonly code: number;
  readonly type: string;
  readonly message: string;
}

/** Parses ClickHouse's `Code: N. DB::Exception: message (TYPE) (version …)` text. */
export function parseClickHouseError(text: string): ParsedClickHouseError | undefined {
  const match = CLICKHOUSE_ERROR.exec(text);
  if (!match) return undefined;
  const [, code, message, type] = match as unknown as [string, string, string, string];
  return { code: Number(code), type, message: message.replace(/\.$/, '') };
}

/** Builds the WarehouseError for a ClickHouse error code and type. */
export function clickHouseError(parsed: ParsedClickHouseError, cause?: unknown): WarehouseError {
  return new WarehouseError(`ClickHouse error ${parsed.code} (${parsed.type}): ${parsed.message}`, {
    code: parsed.code,
    type: parsed.type,
    retryable: TRANSIENT_CODES.has(parsed.code),
    cause,
  });
}
