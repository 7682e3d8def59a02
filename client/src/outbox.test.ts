// The outbox against a real server: it survives a client restart and delivers exactly once (also
// when an ack was lost and the same clientId goes out again), and a message the server refuses for
// good shows as failed until it is retried or discarded.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser, startTestServer, tempDir, type TestServer } from '../../tests/support/server.ts';
import { createNodeSession, FileStorage } from './node.ts';
import { whenOnline } from './online.ts';
import { eventually, SessionRecorder, sharedChannel, storedCopies, waitFor } from './testSupport.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(overrides);
  cleanups.push(() => server.close());
  return server;
}

async function session(dataDir: string, serverUrl: string) {
  const core = await createNodeSession({ dataDir, serverUrl });
  cleanups.push(() => core.close());
  return { core, recorder: new SessionRecorder(core) };
}

describe('outbox', () => {
  it('survives a client restart while the server is down and delivers exactly once', async () => {
    const server = await start();
    const alice = await createUser(server, 'alice');
    const channelId = await sharedChannel(server, alice, []);
    const dataDir = tempDir('switchboard-client-');

    const first = await session(dataDir, server.url);
    await first.core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(first.core);
    // The first sync after connecting lists the channel.
    await eventually(() => first.core.request('openChannel', { channelId }));
    await server.close();
    await waitFor(() => first.recorder.state?.status === 'reconnecting', 'the outage');

    const text = 'written while the server was down';
    const { clientId } = await first.core.request('send', { channelId, text });
    await waitFor(
      () => first.recorder.shown(channelId).some((m) => m.id === clientId && m.delivery === 'pending'),
      'the pending message',
    );
    await first.core.close();
    // The same device state, kept aside: replaying it later is what a lost ack looks like.
    const lostAckDir = tempDir('switchboard-client-');
    fs.cpSync(dataDir, lostAckDir, { recursive: true });

    // The app restarts before the server does: its cache and outbox show up at once.
    const second = await session(dataDir, server.url);
    const cached = await second.core.request('openChannel', { channelId });
    expect(cached.messages.map((m) => [m.clientId, m.delivery])).toEqual([[clientId, 'pending']]);
    second.recorder.opened(channelId, cached.messages);

    const restarted = await start({ dataDir: server.dataDir, port: server.port });
    await whenOnline(second.core, 20_000);
    await waitFor(
      () => second.recorder.shown(channelId).some((m) => m.clientId === clientId && m.delivery === 'sent'),
      'the delivery',
    );
    expect(second.recorder.shown(channelId).map((m) => [m.text, m.delivery])).toEqual([[text, 'sent']]);
    expect(await storedCopies(restarted, alice, channelId, text)).toHaveLength(1);
    await second.core.close();

    // A copy of the outbox from before the ack goes out again with the same clientId: still one copy.
    const replay = await session(lostAckDir, server.url);
    await whenOnline(replay.core);
    replay.recorder.opened(channelId, (await replay.core.request('openChannel', { channelId })).messages);
    await waitFor(
      () => replay.recorder.shown(channelId).some((m) => m.clientId === clientId && m.delivery === 'sent'),
      'the replayed delivery',
    );
    expect(replay.recorder.shown(channelId).map((m) => [m.text, m.delivery])).toEqual([[text, 'sent']]);
    expect(await storedCopies(restarted, alice, channelId, text)).toHaveLength(1);
  });

  it('marks a message the server refuses as failed, retries it with the same clientId, and discards it', async () => {
    const server = await start();
    const alice = await createUser(server, 'alice');
    const channelId = await sharedChannel(server, alice, []);
    const dataDir = tempDir('switchboard-client-');
    const { core, recorder } = await session(dataDir, server.url);
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    await eventually(() => core.request('openChannel', { channelId }));

    // Only whitespace: the server refuses it (validation_failed), and asking again will not help.
    const { clientId } = await core.request('send', { channelId, text: '   ' });
    const failed = await waitFor(
      () => recorder.shown(channelId).find((m) => m.id === clientId && m.delivery === 'failed'),
      'the failure',
    );
    expect(failed.failure?.code).toBe('validation_failed');

    const failures = () => recorder.seen.filter((m) => m.id === clientId && m.delivery === 'failed').length;
    expect(failures()).toBe(1);
    await core.request('retrySend', { clientId });
    await waitFor(() => failures() === 2, 'the retried send to fail again');
    await expect(core.request('retrySend', { clientId: 'no-such-client-id' })).rejects.toMatchObject({
      code: 'not_found',
    });

    await core.request('discardSend', { clientId });
    await waitFor(() => recorder.shown(channelId).length === 0, 'the discard');
    await expect(core.request('discardSend', { clientId })).rejects.toMatchObject({ code: 'not_found' });

    // A message the server could never take is refused before it is queued.
    await expect(core.request('send', { channelId, text: 'x'.repeat(9_000) })).rejects.toMatchObject({
      code: 'payload_too_large',
    });

    await core.close();
    const storage = await FileStorage.open(dataDir);
    const me = (await storage.get('session')) as { user: { id: string } };
    expect(await storage.get(`user/${me.user.id}/outbox`)).toEqual([]);
  });
});
