// The sign-in record: restored across restarts (records from before versions included), another
// server or another user forgets the last account's data, and an unreadable record is dropped.
import { describe, expect, it } from 'vitest';
import type { User } from '@switchboard/protocol';
import { MemoryStorage } from '../../../../tests/support/memoryStorage.ts';
import { recordingLogger } from '../../../../tests/support/session.ts';
import { AccountRecord, userPrefix } from './account.ts';

const alice: User = {
  id: 'u-alice',
  username: 'alice',
  displayName: 'Alice',
  isAdmin: false,
  createdAt: 0,
  deactivated: false,
};

describe('AccountRecord', () => {
  it('restores a sign-in, including one stored before records had versions', async () => {
    const storage = new MemoryStorage();
    await storage.set('session', { serverUrl: 'http://127.0.0.1:1', token: 't1', user: alice });
    const record = new AccountRecord(storage, recordingLogger());
    expect(await record.restore()).toEqual({ token: 't1', user: alice });
    expect(record.serverUrl).toBe('http://127.0.0.1:1');
  });

  it('forgets the last account’s data when moving to another server or signing in as someone else', async () => {
    const storage = new MemoryStorage();
    const record = new AccountRecord(storage, recordingLogger());
    await record.moveTo('http://127.0.0.1:1');
    await record.signedIn({ token: 't1', user: alice }, null);
    await storage.set(`${userPrefix(alice.id)}meta`, {});
    await record.signedIn({ token: 't2', user: { ...alice, id: 'u-bob' } }, alice);
    expect(await storage.keys('user/')).toEqual([]);
    expect(await record.lastUser()).toMatchObject({ id: 'u-bob' });

    await storage.set(`${userPrefix('u-bob')}meta`, {});
    expect(await new AccountRecord(storage, recordingLogger()).restore('http://127.0.0.1:2/')).toBeNull();
    expect(await storage.keys('user/')).toEqual([]);
    expect(await storage.get('session')).toEqual({
      v: 1,
      data: { serverUrl: 'http://127.0.0.1:2', token: null, user: null },
    });
  });

  it('drops an unreadable record and logs it', async () => {
    const storage = new MemoryStorage();
    await storage.set('session', { v: 1, data: { serverUrl: 5 } });
    const logger = recordingLogger();
    const record = new AccountRecord(storage, logger);
    expect(await record.restore()).toBeNull();
    expect(record.serverUrl).toBeNull();
    expect(logger.errors).toEqual(['a stored session could not be read; it was dropped']);
    expect(await storage.get('session')).toBeUndefined();
  });
});
