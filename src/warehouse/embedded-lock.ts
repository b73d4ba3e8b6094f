import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'vigil.pid';

/**
 * An advisory lock beside chDB's own: it lets vigil say which process holds the data directory
 * before the engine is touched (the engine's own refusal is a bare "Cannot lock file" on stderr).
 * chDB's lock stays the real guard. The file names the holder by its pid and its start time, so
 * a file left by a process that died is taken over even when the pid now belongs to another one.
 */
export function acquireEmbeddedLock(directory: string): { holder: number } | { release: () => void } {
  const file = join(directory, LOCK_FILE);
  const me = { pid: process.pid, started: startTime(process.pid) };
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, `${me.pid} ${me.started ?? ''}\n`, { flag: 'wx' });
      return { release: () => releaseIfOurs(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder?.pid === process.pid) return { release: () => undefined };
      if (holder !== undefined && isHolding(holder)) return { holder: holder.pid };
      rmSync(file, { force: true });
    }
  }
  return { holder: readHolder(file)?.pid ?? 0 };
}

interface Holder {
  readonly pid: number;
  /** When it started, in clock ticks since boot (Linux); undefined where unknown. */
  readonly started: string | undefined;
}

function readHolder(file: string): Holder | undefined {
  try {
    const [pidText = '', started] = readFileSync(file, 'utf8').trim().split(/\s+/);
    const pid = Number.parseInt(pidText, 10);
    return Number.isSafeInteger(pid) && pid > 0 ? { pid, started: started === '' ? undefined : started } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process named by the file still runs: the same pid and, where the system tells, the same start. */
function isHolding(holder: Holder): boolean {
  if (!isAlive(holder.pid)) return false;
  const started = startTime(holder.pid);
  // Where start times are known, a different one (or none written) means the pid was reused.
  return started === undefined || started === holder.started;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time from /proc (field 22 of its stat line); undefined elsewhere. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function releaseIfOurs(file: string): void {
  if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
}
