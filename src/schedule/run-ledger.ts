import { hostname } from 'node:os';
import { ensureVigilTables, type VigilTables } from '../tables/vigil-tables.js';
import { ensureOnce } from '../warehouse/ensure-once.js';
import type { TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { JobName } from './jobs.js';

/** One attempt of one run of a job, as the ledger records it. */
export interface RunRecord {
  readonly job: JobName;
  /** The logical date (etl, report) or evaluation time (alert) the run was for. */
  readonly logical: string;
  readonly attempt: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** `running` from when an attempt begins until its outcome is recorded (without Keeper). */
  readonly status: 'success' | 'failure' | 'running';
  /** The failure's message, secrets already redacted; '' on success. */
  readonly error: string;
  /** Rows written (the ETL) or notifications sent; 0 when not applicable. */
  readonly rows: number;
  /** For a running attempt: `host:pid` of the process running it. */
  readonly holder?: string;
}

/** This process, as the ledger names the holder of a running attempt. */
const THIS_PROCESS = `${hostname()}:${process.pid}`;

/** The run ledger in the warehouse: every attempt of every scheduled run. */
export class RunLedger {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly tables: VigilTables,
  ) {}

  async record(run: RunRecord): Promise<void> {
    await this.ensure();
    await this.warehouse.insert(this.tables.runs, [
      {
        job: run.job,
        logical: run.logical,
        attempt: run.attempt,
        started_at: isoMillis(run.startedAt),
        finished_at: isoMillis(run.finishedAt),
        status: run.status,
        error: run.error,
        rows: run.rows,
        holder: run.status === 'running' ? THIS_PROCESS : '',
      },
    ]);
  }

  /** Says an attempt has begun, so another process sees it in progress (without Keeper's claims). */
  async begin(run: Pick<RunRecord, 'job' | 'logical' | 'attempt' | 'startedAt'>): Promise<void> {
    await this.record({ ...run, finishedAt: run.startedAt, status: 'running', error: '', rows: 0 });
  }

  /**
   * The attempt of a job begun within `freshMs` before `now` whose outcome is not recorded yet: in
   * progress, or crashed (which cannot be told apart without Keeper, so it is forgotten after
   * `freshMs`).
   */
  async inProgress(job: JobName, now: Date, freshMs: number): Promise<RunRecord | undefined> {
    const [running] = (await this.recent({ job, limit: 20 })).filter(
      (run) => run.status === 'running' && run.startedAt.getTime() > now.getTime() - freshMs && !diedHere(run),
    );
    return running;
  }

  /** The latest attempts, newest first (an attempt begun and finished: its outcome only). */
  async recent(options: { job?: JobName; limit: number }): Promise<RunRecord[]> {
    await this.ensure();
    const rows = await this.warehouse.query<{
      job: JobName;
      logical: string;
      attempt: number;
      started_at: string;
      finished_at: string;
      status: RunRecord['status'];
      error: string;
      rows: number;
      holder: string;
    }>(
      `SELECT job, logical, attempt, toString(started_at) AS started_at, toString(finished_at) AS finished_at,
         status, error, rows, holder
       FROM ${this.tables.runs.sql} WHERE ({job:String} = '' OR job = {job:String})
         AND NOT (status = 'running' AND (job, logical, attempt, started_at) IN (
           SELECT job, logical, attempt, started_at FROM ${this.tables.runs.sql} WHERE status != 'running'))
       ORDER BY started_at DESC, attempt DESC LIMIT {limit:UInt32}`,
      { params: { job: options.job ?? '', limit: options.limit } },
    );
    return rows.map((r) => ({
      job: r.job,
      logical: r.logical,
      attempt: r.attempt,
      status: r.status,
      error: r.error,
      rows: r.rows,
      ...(r.holder === '' ? {} : { holder: r.holder }),
      startedAt: new Date(`${r.started_at.replace(' ', 'T')}Z`),
      finishedAt: new Date(`${r.finished_at.replace(' ', 'T')}Z`),
    }));
  }

  private async ensure(): Promise<void> {
    await ensureVigilTables(this.warehouse, this.tables);
    const { runs } = this.tables;
    await ensureOnce(this.warehouse, [{ key: `${runs.sql} holder`, run: (w) => addHolderColumn(w, runs) }]);
  }
}

/**
 * Ledgers made before the column get it (the process that began an attempt); others are left
 * alone: an `ALTER … IF NOT EXISTS` that changes nothing still rewrites the table's metadata (and,
 * replicated, goes through Keeper) on every process's start.
 */
async function addHolderColumn(warehouse: Warehouse, runs: TableName): Promise<void> {
  const [present] = await warehouse.query(
    `SELECT 1 FROM system.columns WHERE database = {database:String} AND table = {table:String} AND name = 'holder'`,
    { params: { database: runs.database, table: runs.table } },
  );
  if (!present) {
    await warehouse.command(`ALTER TABLE ${runs.sql} ADD COLUMN IF NOT EXISTS holder String DEFAULT ''`, {
      idempotent: true,
    });
  }
}

/** A running attempt begun by a process of this host that is gone: it crashed (kill -9, say). */
function diedHere(run: RunRecord): boolean {
  const [host, pid] = run.holder?.split(':') ?? [];
  if (host !== hostname() || pid === undefined || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function isoMillis(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
