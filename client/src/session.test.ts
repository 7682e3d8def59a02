// The session core's requests against a real server: first-admin setup, channels, edits, read
// state, a reopened app showing its cache at once, and sign-out forgetting the account's data.
import { afterEach, describe, expect, it } from 'vitest';
import { createUser, startTestServer, tempDir, type TestServer } from '../../tests/support/server.ts';
import type { ChannelSummary } from '@switchboard/protocol';
import { createNodeSession, FileStorage } from './node.ts';
import { whenOnline } from './online.ts';
import { eventually, postMessage, SessionRecorder, waitFor } from './testSupport.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<TestServer> {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  return server;
}

describe('session core', () => {
  it('sets up the first admin, then creates a channel and sends, edits and deletes in it', async () => {
    const server = await start();
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-') });
    cleanups.push(() => core.close());
    const recorder = new SessionRecorder(core);
    await expect(core.request('authStatus', {})).rejects.toMatchObject({ code: 'bad_request' });
    await core.request('setServer', { serverUrl: `${server.url}/` });
    expect((await core.request('getSnapshot', {})).serverUrl).toBe(server.url);
    expect(await core.request('authStatus', {})).toMatchObject({ setupRequired: true });

    const admin = await core.request('setupAdmin', {
      setupCode: server.setupCode!,
      username: 'admin',
      password: 'a-long-password',
    });
    expect(admin).toMatchObject({ username: 'admin', isAdmin: true });
    await whenOnline(core);
    expect(await core.request('authStatus', {})).toMatchObject({ setupRequired: false });

    const listed: ChannelSummary[][] = [];
    core.on('channels', (channels) => listed.push(channels));
    const ops = await core.request('createChannel', { name: 'ops', visibility: 'public' });
    await waitFor(() => listed.some((channels) => channels.some((c) => c.id === ops.id)), 'the channel list');
    expect((await core.request('listPublicChannels', {})).channels.map((c) => c.name)).toEqual(['ops']);
    recorder.opened(ops.id, (await core.request('openChannel', { channelId: ops.id })).messages);

    await core.request('send', { channelId: ops.id, text: 'hello' });
    const stored = await waitFor(
      () => recorder.shown(ops.id).find((m) => m.delivery === 'sent'),
      'the stored message',
    );
    const edited = await core.request('edit', { messageId: stored.id, text: 'hello, edited' });
    expect(edited).toMatchObject({ id: stored.id, text: 'hello, edited', changeSeq: 2 });
    await waitFor(() => recorder.shown(ops.id)[0]?.text === 'hello, edited', 'the edit');
    await core.request('delete', { messageId: stored.id });
    await waitFor(() => recorder.shown(ops.id)[0]?.deletedAt !== null, 'the delete');
    expect(recorder.shown(ops.id)).toHaveLength(1);
    expect(recorder.repeated).toEqual([]);
  });

  it('counts unread messages as they arrive and clears them on markRead', async () => {
    const server = await start();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
    cleanups.push(() => core.close());
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    const general = await core.request('createChannel', { name: 'general', visibility: 'public' });
    await fetch(`${server.url}/api/v1/channels/${general.id}/join`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.token}` },
    });

    let latest: ChannelSummary | undefined;
    core.on('channels', (channels) => (latest = channels.find((c) => c.id === general.id)));
    await postMessage(server, bob, general.id, 'hi @alice');
    const { seq } = await postMessage(server, bob, general.id, 'anyone?');
    await waitFor(() => latest?.unreadCount === 2, 'the unread count');
    expect(latest).toMatchObject({ unreadCount: 2, mentionCount: 1, headSeq: seq });

    await core.request('markRead', { channelId: general.id, seq });
    await waitFor(() => latest?.unreadCount === 0, 'the read state');
    expect(latest).toMatchObject({ readSeq: seq, mentionCount: 0 });
  });

  it('shows cached history at once when reopened, and forgets the account on sign-out', async () => {
    const server = await start();
    const alice = await createUser(server, 'alice');
    const dataDir = tempDir('switchboard-client-');
    const first = await createNodeSession({ dataDir, serverUrl: server.url });
    await first.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(first);
    const general = await first.request('createChannel', { name: 'general', visibility: 'public' });
    for (const text of ['one', 'two']) await postMessage(server, alice, general.id, text);
    await eventually(async () => {
      const { messages } = await first.request('openChannel', { channelId: general.id });
      if (messages.length !== 2) throw new Error('not yet');
    });
    await first.close();

    const reopened = await createNodeSession({ dataDir, serverUrl: server.url });
    cleanups.push(() => reopened.close());
    const snapshot = await reopened.request('getSnapshot', {});
    expect(snapshot.user?.username).toBe('alice');
    expect(snapshot.channels.map((c) => c.name)).toEqual(['general']);
    const cached = await reopened.request('openChannel', { channelId: general.id });
    expect(cached.messages.map((m) => m.text)).toEqual(['one', 'two']);

    await whenOnline(reopened);
    await reopened.request('signOut', {});
    expect(await reopened.request('getSnapshot', {})).toMatchObject({
      user: null,
      channels: [],
      connection: { status: 'signed-out' },
    });
    await expect(reopened.request('openChannel', { channelId: general.id })).rejects.toMatchObject({
      code: 'unauthorized',
    });
    await reopened.close();
    const storage = await FileStorage.open(dataDir);
    expect(await storage.keys('user/')).toEqual([]);
    expect(await storage.get('session')).toEqual({ serverUrl: server.url, token: null, user: null });
  });
});
