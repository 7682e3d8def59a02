// The outbox against a real server: it survives a client restart and delivers exactly once (also
// when an ack was lost and the same clientId goes out again), a message the server refuses for
// good shows as failed until it is retried or discarded, two session cores on one data dir never
// lose each other's messages and only one of them sends, and a storage that fails loses nothing
// the user was told was queued.
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUser, tempDir, type TestServer, type TestUser } from '../../../tests/support/server.ts';
import { FileStorage } from '../node/index.ts';
import { whenOnline } from './online.ts';
import { SessionCore } from './session.ts';
import type { KeyValueStorage } from './storage.ts';
import {
  onCleanup,
  openSession,
  recordingLogger,
  runCleanups,
  SessionRecorder,
  sharedChannel,
  startServer,
  storedCopies,
  TamperedTransport,
  WAIT,
} from '../../../tests/support/session.ts';

afterEach(runCleanups);

/** A storage whose writes fail while `fail` says so, like a full or failing disk. */
class FailingStorage implements KeyValueStorage {
  fail: (operation: 'set' | 'delete', key: string) => boolean = () => false;

  constructor(private readonly inner: KeyValueStorage) {}

  get(key: string) {
    return this.inner.get(key);
  }
  async set(key: string, value: unknown) {
    if (this.fail('set', key)) throw new Error(`cannot write ${key}: no space left on device`);
    return this.inner.set(key, value);
  }
  async delete(key: string) {
    if (this.fail('delete', key)) throw new Error(`cannot delete ${key}: input/output error`);
    return this.inner.delete(key);
  }
  keys(prefix: string) {
    return this.inner.keys(prefix);
  }
  entries(prefix: string) {
    return this.inner.entries(prefix);
  }
  lock(name: string, signal: AbortSignal) {
    return this.inner.lock(name, signal);
  }
  close() {
    return this.inner.close();
  }
}

async function aliceWithChannel(server: TestServer): Promise<{ alice: TestUser; channelId: string }> {
  const alice = await createUser(server, 'alice');
  return { alice, channelId: await sharedChannel(server, alice, []) };
}

describe('outbox', () => {
  it('survives a client restart while the server is down and delivers exactly once', async () => {
    const server = await startServer();
    const { alice, channelId } = await aliceWithChannel(server);

    const first = await openSession({ serverUrl: server.url });
    await first.core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(first.core);
    // The first sync after connecting lists the channel.
    await vi.waitFor(() => first.core.request('openChannel', { channelId }), WAIT);
    await server.close();
    await vi.waitFor(
      () => expect(first.recorder.state?.status === 'reconnecting', 'the outage').toBeTruthy(),
      WAIT,
    );

    const text = 'written while the server was down';
    const { clientId } = await first.core.request('send', { channelId, text });
    await vi.waitFor(
      () =>
        expect(
          first.recorder.shown(channelId).some((m) => m.id === clientId && m.delivery === 'pending'),
          'the pending message',
        ).toBeTruthy(),
      WAIT,
    );
    await first.core.close();
    // The same device state, kept aside: replaying it later is what a lost ack looks like.
    const lostAckDir = tempDir('switchboard-client-');
    fs.cpSync(first.dataDir, lostAckDir, { recursive: true });

    // The app restarts before the server does: its cache and outbox show up at once.
    const second = await openSession({ dataDir: first.dataDir, serverUrl: server.url });
    const cached = await second.core.request('openChannel', { channelId });
    expect(cached.messages.map((m) => [m.clientId, m.delivery])).toEqual([[clientId, 'pending']]);
    second.recorder.opened(channelId, cached.messages);

    const restarted = await startServer({ dataDir: server.dataDir, port: server.port });
    await whenOnline(second.core, 20_000);
    await second.recorder.sent(channelId, (m) => m.clientId === clientId, 'the delivery');
    expect(second.recorder.shown(channelId).map((m) => [m.text, m.delivery])).toEqual([[text, 'sent']]);
    expect(await storedCopies(restarted, alice, channelId, text)).toHaveLength(1);
    await second.core.close();

    // A copy of the outbox from before the ack goes out again with the same clientId: still one copy.
    const replay = await openSession({ dataDir: lostAckDir, serverUrl: server.url });
    await whenOnline(replay.core);
    replay.recorder.opened(channelId, (await replay.core.request('openChannel', { channelId })).messages);
    await replay.recorder.sent(channelId, (m) => m.clientId === clientId, 'the replayed delivery');
    expect(replay.recorder.shown(channelId).map((m) => [m.text, m.delivery])).toEqual([[text, 'sent']]);
    expect(await storedCopies(restarted, alice, channelId, text)).toHaveLength(1);
  });

  it('a send repeated with the clientId it was given (a notification reply) is queued and stored once', async () => {
    const server = await startServer();
    const { alice, channelId } = await aliceWithChannel(server);
    const { core } = await openSession({ serverUrl: server.url });
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    await vi.waitFor(() => core.request('openChannel', { channelId }), WAIT);
    const clientId = 'nr-reply-to-a-notification';
    const text = 'on my way';
    const sends = await Promise.all([1, 2, 3].map(() => core.request('send', { channelId, text, clientId })));
    expect(sends).toEqual([{ clientId }, { clientId }, { clientId }]);
    await vi.waitFor(
      async () => expect(await storedCopies(server, alice, channelId, text)).toHaveLength(1),
      WAIT,
    );
    // Once delivered, the same reply again is the server's to recognise: still one copy.
    await core.request('send', { channelId, text, clientId });
    await core.request('send', { channelId, text: 'a later message', clientId: 'nr-a-later-message' });
    await vi.waitFor(
      async () => expect(await storedCopies(server, alice, channelId, 'a later message')).toHaveLength(1),
      WAIT,
    );
    expect(await storedCopies(server, alice, channelId, text)).toHaveLength(1);
  });

  it('marks a message the server refuses as failed, retries it with the same clientId, and discards it', async () => {
    const server = await startServer();
    const { alice, channelId } = await aliceWithChannel(server);
    // The real server refuses what the core let through, as a server with stricter rules than the
    // app's would: the text reaches it as only whitespace (validation_failed), and asking again will
    // not help.
    const transport = new TamperedTransport();
    transport.outgoing = (event, payload) =>
      event === 'message.send' ? { ...(payload as object), text: '   ' } : payload;
    const { core, dataDir, recorder } = await openSession({
      serverUrl: server.url,
      createSocket: transport.createSocket,
    });
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    await vi.waitFor(() => core.request('openChannel', { channelId }), WAIT);

    const { clientId } = await core.request('send', { channelId, text: 'refused by the server' });
    const failed = await vi.waitFor(() => {
      const found = recorder.shown(channelId).find((m) => m.id === clientId && m.delivery === 'failed');
      if (!found) throw new Error(`still waiting for ${'the failure'}`);
      return found;
    }, WAIT);
    expect(failed.failure?.code).toBe('validation_failed');

    const failures = () => recorder.seen.filter((m) => m.id === clientId && m.delivery === 'failed').length;
    expect(failures()).toBe(1);
    await core.request('retrySend', { clientId });
    await vi.waitFor(() => expect(failures(), 'the retried send to fail again').toBe(2), WAIT);
    await expect(core.request('retrySend', { clientId: 'no-such-client-id' })).rejects.toMatchObject({
      code: 'not_found',
    });

    await core.request('discardSend', { clientId });
    await vi.waitFor(() => expect(recorder.shown(channelId).length, 'the discard').toBe(0), WAIT);
    await expect(core.request('discardSend', { clientId })).rejects.toMatchObject({ code: 'not_found' });

    // A message the server could never take is refused before it is queued.
    await expect(core.request('send', { channelId, text: 'x'.repeat(9_000) })).rejects.toMatchObject({
      code: 'payload_too_large',
    });

    await core.close();
    const storage = await FileStorage.open(dataDir);
    expect(await storage.keys(`user/${alice.user.id}/outbox/`)).toEqual([]);
  });

  it('keeps what two cores on one data dir queue offline, and lets only one of them send', async () => {
    const server = await startServer();
    const { alice, channelId } = await aliceWithChannel(server);
    // Which core's connection carries each send.
    const sentBy: [string, string][] = [];
    const transport = (name: string) => {
      const t = new TamperedTransport();
      t.answer = (event, payload) => {
        if (event === 'message.send') sentBy.push([name, (payload as { text: string }).text]);
        return undefined;
      };
      return t.createSocket;
    };
    const first = await openSession({ serverUrl: server.url, createSocket: transport('first') });
    await first.core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(first.core);
    const second = await openSession({
      dataDir: first.dataDir,
      serverUrl: server.url,
      createSocket: transport('second'),
    });
    await whenOnline(second.core);
    for (const { core, recorder } of [first, second])
      recorder.opened(
        channelId,
        (await vi.waitFor(() => core.request('openChannel', { channelId }), WAIT)).messages,
      );

    // Both offline, each queues a message: neither write may undo the other.
    first.core.setNetworkAvailable(false);
    second.core.setNetworkAvailable(false);
    await first.core.request('send', { channelId, text: 'from the first' });
    await second.core.request('send', { channelId, text: 'from the second' });
    const third = await openSession({ dataDir: first.dataDir });
    const onDisk = await vi.waitFor(() => third.core.request('openChannel', { channelId }), WAIT);
    expect(onDisk.messages.map((m) => [m.text, m.delivery])).toEqual([
      ['from the first', 'pending'],
      ['from the second', 'pending'],
    ]);
    await third.core.close();

    // Back online: the core holding the lock (the first) sends both; each is stored once.
    second.core.setNetworkAvailable(true);
    first.core.setNetworkAvailable(true);
    for (const { recorder } of [first, second]) {
      await vi.waitFor(
        () =>
          expect(
            recorder
              .shown(channelId)
              .filter((m) => m.delivery === 'sent')
              .map((m) => m.text)
              .join() === 'from the first,from the second',
            'both messages delivered and shown as sent',
          ).toBeTruthy(),
        WAIT,
      );
    }
    for (const text of ['from the first', 'from the second'])
      expect(await storedCopies(server, alice, channelId, text)).toHaveLength(1);
    expect(sentBy).toEqual([
      ['first', 'from the first'],
      ['first', 'from the second'],
    ]);

    // The first goes away: the second takes over the lock and sends from then on.
    await first.core.close();
    await second.core.request('send', { channelId, text: 'after the handover' });
    await vi.waitFor(
      () =>
        expect(
          second.recorder
            .shown(channelId)
            .some((m) => m.text === 'after the handover' && m.delivery === 'sent'),
          'the send after the handover',
        ).toBeTruthy(),
      WAIT,
    );
    expect(sentBy.at(-1)).toEqual(['second', 'after the handover']);
  });

  it('queues nothing it could not save, and reports later storage failures instead of throwing', async () => {
    const server = await startServer();
    const { alice, channelId } = await aliceWithChannel(server);
    const storage = new FailingStorage(await FileStorage.open(tempDir('switchboard-client-')));
    const logger = recordingLogger();
    const core = await SessionCore.open({ storage, serverUrl: server.url, logger });
    onCleanup(() => core.close());
    const recorder = new SessionRecorder(core);
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    await vi.waitFor(() => core.request('openChannel', { channelId }), WAIT);

    // The disk is full: the send fails, and the message must never go out behind the user's back —
    // told it failed, they would send it again.
    storage.fail = (operation, key) => operation === 'set' && key.includes('/outbox');
    await expect(core.request('send', { channelId, text: 'not saved' })).rejects.toThrow('no space left');
    storage.fail = () => false;
    await core.request('send', { channelId, text: 'saved' });
    await recorder.sent(channelId, (m) => m.text === 'saved', 'the saved message');
    expect(recorder.seen.some((m) => m.text === 'not saved')).toBe(false);
    expect(await storedCopies(server, alice, channelId, 'not saved')).toHaveLength(0);

    // Delivered, but its record cannot be deleted: reported, not thrown; the user sees it sent.
    storage.fail = (operation, key) => operation === 'delete' && key.includes('/outbox');
    await core.request('send', { channelId, text: 'record stuck' });
    await recorder.sent(channelId, (m) => m.text === 'record stuck', 'the delivery despite the stuck record');
    await vi.waitFor(
      () =>
        expect(
          logger.errors.includes('could not remove a delivered message from the outbox'),
          'the report',
        ).toBeTruthy(),
      WAIT,
    );
    expect(await storedCopies(server, alice, channelId, 'record stuck')).toHaveLength(1);
  });
});
