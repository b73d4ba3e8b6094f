import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const NOW = new Date('2024-03-06T14:00:00Z');
const run = (args: string[]) => vigil(args, { cwd: dir.path, now: () => NOW });

describe('vigil silence', () => {
  it('adds, lists and removes silences kept in the warehouse, with who, until when and why', async () => {
    const added = await run([
      'silence',
      'add',
      '--metric',
      'views',
      '--for',
      '2h',
      '--comment',
      'migration',
      '--by',
      'ann',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const id = /^silence (s-[0-9a-f]{8}): views until 2024-03-06 16:00 UTC/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    const sliced = await run(['silence', 'add', '--metric', 'all', '--slice', 'os=iOS', '--until', '2024-03-06T15:30']);
    expect(sliced.stdout).toMatch(/^silence s-[0-9a-f]{8}: every metric, os=iOS until 2024-03-06 15:30 UTC/);

    const listed = await run(['silence', 'list']);
    expect(listed.stdout).toContain(
      `${id ?? ''}  views until 2024-03-06 16:00 UTC, by ann at 2024-03-06 14:00 UTC: migration`,
    );
    expect(listed.stdout).toMatch(/every metric, os=iOS until 2024-03-06 15:30 UTC, by \S+ at/);

    const removed = await run(['silence', 'remove', id ?? '']);
    expect(removed.stdout).toBe(`silence ${id ?? ''} ended\n`);
    const json = (await run(['silence', 'list', '--json'])).stdout.trim().split('\n');
    expect(json.map((line) => (JSON.parse(line) as { metric: string; slice: string }).slice)).toEqual(['os=iOS']);
    expect((await run(['silence', 'remove', id ?? ''])).stderr).toContain(
      `no silence "${id ?? ''}" in force or to come`,
    );
  });

  it.each([
    [['--metric', 'views'], 'give one of --for (e.g. 2h) or --until (a time)'],
    [['--metric', 'views', '--for', '1h', '--until', '2024-03-06T16:00Z'], 'give one of --for'],
    [['--metric', 'clicks', '--for', '1h'], '--metric must be one of users, active_posts'],
    [['--metric', 'views', '--for', 'soon'], '--for must be a duration such as 2h'],
    [['--metric', 'views', '--until', '2024-03-06T13:00:00Z'], 'has passed; a silence runs from now'],
    [['--metric', 'views', '--for', '100d'], 'a silence lasts at most 90 days'],
    [['--metric', 'views', '--for', '1h', '--slice', 'os'], '--slice must be attribute=value'],
  ])('refuses %j', async (flags, message) => {
    const result = await run(['silence', 'add', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
