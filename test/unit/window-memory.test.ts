import { describe, expect, it } from 'vitest';
import type { CountedWindow } from '../../src/windows/window-counts.js';
import { WindowMemory } from '../../src/alert/window-memory.js';

const W = 15 * 60_000;
const row = (start: number, slice = '', value = '', users = 1): CountedWindow => ({
  slice,
  value,
  start,
  users,
  active_posts: 0,
  views: 0,
  likes: 0,
  senders: 0,
  messages: 0,
});

describe('WindowMemory', () => {
  it('recalls a range only when it remembers every window of it, for the same scope', () => {
    const memory = new WindowMemory();
    memory.remember('a', 0, [row(0), row(W), row(W, 'os', 'iOS')], true);
    expect(memory.recall('a', 0, 2 * W, W)).toEqual([row(0), row(W), row(W, 'os', 'iOS')]);
    expect(memory.recall('a', 0, 3 * W, W)).toBeUndefined();
    expect(memory.recall('b', 0, 2 * W, W)).toBeUndefined();
  });

  it('replaces a window as a whole, tracks what the cache lacks, and forgets windows before the history', () => {
    const memory = new WindowMemory();
    memory.remember('a', 0, [row(0), row(W), row(2 * W)], true);
    memory.remember('a', 0, [row(W, '', '', 5), row(2 * W, '', '', 6), row(3 * W)], false);
    expect(memory.recall('a', 0, 4 * W, W)?.map((r) => r.users)).toEqual([1, 5, 6, 1]);
    expect(memory.unsaved(3 * W).map((r) => r.start)).toEqual([W, 2 * W]);
    memory.markSaved([row(W)]);
    expect(memory.unsaved(4 * W).map((r) => r.start)).toEqual([2 * W, 3 * W]);
    memory.remember('a', 2 * W, [], false);
    expect(memory.recall('a', 0, 4 * W, W)).toBeUndefined();
    expect(memory.recall('a', 2 * W, 4 * W, W)).toHaveLength(2);
  });

  it('starts afresh for another scope', () => {
    const memory = new WindowMemory();
    memory.remember('a', 0, [row(0)], false);
    memory.remember('b', 0, [row(W)], true);
    expect(memory.recall('b', W, 2 * W, W)).toHaveLength(1);
    expect(memory.recall('b', 0, 2 * W, W)).toBeUndefined();
    expect(memory.unsaved(2 * W)).toEqual([]);
  });
});
