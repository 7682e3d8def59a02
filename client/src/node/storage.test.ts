// Both storage backends keep the same promises: values round-trip, keys and entries list by prefix,
// deletes stick. The file backend also keeps other local users out, never leaves a half-written
// file behind, sets an unreadable file aside instead of taking it for "nothing stored", and hands
// its lock to one holder at a time, taking over one whose owner died.
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../tests/support/server.ts';
import { deletePrefix, type KeyValueStorage } from '../std/storage.ts';
import { FileStorage } from './storage-file.ts';
import { IdbStorage } from '../dom/storage-idb.ts';
import { recordingLogger } from '../../../tests/support/session.ts';

const backends: [string, () => Promise<KeyValueStorage>][] = [
  ['files', () => FileStorage.open(tempDir('switchboard-storage-'))],
  ['IndexedDB', () => IdbStorage.open(`test-${Math.random()}`)],
];

/** A pid no process has: above Linux's largest pid_max. */
const DEAD_PID = 99_999_999;

describe.each(backends)('%s storage', (_name, open) => {
  it('round-trips values, lists keys and entries by prefix and deletes', async () => {
    const storage = await open();
    expect(await storage.get('missing')).toBeUndefined();
    await storage.set('user/1/outbox/a', { clientId: 'a', text: 'ünïcödé ✓' });
    await storage.set('user/1/stream/c1', { cursor: 3 });
    await storage.set('user/2/meta', { epoch: 'e' });
    await storage.set('session', { token: null });
    await storage.set('user/1/stream/c1', { cursor: 4 });
    expect(await storage.get('user/1/outbox/a')).toEqual({ clientId: 'a', text: 'ünïcödé ✓' });
    expect(await storage.get('user/1/stream/c1')).toEqual({ cursor: 4 });
    expect((await storage.keys('user/1/')).sort()).toEqual(['user/1/outbox/a', 'user/1/stream/c1']);
    expect(await storage.entries('user/1/stream/')).toEqual([['user/1/stream/c1', { cursor: 4 }]]);
    await deletePrefix(storage, 'user/1/');
    expect(await storage.keys('user/')).toEqual(['user/2/meta']);
    await storage.delete('session');
    expect(await storage.get('session')).toBeUndefined();
    await storage.close();
  });
});

describe('file storage', () => {
  it('writes by replacing the file, keeps the last of overlapping writes, and clears abandoned temp files', async () => {
    const dir = tempDir('switchboard-storage-');
    fs.writeFileSync(`${dir}/outbox.json.123.1.tmp`, '[{"half');
    fs.writeFileSync(`${dir}/meta.json.${DEAD_PID}-0a1b.tmp`, '{"half');
    // Another live process may be halfway through this write: its temp file stays.
    const busy = `meta.json.${process.ppid}-2c3d.tmp`;
    fs.writeFileSync(`${dir}/${busy}`, '{"half');
    const storage = await FileStorage.open(dir);
    expect(fs.readdirSync(dir)).toEqual([busy]);
    fs.rmSync(`${dir}/${busy}`);
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.set('outbox', { version: i })));
    expect(await storage.get('outbox')).toEqual({ version: 19 });
    expect(fs.readdirSync(dir)).toEqual(['outbox.json']);
  });

  it.skipIf(process.platform === 'win32')('keeps its directory and files to their owner', async () => {
    const dir = path.join(tempDir('switchboard-storage-'), 'session');
    const storage = await FileStorage.open(dir);
    await storage.set('session', { token: 'a-bearer-token' });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(`${dir}/session.json`).mode & 0o777).toBe(0o600);
    // A directory made before, open to everyone, is closed when opened.
    fs.chmodSync(dir, 0o755);
    await FileStorage.open(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('sets an unreadable file aside and reports it, instead of taking it for nothing stored', async () => {
    const dir = tempDir('switchboard-storage-');
    const logger = recordingLogger();
    const storage = await FileStorage.open(dir, { logger });
    await storage.set('user/1/outbox/a', { text: 'queued' });
    const file = path.join(dir, `${encodeURIComponent('user/1/outbox/a')}.json`);
    fs.writeFileSync(file, '{"text": "que');

    expect(await storage.get('user/1/outbox/a')).toBeUndefined();
    const aside = fs.readdirSync(dir).filter((name) => name.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe('{"text": "que');
    expect(logger.errors).toEqual(['a stored file could not be read; it was set aside']);
    // Set aside, it is no longer a key: listing does not trip over it again.
    expect(await storage.entries('user/1/')).toEqual([]);
  });

  it('gives its lock to one holder at a time, across instances, and takes over an abandoned one', async () => {
    const dir = tempDir('switchboard-storage-');
    const first = await FileStorage.open(dir);
    const second = await FileStorage.open(dir);
    const release = await first.lock('user/1/outbox/sender', new AbortController().signal);

    let secondHolds = false;
    // The waiter looks again on a timer: fake time moves it through several looks at once.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let releaseSecond: () => Promise<void>;
    try {
      const waiting = second.lock('user/1/outbox/sender', new AbortController().signal).then((r) => {
        secondHolds = true;
        return r;
      });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(secondHolds).toBe(false);
      await release();
      await vi.waitFor(() => expect(secondHolds).toBe(true));
      releaseSecond = await waiting;
    } finally {
      vi.useRealTimers();
    }

    // Someone else waiting may give up.
    const giveUp = new AbortController();
    const third = first.lock('user/1/outbox/sender', giveUp.signal);
    giveUp.abort(new Error('closed'));
    await expect(third).rejects.toThrow('closed');
    await releaseSecond();

    // A lock file left behind by a process that died is taken over at once.
    const file = path.join(dir, `${encodeURIComponent('other')}.lock`);
    fs.writeFileSync(file, String(DEAD_PID));
    const releaseOther = await first.lock('other', new AbortController().signal);
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
    await releaseOther();
    expect(fs.existsSync(file)).toBe(false);
    // So is one with our own pid that nothing here holds: an earlier process had the same pid.
    fs.writeFileSync(file, String(process.pid));
    await (
      await second.lock('other', new AbortController().signal)
    )();
  });
});
