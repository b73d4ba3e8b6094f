import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TSX_IMPORT } from './tsx-loader.js';

export interface ClickHouseFront {
  readonly url: string;
  /** Makes the next `count` requests fail with an HTTP status, or by resetting the connection. */
  injectFaults(faults: { status?: number; reset?: boolean; body?: string; count: number }): Promise<void>;
  /** Requests the front has answered (or failed on purpose) so far. */
  requestCount(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the ClickHouse-HTTP front over chDB in a child process with its own data directory. */
export async function startClickHouseFront(
  user: string,
  password: string,
  options: { configFile?: string } = {},
): Promise<ClickHouseFront> {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-front-'));
  const script = new URL('./clickhouse-http-front.ts', import.meta.url).pathname;
  const args = [script, directory, user, password, ...(options.configFile ? [options.configFile] : [])];
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX_IMPORT, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('no stdout from the ClickHouse front');
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    lines.once('line', (line) => resolve(Number(line.split(' ')[1])));
    child.once('exit', (code) => reject(new Error(`ClickHouse front exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async injectFaults(faults) {
      await fetch(`${url}/__faults`, { method: 'POST', body: JSON.stringify(faults) });
    },
    async requestCount() {
      const stats = (await (await fetch(`${url}/__stats`)).json()) as { requests: number };
      return stats.requests;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
