import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/cli/main.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { TSX_IMPORT } from '../support/tsx-loader.js';
import { vigil } from '../support/vigil.js';

/*
 * Every failure reaches the user through one mapping: a usage or config mistake is one line and
 * the usage (exit 2), a job's failure one line naming what to fix (exit 1), and only a bug prints
 * a stack. One case per class of error, and per command family.
 */

let dir: { path: string; remove: () => void };
const write = (name: string, text: string) => writeFileSync(join(dir.path, name), text);
const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

beforeAll(async () => {
  dir = tempDir();
  write(
    'nowhere.yaml',
    'sources:\n  feed: nowhere.feed_actions\n  messages: nowhere.message_actions\nserve:\n  port: 0\n',
  );
  write('refused.yaml', 'warehouse:\n  server:\n    url: http://127.0.0.1:1\n    retries: 0\n');
  const simulated = await vigil(
    ['simulate', '--days', '2', '--until', '2024-03-08T00:00:00Z', '--users', '200', '--events-per-day', '2000'],
    {
      cwd: dir.path,
    },
  );
  expect(simulated.code, simulated.stderr).toBe(0);
});
afterAll(() => dir.remove());

describe('usage and configuration mistakes: one line and the usage, exit 2', () => {
  it('a bad flag value (one-off jobs)', async () => {
    const result = await vigil(['report', '--date', '2024-13-01'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual([
      'vigil report: --date must be a date YYYY-MM-DD (got "2024-13-01")',
      'Usage: vigil report [options]',
      "Run 'vigil report --help' for details.",
      '',
    ]);
  });

  it.each(['0001-01-01T00:00:00Z', '9999-12-31T00:00:00Z'])('a time no data can have: --at %s', async (at) => {
    const result = await vigil(['alert', '--at', at], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--at must be a time from the year 2000 to 2099 (got "${at}")`);
  });

  it('a configuration that cannot be used (inspection commands)', async () => {
    write('bad.yaml', 'schedule:\n  alert: every quarter hour\n');
    const result = await vigil(['status', '-c', 'bad.yaml'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('schedule.alert: got "every quarter hour", expected a cron expression');
    noStack(result.stderr);
  });

  it('a series that cannot be read (backtest)', async () => {
    write('bad.csv', 'time,value\nnot a time,1\n');
    const result = await vigil(['backtest', '--input', 'bad.csv'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--input bad.csv, line 2:');
  });
});

describe("a job's failure: one line naming what to fix, exit 1", () => {
  it.each([
    ['report', ['report', '--date', '2024-03-06']],
    ['alert', ['alert', '--at', '2024-03-07T12:00:00Z']],
    ['etl', ['etl', '--date', '2024-03-06']],
  ])('a missing source table names its config key (%s)', async (_name, args) => {
    const result = await vigil([...args, '-c', 'nowhere.yaml'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vigil \w+: sources\.feed: table nowhere\.feed_actions does not exist/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('SELECT');
  });

  it('a warehouse that cannot be reached (inspection commands)', async () => {
    const result = await vigil(['status', '-c', 'refused.yaml'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'vigil status: cannot reach ClickHouse at http://127.0.0.1:1 (ECONNREFUSED); ' +
        'check warehouse.server.url and that the server is up\n',
    );
  });

  it('an address that is not ClickHouse: said once, not retried', async () => {
    let requests = 0;
    const page = createHttpServer((_request, response) => {
      requests++;
      response.writeHead(404, { 'Content-Type': 'text/html' });
      response.end(`<html><body><h1>404 Not Found</h1>${'<p>padding</p>'.repeat(500)}</body></html>`);
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    write('page.yaml', `warehouse:\n  server:\n    url: ${url}\n    retries: 3\n`);
    try {
      const result = await vigil(['status', '-c', 'page.yaml'], { cwd: dir.path });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `vigil status: ${url} answered 404: is this a ClickHouse HTTP endpoint?; ` +
          'check warehouse.server.url (ClickHouse answers its /ping with "Ok.")\n',
      );
      // The failed request and the one /ping that told; no retries.
      expect(requests).toBe(2);
    } finally {
      page.close();
    }
  });

  it('tables the simulator did not make (simulate)', async () => {
    const warehouse = openChdbWarehouse(join(dir.path, '.vigil/warehouse'));
    await warehouse.command('CREATE DATABASE IF NOT EXISTS product');
    await warehouse.command('CREATE TABLE IF NOT EXISTS product.feed_actions (x UInt8) ENGINE = MergeTree ORDER BY x');
    await warehouse.close();
    write('product.yaml', 'sources:\n  feed: product.feed_actions\n  messages: product.message_actions\n');
    const result = await vigil(['simulate', '--days', '1', '-c', 'product.yaml'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vigil simulate: product\.feed_actions exists and was not made by vigil simulate/);
    noStack(result.stderr);
  });

  it('a warehouse held by another process (demo)', async () => {
    const held = tempDir();
    const warehouse = openChdbWarehouse(join(held.path, '.vigil/warehouse'));
    try {
      const result = await runCli(['demo'], { cwd: held.path, timeoutMs: 30_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is in use by process ${process.pid}`);
      noStack(result.stderr);
    } finally {
      await warehouse.close();
      held.remove();
    }
  });

  it('a port in use (serve): exits at once, naming the port and the key', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    write('busy.yaml', `serve:\n  port: ${port}\n`);
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          TSX_IMPORT,
          new URL('../support/cli-entry.ts', import.meta.url).pathname,
          'serve',
          '-c',
          'busy.yaml',
        ],
        {
          cwd: dir.path,
          env: { PATH: process.env.PATH ?? '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(stderr).toBe(
        `vigil serve: 127.0.0.1:${port} is in use by another program; ` +
          'set serve.port (or serve.host) in the config to a free one\n',
      );
    } finally {
      busy.close();
    }
  });
});

describe('a bug in vigil', () => {
  it('is the only failure that prints a stack, exit 1', () => {
    const failure = describeFailure(
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      new Command('alert'),
    );
    expect(failure.exitCode).toBe(1);
    expect(failure.text).toMatch(/^vigil alert: unexpected error \(this is a bug in vigil; please report it/);
    expect(failure.text).toContain("\nTypeError: Cannot read properties of undefined (reading 'x')\n");
    expect(failure.text).toMatch(/^\s+at /m);
  });
});
