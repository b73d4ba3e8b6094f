import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../support/vigil.js';
import { tempDir } from '../support/temp-dir.js';

let dir: { path: string; remove: () => void };
const csv = (name: string, text: string) => {
  writeFileSync(join(dir.path, name), text);
  return name;
};
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const SERIES = [
  'time,value',
  '2024-03-04T10:00:00Z,10',
  '2024-03-04T10:15:00Z,12',
  '2024-03-04T10:30:00Z,11',
  '2024-03-04T10:45:00Z,13',
  '2024-03-04T11:00:00Z,12',
  '2024-03-04T11:15:00Z,11',
  '2024-03-04T11:30:00Z,30',
  '2024-03-04T11:45:00Z,',
].join('\n');

describe('vigil backtest', () => {
  it('prints one JSON object per point, each judged from its own past', async () => {
    const result = await vigil(['backtest', '--input', csv('s.csv', SERIES), '--json'], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toEqual({ time: '2024-03-04T10:00:00Z', value: 10, low: null, up: null, alert: false });
    expect(lines[4]).toEqual({ time: '2024-03-04T11:00:00Z', value: 12, low: null, up: null, alert: false });
    expect(lines[5]).toEqual({ time: '2024-03-04T11:15:00Z', value: 11, low: 7, up: 16, alert: false });
    expect(lines[6]).toEqual({ time: '2024-03-04T11:30:00Z', value: 30, low: 7, up: 16, alert: true });
    expect(lines[7]).toMatchObject({ time: '2024-03-04T11:45:00Z', value: null, alert: false });
  });

  it('prints a readable table of the alerts and their count', async () => {
    const result = await vigil(['backtest', '--input', 's.csv'], { cwd: dir.path });
    expect(result.stdout).toBe(
      'iqr (a = 4, n = 5) over 8 points: 1 alert\n  time                       value         ' +
        'low          up\n  2024-03-04T11:30:00Z          30           7          16\n',
    );
  });

  it('takes a and n', async () => {
    const result = await vigil(['backtest', '--input', 's.csv', '--a', '20', '--n', '3'], { cwd: dir.path });
    expect(result.stdout).toMatch(/^iqr \(a = 20, n = 3\) over 8 points: 0 alerts\n$/);
  });

  it.each([
    ['no-header.csv', '2024-03-04T10:00:00Z,1\n', 'line 1: expected the header "time,value"'],
    [
      'bad-number.csv',
      'time,value\n2024-03-04T10:00:00Z,1\n2024-03-04T10:15:00Z,abc\n',
      'line 3: "abc" is not a number',
    ],
    [
      'unordered.csv',
      'time,value\n2024-03-04T10:15:00Z,1\n2024-03-04T10:00:00Z,2\n',
      "line 3: time 2024-03-04T10:00:00Z is before line 2's; times must increase",
    ],
    [
      'duplicate.csv',
      'time,value\n2024-03-04T10:00:00Z,1\n2024-03-04T10:00:00Z,2\n',
      'line 3: time 2024-03-04T10:00:00Z repeats line 2',
    ],
    ['bad-time.csv', 'time,value\nyesterday,1\n', 'line 2: "yesterday" is not an ISO time'],
    ['columns.csv', 'time,value\n2024-03-04T10:00:00Z,1,2\n', 'line 2: expected 2 columns'],
  ])('rejects %s with the line that is wrong', async (name, text, message) => {
    const result = await vigil(['backtest', '--input', csv(name, text)], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('rejects a missing file and bad options as usage errors', async () => {
    expect((await vigil(['backtest', '--input', 'nope.csv'], { cwd: dir.path })).stderr).toContain(
      '--input nope.csv: no such file',
    );
    expect((await vigil(['backtest', '--input', 's.csv', '--n', '0'], { cwd: dir.path })).code).toBe(2);
    expect((await vigil(['backtest', '--input', 's.csv', '--detector', 'zscore'], { cwd: dir.path })).stderr).toContain(
      '--detector must be iqr',
    );
    expect((await vigil(['backtest'], { cwd: dir.path })).stderr).toContain(
      "required option '--input <file>' not specified",
    );
  });
});

describe('backtest input limits', () => {
  it('refuses a file too large to be a series, at once', async () => {
    writeFileSync(join(dir.path, 'huge.csv'), Buffer.alloc(21 * 2 ** 20, 'a'));
    const result = await vigil(['backtest', '--input', 'huge.csv'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--input huge.csv is 21 MB; backtest reads at most 20 MB');
  });

  it('quotes at most a short excerpt of a bad line', async () => {
    writeFileSync(join(dir.path, 'binary.csv'), Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.alloc(200_000, 7)]));
    const result = await vigil(['backtest', '--input', 'binary.csv'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('line 1: expected the header "time,value"');
    expect(result.stderr.length).toBeLessThan(400);
  });

  it('refuses more points than a backtest takes', async () => {
    const rows = Array.from(
      { length: 100_001 },
      (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 900_000).toISOString()},1`,
    );
    writeFileSync(join(dir.path, 'long.csv'), ['time,value', ...rows].join('\n'));
    const result = await vigil(['backtest', '--input', 'long.csv'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('more than 100,000 points; split the series');
  });
});
