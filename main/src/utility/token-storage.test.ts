import { describe, expect, it } from 'vitest';
import type { KeyValueStorage } from '@switchboard/client/node';
import { SESSION_RECORD_KEY, TokenKeepingStorage } from './token-storage.ts';

/** A KeyValueStorage in memory, recording what reaches "disk". */
class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, unknown>();
  async get(key: string) {
    return structuredClone(this.data.get(key));
  }
  async set(key: string, value: unknown) {
    this.data.set(key, structuredClone(value));
  }
  async delete(key: string) {
    this.data.delete(key);
  }
  async keys(prefix: string) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
  async entries(prefix: string) {
    return [...this.data.entries()].filter(([k]) => k.startsWith(prefix));
  }
  async lock() {
    return async () => {};
  }
  async close() {}
}

/** As the core writes it: its versioned envelope around the sign-in fields. */
const record = (token: string | null) => ({
  v: 1,
  data: { serverUrl: 'http://s', token, user: { id: 'u1' } },
});
const bare = (token: string | null) => ({ serverUrl: 'http://s', token, user: { id: 'u1' } });

describe('TokenKeepingStorage', () => {
  it('writes the sign-in record without its token and tells main the token', async () => {
    const inner = new MemoryStorage();
    const told: (string | null)[] = [];
    const storage = new TokenKeepingStorage(inner, null, (t) => void told.push(t));
    await storage.set(SESSION_RECORD_KEY, record('tok'));
    expect(inner.data.get(SESSION_RECORD_KEY)).toEqual(record(null));
    expect(told).toEqual(['tok']);
    expect(await storage.get(SESSION_RECORD_KEY)).toEqual(record('tok'));
    await storage.set(SESSION_RECORD_KEY, record(null));
    expect(told).toEqual(['tok', null]);
  });

  it('gives the core the token main handed over', async () => {
    const inner = new MemoryStorage();
    inner.data.set(SESSION_RECORD_KEY, record(null));
    const storage = new TokenKeepingStorage(inner, 'from-main', () => {});
    expect(await storage.get(SESSION_RECORD_KEY)).toEqual(record('from-main'));
    expect((await storage.entries(''))[0]).toEqual([SESSION_RECORD_KEY, record('from-main')]);
  });

  it('moves a token an older version left in the file to main, and rewrites the file without it', async () => {
    const inner = new MemoryStorage();
    inner.data.set(SESSION_RECORD_KEY, record('old-plain'));
    const told: (string | null)[] = [];
    const storage = new TokenKeepingStorage(inner, null, (t) => void told.push(t));
    expect(await storage.get(SESSION_RECORD_KEY)).toEqual(record('old-plain'));
    expect(told).toEqual(['old-plain']);
    expect(inner.data.get(SESSION_RECORD_KEY)).toEqual(record(null));
  });

  it('reads a record from before envelopes the same way', async () => {
    const inner = new MemoryStorage();
    inner.data.set(SESSION_RECORD_KEY, bare('old-plain'));
    const told: (string | null)[] = [];
    const storage = new TokenKeepingStorage(inner, null, (t) => void told.push(t));
    expect(await storage.get(SESSION_RECORD_KEY)).toEqual(bare('old-plain'));
    expect(inner.data.get(SESSION_RECORD_KEY)).toEqual(bare(null));
    expect(told).toEqual(['old-plain']);
  });

  it('leaves every other key alone', async () => {
    const inner = new MemoryStorage();
    const storage = new TokenKeepingStorage(inner, 't', () => {});
    await storage.set('user/u1/outbox/a', { token: 'not a secret', text: 'hi' });
    expect(inner.data.get('user/u1/outbox/a')).toEqual({ token: 'not a secret', text: 'hi' });
  });
});
