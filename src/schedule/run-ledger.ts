import { ensureVigilTables, type VigilTables } from '../tables/vigil-tables.js';
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
  readonly status: 'success' | 'failure';
  /** The failure's message, secrets already redacted; '' on success. */
  readonly error: string;
  /** Rows written (the ETL) or notifications sent; 0 when not applicable. */
  readonly rows: number;
}

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
      },
    ]);
  }

  /** The latest attempts, newest first. */
  async recent(options: { job?: JobName; limit: number }): Promise<RunRecord[]> {
    await this.ensure();
    const rows = await this.warehouse.query<{
      job: JobName;
      logical: string;
      attempt: number;
      started_at: string;
      finished_at: string;
      status: 'success' | 'failure';
      error: string;
      rows: number;
    }>(
      `SELECT job, logical, attempt, toString(started_at) AS started_at, toString(finished_at) AS finished_at,
         status, error, rows
       FROM ${this.tables.runs.sql} WHERE {job:String} = '' OR job = {job:String}
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
      startedAt: new Date(`${r.started_at.replace(' ', 'T')}Z`),
      finishedAt: new Date(`${r.finished_at.replace(' ', 'T')}Z`),
    }));
  }

  private ensure(): Promise<void> {
    return ensureVigilTables(this.warehouse, this.tables);
  }
}

function isoMillis(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
