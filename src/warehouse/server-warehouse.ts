import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { TableName } from './identifiers.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { StatementOptions, Warehouse } from './warehouse.js';
import {
  BAD_RESPONSE,
  NETWORK,
  TIMEOUT,
  WarehouseError,
  clickHouseError,
  parseClickHouseError,
} from './warehouse-error.js';

/** Where the server is and how to talk to it (`warehouse.server`). */
export interface ServerWarehouseSettings {
  readonly url: string;
  readonly username: string;
  /** Secret: never printed. */
  readonly password: string;
  /** Database for unqualified names; vigil qualifies its own. */
  readonly database: string;
  readonly requestTimeout: number;
  /** How many times a transient failure is retried. */
  readonly retries: number;
}

export interface ServerWarehouseOptions {
  /** Backoff between retries; tests shorten it. @default 500 ms doubling up to 10 s */
  readonly baseDelayMs?: number;
  /** Told about each retry, e.g. to log it. */
  readonly onRetry?: (error: WarehouseError, attempt: number, delayMs: number) => void;
}

/** Network failures that prove the request never reached the server: safe to retry anything. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_CODES = new Set([...NOT_SENT, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** A ClickHouse server over HTTP(S) through the official client. */
export function openServerWarehouse(config: ServerWarehouseSettings, options: ServerWarehouseOptions = {}): Warehouse {
  const client = createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    request_timeout: config.requestTimeout,
    application: 'vigil',
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // Counts stay far below 2^53; numbers, not strings, keep both adapters' rows alike.
      output_format_json_quote_64bit_integers: 0,
    },
  });
  const location = redactedUrl(config.url);
  const policy: RetryPolicy = { retries: config.retries, baseDelayMs: options.baseDelayMs ?? 500, maxDelayMs: 10_000 };
  // Whether the address answered its /ping as ClickHouse (or as a failing proxy) once: asked once.
  let foreign: Promise<WarehouseError | undefined> | undefined;
  const judged = async (failure: WarehouseError) => {
    foreign ??= judgeForeignAnswer(config.url, location);
    return (await foreign) ?? failure;
  };

  const attempt = async <T>(idempotent: boolean, work: () => Promise<T>): Promise<T> =>
    withRetry(
      async () => {
        try {
          return await work();
        } catch (error) {
          const failure = toWarehouseError(error, location);
          throw failure.type === BAD_RESPONSE ? await judged(failure) : failure;
        }
      },
      policy,
      (error) => error instanceof WarehouseError && error.retryable && (idempotent || neverSent(error)),
      (error, attemptNumber, delayMs) => options.onRetry?.(error as WarehouseError, attemptNumber, delayMs),
    );

  return {
    kind: 'server',
    location,
    query<Row>(sql: string, statement?: StatementOptions): Promise<Row[]> {
      return attempt(true, async () => {
        const result = await client.query({
          query: sql,
          format: 'JSONEachRow',
          query_params: statement?.params ?? {},
          clickhouse_settings: statement?.settings ?? {},
        });
        return result.json<Row>();
      });
    },
    async command(sql, statement) {
      await attempt(statement?.idempotent ?? false, () =>
        client.command({
          query: sql,
          query_params: statement?.params ?? {},
          // Without waiting for the end, an error midway through a long INSERT … SELECT could be lost.
          clickhouse_settings: { wait_end_of_query: 1, ...statement?.settings },
        }),
      );
    },
    async insert(table: TableName, rows, statement) {
      if (rows.length === 0) return;
      await attempt(statement?.idempotent ?? false, () =>
        client.insert({
          table: table.sql,
          values: rows,
          format: 'JSONEachRow',
          clickhouse_settings: statement?.settings ?? {},
        }),
      );
    },
    async ping() {
      await attempt(true, async () => {
        const result = (await client.ping()) as { success: boolean; error?: unknown };
        if (!result.success) throw result.error instanceof Error ? result.error : new Error('ping failed');
      });
    },
    async close() {
      await client.close();
    },
  };
}

function neverSent(error: WarehouseError): boolean {
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  return error.type === NETWORK && cause?.code !== undefined && NOT_SENT.has(cause.code);
}

function toWarehouseError(error: unknown, location: string): WarehouseError {
  if (error instanceof WarehouseError) return error;
  if (error instanceof ClickHouseError) {
    return clickHouseError(
      { code: Number(error.code), type: error.type ?? 'UNKNOWN', message: error.message.replace(/\.\s*$/, '') },
      error,
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  const parsed = parseClickHouseError(text);
  if (parsed) return clickHouseError(parsed, error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new WarehouseError(
      `cannot reach ClickHouse at ${location} (${code}); check warehouse.server.url and that the server is up`,
      {
        type: NETWORK,
        retryable: true,
        cause: error,
      },
    );
  }
  if (/timeout/i.test(text)) {
    return new WarehouseError(
      `ClickHouse at ${location} did not answer in time; ` +
        'raise warehouse.server.requestTimeout if the statement is expected to be long',
      {
        type: TIMEOUT,
        retryable: true,
        cause: error,
      },
    );
  }
  // Not ClickHouse's own error text: typically a proxy or load balancer in front of it (502/503).
  return new WarehouseError(`unexpected answer from ${location}: ${excerpt(text)}`, {
    type: BAD_RESPONSE,
    retryable: true,
    cause: error,
  });
}

/**
 * An answer that is not ClickHouse's own: a proxy's hiccup (worth a retry) or no ClickHouse at
 * that address at all (a 404 page: retrying cannot help). Asks the address's /ping, which every
 * ClickHouse answers with `Ok.`: the error to give up with, or undefined when a retry may help.
 */
async function judgeForeignAnswer(url: string, location: string): Promise<WarehouseError | undefined> {
  let status: number;
  let body: string;
  try {
    // /ping needs no credentials.
    const base = new URL(url);
    base.username = '';
    base.password = '';
    const response = await fetch(new URL('ping', base.href.endsWith('/') ? base.href : `${base.href}/`), {
      signal: AbortSignal.timeout(5_000),
    });
    status = response.status;
    body = await response.text();
  } catch {
    return undefined;
  }
  if ((status === 200 && body.startsWith('Ok.')) || status >= 500) return undefined;
  return new WarehouseError(`${location} answered ${status}: is this a ClickHouse HTTP endpoint?`, {
    type: BAD_RESPONSE,
    retryable: false,
    hint: 'check warehouse.server.url (ClickHouse answers its /ping with "Ok.")',
  });
}

/** The URL as it may be printed: no user, no password, no query string. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  return parsed.toString().replace(/\/$/, '');
}

/** A short, tag-free excerpt of an answer that is not ClickHouse's, for a one-line message. */
function excerpt(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 120 ? `${plain.slice(0, 117)}…` : plain;
}
