// The history cache: saves are coalesced and always write the latest state, and a record it cannot
// read costs only that record.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS } from '@switchboard/protocol';
import { manualClock } from '../../../tests/support/clock.ts';
import { MemoryStorage } from '../../../tests/support/memoryStorage.ts';
import { stored } from '../../../tests/support/fixtures.ts';
import { recordingLogger } from '../../../tests/support/session.ts';
import { HistoryCache, type CachedMeta } from './cache.ts';

const meta = (epoch: string): CachedMeta => ({
  epoch,
  channels: [],
  users: [],
  limits: DEFAULT_SERVER_LIMITS,
  preferences: { theme: 'dark' },
  pendingPreferences: ['theme'],
  threads: [],
  topics: [],
});

function setup() {
  const storage = new MemoryStorage();
  const time = manualClock();
  const logger = recordingLogger();
  const cache = new HistoryCache(storage, 'user/u1/', { clock: time.clock, logger });
  return { storage, time, logger, cache };
}

describe('HistoryCache', () => {
  it('coalesces saves and writes the state as it is when the save happens', async () => {
    const { storage, time, cache } = setup();
    let current = meta('e1');
    cache.saveMeta(() => current);
    current = meta('e2');
    cache.saveStream('c1', () => ({ cursor: 1, hasOlder: false, messages: [stored({ clientId: 'a' })] }));
    expect(await storage.keys('')).toEqual([]);
    time.advance(250);
    await cache.flush();
    expect((await cache.loadMeta()).epoch).toBe('e2');
    expect((await cache.loadStreams()).get('c1')?.messages.map((m) => m.text)).toEqual(['a']);
  });

  it('starts empty when nothing is cached, drops an unreadable record alone, and forgets on clear', async () => {
    const { storage, cache, logger } = setup();
    expect(await cache.loadMeta()).toMatchObject({ epoch: null, channels: [], preferences: {} });
    cache.saveStream('c1', () => ({ cursor: 1, hasOlder: false, messages: [] }));
    cache.saveMeta(() => meta('e1'));
    await cache.flush();
    await storage.set('user/u1/stream/c2', { v: 1, data: { cursor: 'nope' } });
    expect([...(await cache.loadStreams()).keys()]).toEqual(['c1']);
    expect(await storage.get('user/u1/stream/c2')).toBeUndefined();
    expect(logger.errors).toEqual(['a stored cached channel could not be read; it was dropped']);
    expect((await cache.loadMeta()).preferences).toEqual({ theme: 'dark' });

    await cache.clear();
    expect(await storage.keys('user/u1/')).toEqual([]);
  });
});
