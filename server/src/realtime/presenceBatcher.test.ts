import { afterEach, describe, expect, it, vi } from 'vitest';
import { PresenceBatcher, type PresenceChange } from './presenceBatcher.ts';

describe('PresenceBatcher', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the changes of one window together, each user once with their latest state', () => {
    vi.useFakeTimers();
    const sent: PresenceChange[][] = [];
    const batcher = new PresenceBatcher((changes) => sent.push(changes), 500);
    batcher.changed('a', 'online');
    batcher.changed('b', 'online');
    batcher.changed('a', 'offline');
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([
      [
        { userId: 'a', status: 'offline' },
        { userId: 'b', status: 'online' },
      ],
    ]);
    batcher.changed('c', 'online');
    vi.advanceTimersByTime(500);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual([{ userId: 'c', status: 'online' }]);
  });

  it('sends nothing after stop', () => {
    vi.useFakeTimers();
    const sent: PresenceChange[][] = [];
    const batcher = new PresenceBatcher((changes) => sent.push(changes), 500);
    batcher.changed('a', 'online');
    batcher.stop();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
  });
});
