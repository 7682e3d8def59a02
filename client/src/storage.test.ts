// Both storage backends keep the same promises: values round-trip, keys list by prefix, deletes
// stick, and the file backend never leaves a half-written file behind.
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/support/server.ts';
import { deletePrefix, type KeyValueStorage } from './storage.ts';
import { FileStorage } from './storage-file.ts';
import { IdbStorage } from './storage-idb.ts';

const backends: [string, () => Promise<KeyValueStorage>][] = [
  ['files', () => FileStorage.open(tempDir('switchboard-storage-'))],
  ['IndexedDB', () => IdbStorage.open(`test-${Math.random()}`)],
];

describe.each(backends)('%s storage', (_name, open) => {
  it('round-trips values, lists keys by prefix and deletes', async () => {
    const storage = await open();
    expect(await storage.get('missing')).toBeUndefined();
    await storage.set('user/1/outbox', [{ clientId: 'a', text: 'ünïcödé ✓' }]);
    await storage.set('user/1/stream/c1', { cursor: 3 });
    await storage.set('user/2/meta', { epoch: 'e' });
    await storage.set('session', { token: null });
    await storage.set('user/1/stream/c1', { cursor: 4 });
    expect(await storage.get('user/1/outbox')).toEqual([{ clientId: 'a', text: 'ünïcödé ✓' }]);
    expect(await storage.get('user/1/stream/c1')).toEqual({ cursor: 4 });
    expect((await storage.keys('user/1/')).sort()).toEqual(['user/1/outbox', 'user/1/stream/c1']);
    await deletePrefix(storage, 'user/1/');
    expect(await storage.keys('user/')).toEqual(['user/2/meta']);
    await storage.delete('session');
    expect(await storage.get('session')).toBeUndefined();
    await storage.close();
  });
});

describe('file storage', () => {
  it('writes by replacing the file, keeps the last of overlapping writes, and clears stale temp files', async () => {
    const dir = tempDir('switchboard-storage-');
    fs.writeFileSync(`${dir}/outbox.json.123.1.tmp`, '[{"half');
    const storage = await FileStorage.open(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.set('outbox', { version: i })));
    expect(await storage.get('outbox')).toEqual({ version: 19 });
    expect(fs.readdirSync(dir)).toEqual(['outbox.json']);
    fs.writeFileSync(`${dir}/outbox.json`, '{"torn');
    expect(await storage.get('outbox')).toBeUndefined();
  });
});
