import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import { startClickHouseFront, type ClickHouseFront } from '../support/clickhouse-front-process.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('vigil CLI: usage and exit codes', () => {
  it('explains itself with --help and exits 0', async () => {
    const result = await vigil(['--help'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: vigil \[options\] \[command\]/);
    for (const command of ['demo', 'status', 'config']) expect(result.stdout).toContain(`  ${command}`);
    expect(result.stdout).toContain('Exit codes: 0 success, 1 the job failed, 2 bad usage or configuration.');
  });

  it('gives each command its own --help', async () => {
    const result = await vigil(['config', '--help'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: vigil config/);
    expect(result.stdout).toContain('VIGIL_CONFIG');
  });

  it('answers a mistyped command with one line, the usage, and exit 2', async () => {
    const result = await vigil(['stauts'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("vigil: unknown command 'stauts'");
    expect(result.stderr).toContain('(Did you mean status?)');
    expect(result.stderr).toContain("Run 'vigil --help' for details.");
  });

  it('answers an unknown option with the command usage and exit 2', async () => {
    const result = await vigil(['status', '--bogus'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vigil: unknown option '--bogus'\nUsage: vigil status [options]\nRun 'vigil status --help' for details.\n",
    );
  });

  it('prints help and exits 2 when given no command', async () => {
    const result = await vigil([], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: vigil');
  });
});

describe('vigil config', () => {
  it('exits 2 listing every problem of a bad file', async () => {
    writeFileSync(join(dir.path, 'bad.yaml'), 'timezone: Mars/Base\netl:\n  target: nodot\n');
    const result = await vigil(['config', '--config', 'bad.yaml'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('2 problems');
    expect(result.stderr).toContain('timezone: got "Mars/Base"');
    expect(result.stderr).toContain('etl.target: got "nodot"');
    expect(result.stdout).toBe('');
  });

  it('prints the effective configuration with secrets hidden', async () => {
    writeFileSync(
      join(dir.path, 'secret.yaml'),
      'warehouse:\n  server:\n    url: http://127.0.0.1:1\n    password: ${CH_PW}\n',
    );
    const result = await vigil(['config', '-c', 'secret.yaml'], {
      cwd: dir.path,
      env: { CH_PW: 'Sup3r-Secret-Passw0rd' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# source: ');
    expect(result.stdout).toContain('password: "***"');
    expect(result.stdout + result.stderr).not.toContain('Sup3r-Secret-Passw0rd');
  });

  it('warns when alerts go to Telegram but link to this machine, and not once dashboard.publicUrl is set', async () => {
    const telegram = 'notify:\n  telegram: { token: "123:abc", chatId: -100 }\n';
    writeFileSync(join(dir.path, 'local-link.yaml'), telegram);
    const local = await vigil(['config', '-c', 'local-link.yaml'], { cwd: dir.path });
    expect(local.code).toBe(0);
    expect(local.stderr).toContain(
      'alerts sent by Telegram link to http://127.0.0.1:8787, which opens only on this machine: ' +
        'set dashboard.publicUrl',
    );
    writeFileSync(
      join(dir.path, 'public-link.yaml'),
      `${telegram}dashboard:\n  publicUrl: https://vigil.example.com/\n`,
    );
    const public_ = await vigil(['config', '-c', 'public-link.yaml'], { cwd: dir.path });
    expect(public_.code).toBe(0);
    expect(public_.stderr).not.toContain('publicUrl');
    expect(public_.stdout).toContain('publicUrl: https://vigil.example.com\n');
  });

  it('warns that serve would refuse an exposed address without a token, and serve refuses it', async () => {
    writeFileSync(join(dir.path, 'exposed.yaml'), 'serve:\n  host: 0.0.0.0\n');
    const config = await vigil(['config', '-c', 'exposed.yaml'], { cwd: dir.path });
    expect(config.code).toBe(0);
    expect(config.stderr).toContain('serve.token: serve.host 0.0.0.0 lets other machines reach the dashboard');
    const serve = await vigil(['serve', '-c', 'exposed.yaml'], { cwd: dir.path });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain('serve.token: serve.host 0.0.0.0 lets other machines reach the dashboard');
    expect(serve.stderr).toContain('or serve.host: 127.0.0.1');
  });
});

describe('vigil status on the embedded warehouse', () => {
  it('creates the warehouse from nothing, reports the tables it looks for, exits 1 for missing sources', async () => {
    const cwd = tempDir();
    const result = await vigil(['status'], { cwd: cwd.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`warehouse: embedded ClickHouse 26.`);
    expect(result.stdout).toContain(join(cwd.path, '.vigil/warehouse'));
    expect(result.stdout).toMatch(/simulator\.feed_actions\s+missing \(sources\.feed\)/);
    expect(result.stderr).toMatch(/^vigil status: sources\.feed: table simulator\.feed_actions does not exist/);
    cwd.remove();
  });

  it("shows each source's newest event once there are events", async () => {
    const cwd = tempDir();
    const simulate = ['simulate', '--days', '1', '--until', '2024-03-05T10:00:00Z', '--users', '50'];
    expect((await vigil(simulate, { cwd: cwd.path })).code).toBe(0);
    const result = await vigil(['status'], { cwd: cwd.path });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/simulator\.feed_actions\s+[\d,]+ rows, newest event 2024-03-05 09:5\d UTC/);
    expect(result.stdout).toMatch(/simulator\.message_actions\s+[\d,]+ rows, newest event 2024-03-05 09:\d\d UTC/);
    cwd.remove();
  });

  it('refuses clearly, without hanging, when another vigil process holds the warehouse', async () => {
    const cwd = tempDir();
    const held = openChdbWarehouse(join(cwd.path, '.vigil/warehouse'));
    const result = await runCli(['status'], { cwd: cwd.path, timeoutMs: 20_000 });
    await held.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is in use by process ${process.pid}`);
    expect(result.stderr).toContain('Stop that process');
    cwd.remove();
  });

  it('refuses clearly when the engine itself holds the directory (no vigil lock file)', async () => {
    const cwd = tempDir();
    const session = new Session(join(cwd.path, '.vigil/warehouse'));
    const result = await runCli(['status'], { cwd: cwd.path, timeoutMs: 20_000 });
    session.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is in use by another process');
    cwd.remove();
  });

  it('takes over the lock file of a process that died', async () => {
    const cwd = tempDir();
    const first = await vigil(['status'], { cwd: cwd.path });
    expect(first.stdout).toContain('warehouse: embedded ClickHouse');
    writeFileSync(join(cwd.path, '.vigil/warehouse/vigil.pid'), '2147483\n');
    const second = await vigil(['status'], { cwd: cwd.path });
    expect(second.stdout).toContain('warehouse: embedded ClickHouse');
    expect(second.stderr).not.toContain('in use');
    // A live process that is not the one that wrote the file (its pid was reused): taken over too.
    writeFileSync(join(cwd.path, '.vigil/warehouse/vigil.pid'), '1 999999999999\n');
    const third = await vigil(['status'], { cwd: cwd.path });
    expect(third.stdout).toContain('warehouse: embedded ClickHouse');
    expect(third.stderr).not.toContain('in use');
    cwd.remove();
  });
});

describe('a password given in config never reaches a log line or an error', () => {
  let front: ClickHouseFront;
  const password = 'Zq7-correct-horse-battery';
  beforeAll(async () => {
    front = await startClickHouseFront('vigil', password);
  });
  afterAll(() => front.stop());

  it('is redacted even when the server echoes it back in every answer', async () => {
    writeFileSync(
      join(dir.path, 'server.yaml'),
      `warehouse:\n  server:\n    url: ${front.url}\n    username: vigil\n    password: \${CH_PW}\n    retries: 2\n`,
    );
    await front.injectFaults({ status: 500, count: 3, body: `proxy: upstream auth vigil:${password} rejected` });
    const result = await vigil(['status', '-c', 'server.yaml', '--verbose'], {
      cwd: dir.path,
      env: { CH_PW: password },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('retry 1');
    expect(result.stderr).toContain('retry 2');
    expect(result.stderr).toContain('upstream auth vigil:*** rejected');
    expect(result.stdout + result.stderr).not.toContain(password);
  });

  it('works with the right password over real HTTP', async () => {
    const simulate = ['simulate', '--days', '1', '--users', '50', '--events-per-day', '500', '-c', 'server.yaml'];
    expect((await vigil(simulate, { cwd: dir.path, env: { CH_PW: password } })).code).toBe(0);
    const result = await vigil(['status', '-c', 'server.yaml'], { cwd: dir.path, env: { CH_PW: password } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`warehouse: server ClickHouse 26\\.[0-9.]+ at ${front.url}`));
  });
});
