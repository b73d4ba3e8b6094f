import { describe, expect, it, vi } from 'vitest';
import { createRedactor } from '../../src/config/redact.js';
import { silentLogger } from '../../src/log/logger.js';
import { systemClock } from '../../src/schedule/clock.js';
import type { RunRecord } from '../../src/schedule/run-ledger.js';
import { startScheduler, type ScheduledJob } from '../../src/schedule/scheduler.js';
import { VirtualClock } from '../support/virtual-clock.js';

const MIN = 60_000;

function setup(
  start: string,
  jobs: (clock: VirtualClock) => ScheduledJob[],
  options: { retries?: number; redact?: (t: string) => string; timezone?: string; retryDelayMs?: number } = {},
) {
  const clock = new VirtualClock(new Date(start));
  const records: RunRecord[] = [];
  const scheduler = startScheduler(jobs(clock), {
    timezone: options.timezone ?? 'Europe/Moscow',
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? MIN,
    clock,
    ledger: {
      record: (run) => {
        records.push(run);
        return Promise.resolve();
      },
    },
    logger: silentLogger,
    redact: options.redact ?? ((t) => t),
  });
  return { clock, records, scheduler };
}

const job = (
  name: ScheduledJob['name'],
  cron: string,
  run: ScheduledJob['run'] = () => Promise.resolve({ rows: 1 }),
): ScheduledJob => ({
  name,
  cron,
  logical: (at) => at.toISOString(),
  run,
});

describe('scheduler', () => {
  it('runs each job at its times in the configured (non-UTC) timezone', async () => {
    const { clock, records, scheduler } = setup('2024-03-04T00:00:00Z', () => [
      job('etl', '5 0 * * *'),
      job('report', '0 11 * * *'),
      job('alert', '*/15 * * * *'),
    ]);
    await clock.advanceTo(new Date('2024-03-05T00:00:00Z'));
    await scheduler.stop();
    const at = (name: string) => records.filter((r) => r.job === name).map((r) => r.logical);
    expect(at('etl')).toEqual(['2024-03-04T21:05:00.000Z']); // 00:05 in Moscow
    expect(at('report')).toEqual(['2024-03-04T08:00:00.000Z']); // 11:00 in Moscow
    expect(at('alert')).toHaveLength(96);
    expect(at('alert')[0]).toBe('2024-03-04T00:15:00.000Z');
  });

  it('retries a failing run with the delay, then records the failure, secrets redacted', async () => {
    let calls = 0;
    const { clock, records, scheduler } = setup(
      '2024-03-04T20:00:00Z',
      () => [
        job('etl', '5 0 * * *', () => {
          calls++;
          return Promise.reject(new Error('auth failed for pw-TopSecret-42'));
        }),
      ],
      { redact: createRedactor(['pw-TopSecret-42']) },
    );
    await clock.advanceTo(new Date('2024-03-04T22:00:00Z'));
    await scheduler.stop();
    expect(calls).toBe(3);
    expect(records.map((r) => [r.attempt, r.status, r.startedAt.toISOString()])).toEqual([
      [1, 'failure', '2024-03-04T21:05:00.000Z'],
      [2, 'failure', '2024-03-04T21:06:00.000Z'],
      [3, 'failure', '2024-03-04T21:07:00.000Z'],
    ]);
    expect(records[0]?.error).toBe('auth failed for ***');
  });

  it('stops retrying once a run succeeds', async () => {
    let calls = 0;
    const { clock, records, scheduler } = setup('2024-03-04T20:00:00Z', () => [
      job('etl', '5 0 * * *', () =>
        ++calls < 2 ? Promise.reject(new Error('transient')) : Promise.resolve({ rows: 63 }),
      ),
    ]);
    await clock.advanceTo(new Date('2024-03-04T22:00:00Z'));
    await scheduler.stop();
    expect(records.map((r) => [r.attempt, r.status, r.rows])).toEqual([
      [1, 'failure', 0],
      [2, 'success', 63],
    ]);
  });

  it('never overlaps a run that is slower than its interval', async () => {
    let running = 0;
    let most = 0;
    const { clock, records, scheduler } = setup('2024-03-04T00:00:00Z', (c) => [
      job('alert', '*/15 * * * *', async () => {
        most = Math.max(most, ++running);
        await c.sleep(20 * MIN, new AbortController().signal);
        running--;
        return { rows: 0 };
      }),
    ]);
    await clock.advanceTo(new Date('2024-03-04T02:00:00Z'));
    // The run started at 01:45 is still going: stopping waits for it while time moves on.
    const stopped = scheduler.stop();
    await clock.advanceTo(new Date('2024-03-04T03:00:00Z'));
    await stopped;
    expect(most).toBe(1);
    records
      .slice(1)
      .forEach((record, i) => expect(record.startedAt >= (records[i]?.finishedAt ?? record.startedAt)).toBe(true));
    expect(records.map((r) => r.startedAt.toISOString().slice(11, 16))).toEqual(['00:15', '00:45', '01:15', '01:45']);
  });

  it('lets a run under way finish when stopped, and starts no new one', async () => {
    let release: () => void = () => undefined;
    const { clock, records, scheduler } = setup('2024-03-04T00:00:00Z', () => [
      job(
        'alert',
        '*/15 * * * *',
        () =>
          new Promise((resolve) => {
            release = () => resolve({ rows: 2 });
          }),
      ),
    ]);
    await clock.advanceTo(new Date('2024-03-04T00:15:00Z'));
    const stopped = scheduler.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release();
    await stopped;
    expect(records.map((r) => r.status)).toEqual(['success']);
    await clock.advanceTo(new Date('2024-03-04T01:00:00Z'));
    expect(records).toHaveLength(1);
  });

  it('runs a monthly job once a month, whatever the length of the wait', async () => {
    const { clock, records, scheduler } = setup('2024-01-15T00:00:00Z', () => [job('report', '0 11 1 * *')]);
    await clock.advanceTo(new Date('2024-06-15T00:00:00Z'));
    await scheduler.stop();
    expect(records.map((r) => r.logical)).toEqual([
      '2024-02-01T08:00:00.000Z',
      '2024-03-01T08:00:00.000Z',
      '2024-04-01T08:00:00.000Z',
      '2024-05-01T08:00:00.000Z',
      '2024-06-01T08:00:00.000Z',
    ]);
  });

  it.each([
    ['America/New_York', '2024-03-10', 96],
    ['America/New_York', '2024-11-03', 96],
    ['Europe/Berlin', '2024-03-31', 96],
    ['Europe/Berlin', '2024-10-27', 96],
    ['Europe/Moscow', '2011-03-27', 96],
    ['Europe/Moscow', '2014-10-26', 96],
  ])('runs every 15-minute instant exactly once across the DST change in %s on %s', async (timezone, day) => {
    // From noon UTC the day before to noon UTC the day after: every change of these zones falls in it.
    const from = new Date(Date.parse(`${day}T00:00:00Z`) - 12 * 3_600_000);
    const to = new Date(Date.parse(`${day}T00:00:00Z`) + 36 * 3_600_000);
    const { clock, records, scheduler } = setup(from.toISOString(), () => [job('alert', '*/15 * * * *')], { timezone });
    await clock.advanceTo(to);
    await scheduler.stop();
    const runs = records.map((r) => Date.parse(r.logical));
    expect(runs[0]).toBe(from.getTime() + 15 * MIN);
    expect(runs.at(-1)).toBe(to.getTime());
    const steps = new Set(runs.slice(1).map((t, i) => t - (runs[i] ?? 0)));
    expect([...steps]).toEqual([15 * MIN]);
  });
});

describe('the system clock', () => {
  it('sleeps through waits longer than a timer can hold', async () => {
    vi.useFakeTimers();
    try {
      let woke = false;
      const thirtyDays = 30 * 24 * 3_600_000;
      void systemClock.sleep(thirtyDays, new AbortController().signal).then(() => (woke = true));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(thirtyDays - 120_000);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(woke).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
