import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'vigil.pid';

/**
 * An advisory lock beside chDB's own: it lets vigil say which process holds the data directory
 * before the engine is touched (the engine's own refusal is a bare "Cannot lock file" on stderr).
 * chDB's lock stays the real guard; a stale file from a killed process is taken over.
 */
export function acquireEmbeddedLock(directory: string): { holder: number } | { release: () => void } {
  const file = join(directory, LOCK_FILE);
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => releaseIfOurs(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder === process.pid) return { release: () => undefined };
      if (holder !== undefined && isAlive(holder)) return { holder };
      rmSync(file, { force: true });
    }
  }
  return { holder: readHolder(file) ?? 0 };
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(file: string): void {
  if (readHolder(file) === process.pid) rmSync(file, { force: true });
}
