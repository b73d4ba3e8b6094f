import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/cli-context.js';

export interface VigilResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface VigilOptions {
  readonly cwd: string;
  /** The whole environment the command sees (nothing leaks in from the test process). */
  readonly env?: Record<string, string>;
  /** The wall clock, for commands that default to now. */
  readonly now?: () => Date;
  /** Resolves when a long-running command (serve, simulate --live) should stop. */
  readonly stopSignal?: () => Promise<string>;
}

/**
 * Runs `vigil …` in this process through `main(argv, io)`, capturing what it prints: the CLI
 * exactly as the bin runs it, without the cost of a new Node process and a new engine.
 */
export async function vigil(args: readonly string[], options: VigilOptions): Promise<VigilResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { ...options.env },
    cwd: options.cwd,
    isTTY: false,
    now: options.now ?? (() => new Date()),
    stopSignal: options.stopSignal ?? (() => new Promise<string>(() => undefined)),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
