import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

const root = new URL('../..', import.meta.url).pathname;
const trace = new URL('../support/module-trace.mjs', import.meta.url).pathname;
let dir: { path: string; remove: () => void };

/** Runs the installed bin (the build in dist/) and lists the modules it loaded. */
function bin(args: string[]) {
  const file = join(dir.path, 'modules.txt');
  rmSync(file, { force: true });
  const result = spawnSync(process.execPath, ['--import', trace, join(root, 'bin/vigil.js'), ...args], {
    cwd: dir.path,
    env: { PATH: process.env.PATH ?? '', VIGIL_MODULE_TRACE: file },
    encoding: 'utf8',
  });
  const modules = readFileSync(file, 'utf8').split('\n');
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    loaded: (name: string) => modules.some((url) => url.includes(`/node_modules/${name}/`)),
  };
}

beforeAll(() => {
  dir = tempDir();
  // The bin runs the build; make it if a source is newer (instant when it is not).
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});
afterAll(() => dir.remove());

describe('the installed bin loads only what the command needs', () => {
  it.each([[['--help']], [['--version']], [['etl', '--help']], [['serve', '--help']], [['config']]])(
    'vigil %j loads neither chDB nor Vega',
    (args) => {
      const run = bin(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.loaded('commander')).toBe(true);
      for (const heavy of ['chdb', 'vega', 'vega-lite', '@resvg']) expect(run.loaded(heavy), heavy).toBe(false);
    },
  );

  it('loads the embedded engine when a command opens the warehouse', () => {
    const run = bin(['status']);
    // An empty warehouse: its source tables are missing, which status reports with exit 1.
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('warehouse: embedded ClickHouse');
    expect(run.loaded('chdb')).toBe(true);
  });
});

describe('the installed bin in a pipeline', () => {
  it('stops quietly when the reader closes the pipe early (vigil … | head)', () => {
    const rows = Array.from(
      { length: 20_000 },
      (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 900_000).toISOString()},${i % 97}`,
    );
    writeFileSync(join(dir.path, 'long.csv'), ['time,value', ...rows].join('\n'));
    // `head -c 100`: reads a little, then closes its end while vigil is still writing.
    const result = spawnSync(
      '/bin/sh',
      [
        '-c',
        `"${process.execPath}" "${join(root, 'bin/vigil.js')}" backtest --input long.csv --detector iqr --json ` +
          '| head -c 100',
      ],
      { cwd: dir.path, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
    );
    expect(result.stdout).toHaveLength(100);
    expect(result.stderr).toBe('');
  });
});
