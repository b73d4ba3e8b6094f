import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CoordinationUnavailable, KeeperClaims } from '../coordination/keeper-claims.js';
import { claimedRuns, runStillOurs, uncoordinated, type RunCoordinator } from '../coordination/run-coordinator.js';
import type { Logger } from '../log/logger.js';
import type { SendClaims } from '../notify/dispatch.js';
import { evaluatedWindow } from '../windows/windows.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Settings } from './settings.js';

/** Claims older than this are forgotten (a week of runs and sends to tell apart). */
const PRUNE_AFTER_MS = 7 * 86_400_000;

export interface Coordination {
  readonly mode: 'keeper' | 'none';
  /** Who this process is in the claims: host, pid and a random part. */
  readonly holder: string;
  readonly runs: RunCoordinator;
  /** Claims of sends (with Keeper), so no two processes send one notification. */
  readonly sends: SendClaims | undefined;
  /** Forgets claims a week old, so Keeper does not grow forever (once per service start). */
  forgetOld(): Promise<void>;
  /** For /healthz: whether the claims can be read now. */
  health(): Promise<{ mode: 'keeper' | 'none'; ok: boolean; error?: string }>;
}

/**
 * serve.coordination as this process can have it: with `keeper`, claims in a KeeperMap table on
 * the ClickHouse server; without Keeper there (or on the embedded warehouse, which one process
 * holds anyway), one process at a time, said plainly.
 */
export async function openCoordination(
  settings: Settings,
  warehouse: Warehouse,
  logger: Logger,
): Promise<Coordination> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
  const single: Coordination = {
    mode: 'none',
    holder,
    runs: uncoordinated,
    sends: undefined,
    forgetOld: () => Promise.resolve(),
    health: () => Promise.resolve({ mode: 'none', ok: true }),
  };
  if (settings.serve.coordination === 'none') return single;
  if (warehouse.kind === 'embedded') {
    logger.warn(
      'serve.coordination: keeper needs a ClickHouse server with Keeper; the embedded warehouse is ' +
        "one process's anyway: running as a single instance",
    );
    return single;
  }
  const { leaseMs } = settings.serve;
  const runClaims = new KeeperClaims(warehouse, settings.tables.claims, holder, leaseMs);
  try {
    await runClaims.ensure();
  } catch (error) {
    if (!(error instanceof CoordinationUnavailable)) throw error;
    logger.warn(
      `serve.coordination: keeper: ${error.message} (${error.hint ?? ''}); running as a single instance: ` +
        'do not start a second vigil serve, it would run every job again',
    );
    return single;
  }
  // A send's claim outlives its longest try, so a slow send is never taken for a dead one.
  const sendLeaseMs = Math.max(leaseMs, 2 * settings.delivery.budgetMs);
  return {
    mode: 'keeper',
    holder,
    runs: claimedRuns(runClaims, logger),
    sends: fencedSends(new KeeperClaims(warehouse, settings.tables.claims, holder, sendLeaseMs)),
    forgetOld: () => runClaims.prune(PRUNE_AFTER_MS).catch((error: unknown) => logger.warn(`claims: ${String(error)}`)),
    async health() {
      try {
        await runClaims.read('health');
        return { mode: 'keeper', ok: true };
      } catch (error) {
        return {
          mode: 'keeper',
          ok: false,
          error: error instanceof Error ? error.message.split('\n')[0] : String(error),
        };
      }
    },
  };
}

/**
 * Send claims that a run taken over by another process cannot win: a process frozen past its
 * lease and then thawed sends nothing more for the run it lost.
 */
function fencedSends(claims: KeeperClaims): SendClaims {
  return {
    async claim(key) {
      if (!(await runStillOurs()))
        return { kind: 'held', holder: 'the process that took the run over', expiresInMs: 0 };
      return claims.claim(key);
    },
    complete: (claim) => claims.complete(claim),
    release: (claim) => claims.release(claim),
  };
}

/**
 * The claim key of a run: the ETL's and the report's day, the alert's evaluated window (so a
 * one-off `vigil alert` a few seconds after serve's tick claims the same run).
 */
export function runKey(job: 'etl' | 'report' | 'alert', logical: string | Date, lagMs = 0): string {
  if (logical instanceof Date) return `run:${job}:${evaluatedWindow(logical, lagMs).toISOString()}`;
  return `run:${job}:${logical}`;
}
