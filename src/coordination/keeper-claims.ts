import { JobError } from '../errors/vigil-error.js';
import { quoteIdentifier, type TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';

/** A claim this process holds: its key, who we are, and the fencing token of our tenure. */
export interface Claim {
  readonly key: string;
  readonly holder: string;
  readonly token: number;
}

export type ClaimOutcome =
  | { readonly kind: 'won'; readonly claim: Claim; readonly tookOver: boolean }
  /** Another process holds it and its lease is running. */
  | { readonly kind: 'held'; readonly holder: string; readonly expiresInMs: number }
  /** Someone finished the work. */
  | { readonly kind: 'done'; readonly holder: string };

/** Our tenure: the holder and token of a claim. */
const tenure = 'holder = {owner:String} AND token = {token:UInt64}';

/** Keeper is not there to coordinate through (not configured on the server). */
export class CoordinationUnavailable extends JobError {
  override readonly name = 'CoordinationUnavailable';
}

/**
 * Strict mode makes a KeeperMap INSERT of an existing key fail, and an UPDATE a versioned
 * compare-and-set: without it two processes can both believe they won (checked in tests).
 */
export const STRICT = { keeper_map_strict_mode: 1 } as const;

/**
 * Fail fast when Keeper is away: ClickHouse would otherwise retry for minutes. A claim not had
 * within seconds fails the run (the scheduler retries it), and nothing is sent meanwhile.
 */
const FAIL_FAST = {
  keeper_max_retries: 2,
  keeper_retry_max_backoff_ms: 500,
  insert_keeper_max_retries: 2,
  insert_keeper_retry_max_backoff_ms: 500,
} as const;
const WRITE = { ...STRICT, ...FAIL_FAST };

interface ClaimRow {
  readonly holder: string;
  /** The tenure: moves on with each holder. */
  readonly token: number;
  /** Moves on with every change, so a takeover cannot overwrite a renewal it did not see. */
  readonly version: number;
  readonly state: 'running' | 'done';
  /** Milliseconds until the lease expires, by the server's clock (negative once expired). */
  readonly expires_in: number;
}

/**
 * Exactly-once claims through ClickHouse Keeper, with the KeeperMap table engine: the first
 * INSERT of a key wins; a lease expired (or work finished, when asked) is taken over by a
 * fenced UPDATE that only one of racing processes makes. Every instant is the server's
 * (`now64`), so replicas' clocks do not matter. Anything but a clear answer is an error: the
 * caller sends nothing without a claim.
 */
export class KeeperClaims {
  private claims = 0;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly table: TableName,
    readonly holder: string,
    readonly leaseMs: number,
  ) {}

  /** The claims table in Keeper, beside vigil's others; code 36 means the server has no Keeper for it. */
  async ensure(): Promise<void> {
    await this.warehouse.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(this.table.database)}`, {
      idempotent: true,
    });
    try {
      await this.warehouse.command(
        `CREATE TABLE IF NOT EXISTS ${this.table.sql} (
  key String, holder String, token UInt64, version UInt64, state LowCardinality(String),
  expires_at DateTime64(3, 'UTC')
) ENGINE = KeeperMap('/vigil/${this.table.database}/${this.table.table}') PRIMARY KEY key`,
        { idempotent: true },
      );
    } catch (error) {
      if (error instanceof WarehouseError && (error.code === 36 || error.type === 'BAD_ARGUMENTS'))
        throw new CoordinationUnavailable('the ClickHouse server has no Keeper for KeeperMap tables', {
          hint: 'configure <zookeeper> and <keeper_map_path_prefix> on the server, or set serve.coordination: none',
          cause: error,
        });
      throw error;
    }
  }

  /**
   * Claims `key` for this process. A lease that expired is taken over; finished work too when
   * `again` (a re-run asked for by a person).
   */
  async claim(key: string, again = false): Promise<ClaimOutcome> {
    // Each claim names its own tenure: two claims of one process racing for a key are two.
    const me = `${this.holder}/${++this.claims}`;
    try {
      await this.warehouse.command(
        `INSERT INTO ${this.table.sql} (key, holder, token, version, state, expires_at)
         SELECT {key:String}, {holder:String}, 1, 1, 'running', now64(3) + toIntervalMillisecond({lease:UInt32})`,
        { params: { key, holder: me, lease: this.leaseMs }, settings: WRITE },
      );
      return { kind: 'won', claim: { key, holder: me, token: 1 }, tookOver: false };
    } catch (error) {
      if (!isKeeperConflict(error)) throw error;
    }
    const seen = await this.read(key);
    if (seen === undefined) return this.claim(key, again);
    if (seen.state === 'done' && !again) return { kind: 'done', holder: seen.holder };
    if (seen.state === 'running' && seen.expires_in > 0)
      return { kind: 'held', holder: seen.holder, expiresInMs: seen.expires_in };
    // Expired or finished: of the processes racing here, the one whose update finds the version
    // it read takes the next tenure; a renewal in between moves the version on, and nobody does.
    await this.update(
      key,
      `version = {version:UInt64}`,
      seen.version,
      `holder = {holder:String}, token = token + 1, state = 'running'`,
      undefined,
      me,
    );
    const after = await this.read(key);
    if (after?.holder === me && after.token === seen.token + 1)
      return { kind: 'won', claim: { key, holder: me, token: after.token }, tookOver: true };
    if (after === undefined) return this.claim(key, again);
    return after.state === 'done'
      ? { kind: 'done', holder: after.holder }
      : { kind: 'held', holder: after.holder, expiresInMs: after.expires_in };
  }

  /** Extends our lease; false when it is no longer ours (it expired and was taken over). */
  async renew(claim: Claim): Promise<boolean> {
    await this.update(claim.key, `${tenure} AND state = 'running'`, 0, 'state = state', claim);
    return this.holds(claim);
  }

  /** Marks the work done: nobody takes it over. */
  async complete(claim: Claim): Promise<boolean> {
    await this.update(claim.key, tenure, 0, `state = 'done'`, claim);
    const row = await this.read(claim.key);
    return row?.holder === claim.holder && row.token === claim.token && row.state === 'done';
  }

  /** Gives the work up (it failed): anyone may take it over at once. */
  async release(claim: Claim): Promise<void> {
    await this.warehouse.command(
      `ALTER TABLE ${this.table.sql} UPDATE expires_at = now64(3) - toIntervalMillisecond(1)
       WHERE key = {key:String} AND holder = {holder:String} AND token = {token:UInt64} AND state = 'running'`,
      {
        params: { key: claim.key, holder: claim.holder, token: claim.token },
        settings: { ...WRITE, mutations_sync: 2 },
      },
    );
  }

  /** Whether we still hold a claim, lease running. */
  async holds(claim: Claim): Promise<boolean> {
    const row = await this.read(claim.key);
    return row?.holder === claim.holder && row.token === claim.token && row.state === 'running' && row.expires_in > 0;
  }

  /** Forgets claims finished or expired longer ago than `ageMs`, so Keeper does not grow forever. */
  async prune(ageMs: number): Promise<void> {
    await this.warehouse.command(
      `ALTER TABLE ${this.table.sql} DELETE WHERE expires_at < now64(3) - toIntervalMillisecond({age:UInt64})`,
      { params: { age: ageMs }, settings: { ...WRITE, mutations_sync: 2 } },
    );
  }

  /** Reads one key; also the health check (Keeper answers, the table is there). */
  async read(key: string): Promise<ClaimRow | undefined> {
    // 64-bit integers come back quoted in JSON.
    type Raw = Omit<ClaimRow, 'token' | 'version' | 'expires_in'> & Record<'token' | 'version' | 'expires_in', string>;
    const [row] = await this.warehouse.query<Raw>(
      `SELECT holder, token, version, state, toInt64(dateDiff('millisecond', now64(3), expires_at)) AS expires_in
       FROM ${this.table.sql} WHERE key = {key:String}`,
      { params: { key }, settings: FAIL_FAST },
    );
    if (row === undefined) return undefined;
    return { ...row, token: Number(row.token), version: Number(row.version), expires_in: Number(row.expires_in) };
  }

  /**
   * An update of one key under a condition (`version = ` what was read, or our tenure), moving
   * the version on and renewing the lease. Of processes racing, one changes the row; the others
   * fail ("Bad version") or change nothing, and read again.
   */
  private async update(
    key: string,
    condition: string,
    version: number,
    assignments: string,
    claim?: Claim,
    newHolder?: string,
  ): Promise<void> {
    try {
      await this.warehouse.command(
        `ALTER TABLE ${this.table.sql}
         UPDATE ${assignments}, version = version + 1, expires_at = now64(3) + toIntervalMillisecond({lease:UInt32})
         WHERE key = {key:String} AND ${condition}`,
        {
          params: {
            key,
            version,
            lease: this.leaseMs,
            holder: newHolder ?? '',
            owner: claim?.holder ?? '',
            token: claim?.token ?? 0,
          },
          settings: { ...WRITE, mutations_sync: 2 },
        },
      );
    } catch (error) {
      if (!isKeeperConflict(error)) throw error;
    }
  }
}

/**
 * Keeper refused a write because another process got there first ("Node exists", "Bad
 * version"). ClickHouse gives every Keeper failure one code (999), so the Keeper error's own
 * name, in the message, is what tells a lost race from Keeper being down.
 */
function isKeeperConflict(error: unknown): boolean {
  return (
    error instanceof WarehouseError &&
    error.code === 999 &&
    /Node exists|Bad version|ZNODEEXISTS|ZBADVERSION/.test(error.message)
  );
}
