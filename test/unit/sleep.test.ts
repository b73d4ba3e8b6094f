import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../src/time/sleep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('returns at once for a signal aborted before it began, without any timer firing', async () => {
    vi.useFakeTimers();
    let woke = false;
    void sleep(60_000, AbortSignal.abort()).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(true);
  });

  it('waits its time, or until the signal aborts', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let woke = false;
    void sleep(60_000, controller.signal).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(woke).toBe(false);
    controller.abort();
    await Promise.resolve();
    expect(woke).toBe(true);
  });
});
