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
    const result = await vigil(['backtest', '--detector', 'iqr', '--input', csv('s.csv', SERIES), '--json'], {
      cwd: dir.path,
    });
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
    const result = await vigil(['backtest', '--detector', 'iqr', '--input', 's.csv'], { cwd: dir.path });
    expect(result.stdout).toBe(
      'iqr (a = 4, n = 5, count) over 8 points: 1 alert\n  time                       value         ' +
        'low          up\n  2024-03-04T11:30:00Z          30           7          16\n',
    );
  });

  it('takes a and n', async () => {
    const result = await vigil(['backtest', '--detector', 'iqr', '--input', 's.csv', '--a', '20', '--n', '3'], {
      cwd: dir.path,
    });
    expect(result.stdout).toMatch(/^iqr \(a = 20, n = 3, count\) over 8 points: 0 alerts\n$/);
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
    expect(
      (await vigil(['backtest', '--detector', 'iqr', '--input', 's.csv', '--n', '0'], { cwd: dir.path })).code,
    ).toBe(2);
    expect((await vigil(['backtest', '--input', 's.csv', '--detector', 'zscore'], { cwd: dir.path })).stderr).toContain(
      '--detector must be seasonal or iqr (got "zscore")',
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

/** Ten days of a daily-shaped count, with an outage on the last day from 18:00 to 20:00. */
function outageSeries(): { csv: string; start: string; end: string } {
  const lines = ['time,value'];
  let state = 12345;
  const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const first = Date.UTC(2024, 2, 1);
  for (let i = 0; i < 10 * 96; i++) {
    const hour = (i % 96) / 4;
    const mean = 400 * (0.3 + 0.7 * Math.exp(-0.5 * ((hour - 19) / 4) ** 2));
    const outage = i >= 9 * 96 + 72 && i < 9 * 96 + 80;
    const value = outage ? 0 : Math.round(mean + Math.sqrt(mean) * (next() + next() + next() - 1.5) * 2);
    lines.push(`${new Date(first + i * 900_000).toISOString()},${value}`);
  }
  return { csv: lines.join('\n'), start: '2024-03-10T18:00:00Z', end: '2024-03-10T20:00:00Z' };
}

describe('vigil backtest --detector seasonal --notify', () => {
  const { csv: text, start, end } = outageSeries();
  beforeAll(() => csv('outage.csv', text));

  it('says what the live alert would have notified, and scores it against labels', async () => {
    writeFileSync(join(dir.path, 'labels.json'), JSON.stringify([{ start, end }]));
    const result = await vigil(
      ['backtest', '--input', 'outage.csv', '--detector', 'seasonal', '--notify', '--json', '--labels', 'labels.json'],
      { cwd: dir.path },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; alert: boolean; notify: boolean; notification: string | null });
    expect(lines).toHaveLength(960);
    expect(Object.keys(lines[0] ?? {})).toEqual(['time', 'value', 'low', 'up', 'alert', 'notify', 'notification']);
    const notified = lines.filter((l) => l.notify);
    // Started at the first zero, repeated every hour (4 windows), nothing else in ten days.
    expect(notified.map((l) => [l.time, l.notification])).toEqual([
      ['2024-03-10T18:00:00.000Z', 'started'],
      ['2024-03-10T19:00:00.000Z', 'repeated'],
    ]);
    expect(lines.find((l) => l.notification === 'resolved')?.time).toBe('2024-03-10T20:00:00.000Z');
    expect(result.stderr).toContain('precision 100 % (2 of 2 alert episodes overlap a label)');
    expect(result.stderr).toContain('recall    100 % (1 of 1 labels caught), median delay 0 window(s)');
  });

  it('prints a table with the notifications, and takes the detector settings', async () => {
    const table = await vigil(['backtest', '--input', 'outage.csv', '--notify', '--z', '6'], { cwd: dir.path });
    expect(table.code, table.stderr).toBe(0);
    // With --notify, the verdicts are the live alert's, which knows the outage was an incident:
    // the return to normal is no spike.
    expect(table.stdout).toMatch(
      /^seasonal \(z = 6, min change = 0\.1, count\) over 960 points: 8 alerts, 2 notified\n/,
    );
    expect(table.stdout).toMatch(/2024-03-10T18:00:00\.000Z\s+0\s+[\d.]+\s+[\d.]+\s+started\n/);
    expect(table.stdout).toMatch(/2024-03-10T20:00:00\.000Z\s+\d+\s+[\d.]+\s+[\d.]+\s+resolved\n$/);
  });

  it.each([
    [['--detector', 'seasonal', '--a', '3'], '--a is not a setting of the seasonal detector'],
    [['--detector', 'iqr', '--z', '3'], '--z is not a setting of the iqr detector'],
    [['--z', '0'], '--z must be a number > 0'],
    [['--kind', 'money'], '--kind must be auto, count or ratio'],
    [['--repeat', 'often'], '--repeat must be a duration such as 1h'],
    [['--repeat', '2h'], '--repeat and --pending are settings of --notify; add --notify'],
    [['--labels', 'nope.json'], '--labels nope.json: no such file'],
  ])('rejects %j', async (flags, message) => {
    const result = await vigil(['backtest', '--input', 'outage.csv', ...flags], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('rejects a series off its grid and labels that are not times', async () => {
    csv('irregular.csv', 'time,value\n2024-03-04T10:00:00Z,1\n2024-03-04T10:15:00Z,2\n2024-03-04T10:40:00Z,3\n');
    const irregular = await vigil(['backtest', '--input', 'irregular.csv'], { cwd: dir.path });
    expect(irregular.stderr).toContain('line 4: time 2024-03-04T10:40:00Z is not a whole number of 15 min steps');
    writeFileSync(join(dir.path, 'bad-labels.json'), '[{"start": "soon", "end": "2024-03-10T20:00:00Z"}]');
    const labels = await vigil(['backtest', '--input', 'outage.csv', '--labels', 'bad-labels.json'], { cwd: dir.path });
    expect(labels.code).toBe(2);
    expect(labels.stderr).toContain('--labels bad-labels.json, entry 1: "start" must be an ISO time (got "soon")');
  });
});

describe('vigil series', () => {
  it("exports a metric's windows, which add up over a slice's values and backtest as they are", async () => {
    const cwd = tempDir();
    const simulate = ['simulate', '--days', '1', '--until', '2024-03-05T10:00:00Z', '--users', '200'];
    expect((await vigil(simulate, { cwd: cwd.path })).code).toBe(0);
    const range = ['--from', '2024-03-05T06:00:00Z', '--to', '2024-03-05T10:00:00Z'];
    const exported = async (metric: string, slice?: string) => {
      const result = await vigil(['series', '--metric', metric, ...range, ...(slice ? ['--slice', slice] : [])], {
        cwd: cwd.path,
      });
      expect(result.code, result.stderr).toBe(0);
      const [header, ...rows] = result.stdout.trim().split('\n');
      expect(header).toBe('time,value');
      return rows.map((row) => {
        const [time = '', value = ''] = row.split(',');
        return { time, value: value === '' ? undefined : Number(value) };
      });
    };
    const views = await exported('views');
    expect(views).toHaveLength(16);
    expect(views[0]?.time).toBe('2024-03-05T06:00:00.000Z');
    expect(views.every((p) => p.value !== undefined && p.value > 0)).toBe(true);
    const byOs = await Promise.all(['os=Android', 'os=iOS'].map((slice) => exported('views', slice)));
    views.forEach((point, i) => {
      expect(byOs.reduce((sum, os) => sum + (os[i]?.value ?? 0), 0)).toBe(point.value);
    });
    const likes = await exported('likes');
    const ctr = await exported('ctr');
    ctr.forEach((point, i) => expect(point.value).toBeCloseTo((likes[i]?.value ?? 0) / (views[i]?.value ?? 1), 9));

    // By default: from the first window with events to the last whose events have arrived.
    const all = await vigil(['series', '--metric', 'views'], { cwd: cwd.path });
    const rows = all.stdout.trim().split('\n').slice(1);
    expect(rows[0]).toMatch(/^2024-03-05T00:00:00\.000Z,[1-9]\d*$/);
    expect(rows.at(-1)).toMatch(/^2024-03-05T09:45:00\.000Z,[1-9]\d*$/);
    const unknown = await vigil(['series', '--metric', 'views', '--slice', 'os=Symbian'], { cwd: cwd.path });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--slice os=Symbian: no events in these windows (values of os there: Android, iOS)',
    );
    const future = await vigil(['series', '--metric', 'views', '--to', '2099-01-01T00:00:00Z'], { cwd: cwd.path });
    expect(future.stderr).toContain('--to 2099-01-01T00:00:00Z is in the future');

    const written = await vigil(['series', '--metric', 'views', ...range], { cwd: cwd.path });
    writeFileSync(join(cwd.path, 'views.csv'), written.stdout);
    const backtested = await vigil(['backtest', '--input', 'views.csv', '--notify', '--json'], { cwd: cwd.path });
    expect(backtested.code, backtested.stderr).toBe(0);
    expect(backtested.stdout.trim().split('\n')).toHaveLength(16);
    cwd.remove();
  });

  it.each([
    [['--metric', 'clicks'], '--metric must be one of users, active_posts, views'],
    [['--metric', 'views', '--slice', 'planet=Mars'], '--slice must be attribute=value with an attribute of gender'],
    [['--metric', 'views', '--from', '2024-03-05T06:05:00Z'], '--from must be on a quarter hour'],
    [['--metric', 'views', '--from', '2024-03-05T06:00:00Z', '--to', '2024-03-05T05:00:00Z'], 'must come before'],
  ])('rejects %j before touching the warehouse', async (flags, message) => {
    const result = await vigil(['series', ...flags], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
