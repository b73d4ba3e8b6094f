import { describe, expect, it } from 'vitest';
import { AlertMemory } from '../../src/alert/alert-memory.js';

describe('AlertMemory', () => {
  it('offers its state only while no anomaly is open in it', () => {
    const memory = new AlertMemory();
    expect(memory.quietState()).toBeUndefined();
    memory.rememberState(new Map([['views|', { kind: 'resolved' as const, window: 1, started: 0 }]]));
    expect(memory.quietState()?.get('views|')?.kind).toBe('resolved');
    memory.noteNotification('likes|os=iOS', { kind: 'started', window: 2, started: 2 });
    expect(memory.quietState()).toBeUndefined();
    memory.noteNotification('likes|os=iOS', { kind: 'resolved', window: 3, started: 2 });
    expect(memory.quietState()?.size).toBe(2);
  });

  it('forgets the state and the windows together', () => {
    const memory = new AlertMemory();
    memory.rememberState(new Map());
    memory.windows.remember(
      'a',
      0,
      [{ slice: '', value: '', start: 0, users: 1, active_posts: 0, views: 0, likes: 0, senders: 0, messages: 0 }],
      false,
    );
    memory.clear();
    expect(memory.quietState()).toBeUndefined();
    expect(memory.windows.unsaved(1)).toEqual([]);
  });
});
