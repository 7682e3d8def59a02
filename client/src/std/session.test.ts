// The session core's requests against a real server: first-admin setup, channels, edits, read
// state, a reopened app showing its cache at once, sign-out forgetting the account's data, adding
// someone to a private channel, registering with an invite, and the server's limits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, createUser, tempDir, type TestServer, type TestUser } from '../../../tests/support/server.ts';
import type { ChannelSummary } from '@switchboard/protocol';
import type { SessionSnapshot } from './contract.ts';
import { createNodeSession, FileStorage } from '../node/index.ts';
import { whenOnline } from './online.ts';
import type { SessionCore } from './session.ts';
import {
  onCleanup,
  postMessage,
  recordingLogger,
  runCleanups,
  SessionRecorder,
  startServer,
  storedCopies,
  WAIT,
} from '../../../tests/support/session.ts';

afterEach(runCleanups);

/** Alice, signed in on a fresh data dir and online, in #general, the server's first channel. */
async function aliceInGeneral(server: TestServer) {
  const alice = await createUser(server, 'alice');
  const dataDir = tempDir('switchboard-client-');
  const core = await createNodeSession({ dataDir, serverUrl: server.url });
  await core.request('signIn', { username: 'alice', password: alice.password });
  await whenOnline(core);
  return { alice, dataDir, core, general: await firstChannel(core) };
}

/** #general, which every account joins: as the core lists it once it has synced. */
async function firstChannel(core: SessionCore): Promise<ChannelSummary> {
  let general: ChannelSummary | undefined;
  await vi.waitFor(async () => {
    general = (await core.request('getSnapshot', {})).channels.find((c) => c.name === 'general');
    expect(general).toBeDefined();
  }, WAIT);
  return general!;
}

/**
 * Alice queues `text` while offline, and her server comes back with `stricter` settings: resolves
 * once the message shows as failed (and the server has stored nothing), with its failure.
 */
async function queuedForStricterServer(text: string, stricter: Parameters<typeof startServer>[0]) {
  const server = await startServer();
  const { alice, core, general } = await aliceInGeneral(server);
  onCleanup(() => core.close());
  const recorder = new SessionRecorder(core);
  core.setNetworkAvailable(false);
  await core.request('send', { channelId: general.id, text });
  await server.close();
  const restarted = await startServer({ ...stricter, dataDir: server.dataDir, port: server.port });
  core.setNetworkAvailable(true);
  const failed = await vi.waitFor(() => {
    const found = recorder.shown(general.id).find((m) => m.delivery === 'failed');
    if (!found) throw new Error('still waiting for the failure');
    return found;
  }, WAIT);
  expect(await storedCopies(restarted, alice, general.id, text)).toEqual([]);
  return { failure: failed.failure, core, general, alice, server: restarted };
}

/** A session core of its own, signed in as `user` and online. */
async function signedIn(server: TestServer, user: TestUser): Promise<SessionCore> {
  const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
  onCleanup(() => core.close());
  await core.request('signIn', { username: user.user.username, password: user.password });
  await whenOnline(core);
  return core;
}

describe('session core', () => {
  it('sets up the first admin, then creates a channel and sends, edits and deletes in it', async () => {
    const server = await startServer();
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-') });
    onCleanup(() => core.close());
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
    await vi.waitFor(
      () =>
        expect(
          listed.some((channels) => channels.some((c) => c.id === ops.id)),
          'the channel list',
        ).toBeTruthy(),
      WAIT,
    );
    const browsed = await core.request('browseChannels', {});
    expect(browsed.channels.map((c) => [c.name, c.joined])).toEqual([
      ['general', true],
      ['ops', true],
    ]);
    expect(browsed.nextCursor).toBeNull();
    recorder.opened(ops.id, (await core.request('openChannel', { channelId: ops.id })).messages);

    await core.request('send', { channelId: ops.id, text: 'hello' });
    const stored = await vi.waitFor(() => {
      const found = recorder.shown(ops.id).find((m) => m.delivery === 'sent');
      if (!found) throw new Error(`still waiting for ${'the stored message'}`);
      return found;
    }, WAIT);
    const edited = await core.request('edit', { messageId: stored.id, text: 'hello, edited' });
    expect(edited).toMatchObject({ id: stored.id, text: 'hello, edited', changeSeq: 2 });
    await vi.waitFor(
      () => expect(recorder.shown(ops.id)[0]?.text === 'hello, edited', 'the edit').toBeTruthy(),
      WAIT,
    );
    await core.request('delete', { messageId: stored.id });
    await vi.waitFor(
      () => expect(recorder.shown(ops.id)[0]?.deletedAt !== null, 'the delete').toBeTruthy(),
      WAIT,
    );
    expect(recorder.shown(ops.id)).toHaveLength(1);
    expect(recorder.repeated).toEqual([]);
  });

  it('counts unread messages as they arrive and clears them on markRead', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
    onCleanup(() => core.close());
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    const general = await firstChannel(core);

    let latest: ChannelSummary | undefined;
    core.on('channels', (channels) => (latest = channels.find((c) => c.id === general.id)));
    await postMessage(server, bob, general.id, 'hi @alice');
    const { seq } = await postMessage(server, bob, general.id, 'anyone?');
    await vi.waitFor(() => expect(latest?.unreadCount === 2, 'the unread count').toBeTruthy(), WAIT);
    expect(latest).toMatchObject({ unreadCount: 2, mentionCount: 1, headSeq: seq });

    await core.request('markRead', { channelId: general.id, seq });
    await vi.waitFor(() => expect(latest?.unreadCount === 0, 'the read state').toBeTruthy(), WAIT);
    expect(latest).toMatchObject({ readSeq: seq, mentionCount: 0 });
  });

  it('stays signed in when stored records cannot be read: each is logged and dropped alone', async () => {
    const server = await startServer();
    const { alice, dataDir, core: first, general } = await aliceInGeneral(server);
    await first.close();

    const storage = await FileStorage.open(dataDir);
    const prefix = `user/${alice.user.id}/`;
    await storage.set(`${prefix}meta`, { v: 1, data: { epoch: 42 } });
    await storage.set(`${prefix}stream/${general.id}`, 'not a stream');
    await storage.set(`${prefix}outbox/broken-entry`, { v: 1, data: { text: 7 } });
    await storage.close();

    const logger = recordingLogger();
    const reopened = await createNodeSession({ dataDir, serverUrl: server.url, logger });
    onCleanup(() => reopened.close());
    expect((await reopened.request('getSnapshot', {})).user?.username).toBe('alice');
    await whenOnline(reopened);
    await vi.waitFor(
      async () =>
        expect((await reopened.request('getSnapshot', {})).channels.map((c) => c.name)).toEqual(['general']),
      WAIT,
    );
    expect(logger.errors).toEqual([
      'a stored cached channel list could not be read; it was dropped',
      'a stored cached channel could not be read; it was dropped',
      'a stored queued message could not be read; it was dropped',
    ]);
  });

  it('shows cached history at once when reopened, and forgets the account on sign-out', async () => {
    const server = await startServer();
    const { alice, dataDir, core: first, general } = await aliceInGeneral(server);
    for (const text of ['one', 'two']) await postMessage(server, alice, general.id, text);
    await vi.waitFor(async () => {
      const { messages } = await first.request('openChannel', { channelId: general.id });
      if (messages.length !== 2) throw new Error('not yet');
    }, WAIT);
    await first.close();

    const reopened = await createNodeSession({ dataDir, serverUrl: server.url });
    onCleanup(() => reopened.close());
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
    expect(await storage.get('session')).toEqual({
      v: 1,
      data: { serverUrl: server.url, token: null, user: null },
    });
  });

  it('adds someone to a private channel: it reaches them live, with its messages, and they can answer', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const carol = await createUser(server, 'carol');
    const aliceCore = await signedIn(server, alice);
    const bobCore = await signedIn(server, bob);
    const aliceView = new SessionRecorder(aliceCore);
    const bobView = new SessionRecorder(bobCore);
    let bobSees: ChannelSummary | undefined;
    bobCore.on('channels', (channels) => (bobSees = channels.find((c) => c.name === 'plans')));

    const plans = await aliceCore.request('createChannel', { name: 'plans', visibility: 'private' });
    aliceView.opened(plans.id, (await aliceCore.request('openChannel', { channelId: plans.id })).messages);
    await postMessage(server, alice, plans.id, 'before bob');
    await expect(
      bobCore.request('inviteToChannel', { channelId: plans.id, userId: carol.user.id }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(
      await aliceCore.request('inviteToChannel', { channelId: plans.id, userId: bob.user.id }),
    ).toBeNull();

    // channel.joined puts it in Bob's list, and his connection now gets its live events.
    // Unread for him: the message before he came, and the notice that alice added him.
    await vi.waitFor(() => expect(bobSees, 'the channel in bob’s list').toBeTruthy(), WAIT);
    expect(bobSees).toMatchObject({ id: plans.id, kind: 'private', unreadCount: 2 });
    await postMessage(server, alice, plans.id, 'welcome, bob');
    await vi.waitFor(() => expect(bobSees?.unreadCount === 3, 'the live message counted').toBeTruthy(), WAIT);
    bobView.opened(plans.id, (await bobCore.request('openChannel', { channelId: plans.id })).messages);
    await vi.waitFor(() => expect(bobView.texts(plans.id).length, 'the history').toBe(3), WAIT);
    expect(bobView.texts(plans.id)).toEqual(['before bob', 'added @bob to the channel', 'welcome, bob']);
    expect(bobView.shown(plans.id)[1]).toMatchObject({
      kind: 'notice',
      authorId: alice.user.id,
      notice: { type: 'member.added', userId: bob.user.id },
    });

    await bobCore.request('send', { channelId: plans.id, text: 'thanks!' });
    await vi.waitFor(
      () => expect(aliceView.texts(plans.id).includes('thanks!'), 'bob’s answer at alice').toBeTruthy(),
      WAIT,
    );
    const { userIds } = await bobCore.request('channelMembers', { channelId: plans.id });
    expect([...userIds].sort()).toEqual([alice.user.id, bob.user.id].sort());
    expect(bobView.repeated).toEqual([]);
  });

  it('registers an account with an invite code and signs it in', async () => {
    const server = await startServer({ registration: 'invite' });
    const admin = await createUser(server, 'admin', { isAdmin: true });
    const invite = await api(server.url, 'POST', '/api/v1/invites', { token: admin.token, json: {} });
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
    onCleanup(() => core.close());
    expect(await core.request('authStatus', {})).toMatchObject({ registration: 'invite' });

    const dana = { username: 'dana', password: 'danas-long-password' };
    await expect(core.request('register', dana)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(core.request('register', { ...dana, invite: 'not-a-code' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const user = await core.request('register', { ...dana, invite: invite.body.code });
    expect(user).toMatchObject({ username: 'dana', isAdmin: false });
    await whenOnline(core);
    expect((await core.request('getSnapshot', {})).user?.id).toBe(user.id);
  });

  it('fails a queued message that the server’s new, lower limits refuse, with the server’s reason', async () => {
    const { failure } = await queuedForStricterServer('x'.repeat(25), { maxMessageLength: 20 });
    expect(failure).toEqual({
      code: 'payload_too_large',
      message: 'message is 25 characters; this server allows 20',
    });
  });

  it('fails a queued message too large for the server’s new packet limit, and stays connected', async () => {
    // The server would cut a connection that sends it a larger packet, again after every reconnect.
    const { failure, core, general, alice, server } = await queuedForStricterServer('x'.repeat(3000), {
      maxPayloadBytes: 2048,
    });
    expect(failure?.code).toBe('payload_too_large');
    expect(failure?.message).toMatch(/^too large for this server: .* it takes at most 2048$/);
    expect((await core.request('getSnapshot', {})).connection.status).toBe('online');
    await core.request('send', { channelId: general.id, text: 'a short one' });
    await vi.waitFor(
      async () => expect(await storedCopies(server, alice, general.id, 'a short one')).toHaveLength(1),
      WAIT,
    );
  });

  it('puts the server’s limits in the snapshot, holds messages to them, and remembers them', async () => {
    const server = await startServer({ maxMessageLength: 20 });
    const alice = await createUser(server, 'alice');
    const dataDir = tempDir('switchboard-client-');
    const core = await createNodeSession({ dataDir, serverUrl: server.url });
    expect((await core.request('getSnapshot', {})).limits.maxMessageLength).toBe(8000);
    const snapshots: SessionSnapshot[] = [];
    core.on('snapshot', (snapshot) => snapshots.push(snapshot));
    await core.request('signIn', { username: 'alice', password: alice.password });
    await vi.waitFor(
      () =>
        expect(
          snapshots.some((s) => s.limits.maxMessageLength === 20),
          'the limits from hello',
        ).toBeTruthy(),
      WAIT,
    );
    expect((await core.request('getSnapshot', {})).limits).toEqual({
      maxMessageLength: 20,
      maxPayloadBytes: server.ctx.config.maxPayloadBytes,
      maxFileBytes: server.ctx.config.maxFileBytes,
    });
    const general = await firstChannel(core);
    await expect(core.request('send', { channelId: general.id, text: 'x'.repeat(21) })).rejects.toMatchObject(
      { code: 'payload_too_large' },
    );
    await core.request('send', { channelId: general.id, text: 'x'.repeat(20) });
    await core.close();

    // With the server gone, a reopened app still holds messages to that server's limit.
    await server.close();
    const reopened = await createNodeSession({ dataDir, serverUrl: server.url });
    onCleanup(() => reopened.close());
    expect((await reopened.request('getSnapshot', {})).limits.maxMessageLength).toBe(20);
    await expect(
      reopened.request('send', { channelId: general.id, text: 'x'.repeat(21) }),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
  });

  it('follows its server to a new address, keeping the sign-in, history and outbox', async () => {
    const server = await startServer();
    const { alice, core, general } = await aliceInGeneral(server);
    onCleanup(() => core.close());
    const recorder = new SessionRecorder(core);
    recorder.opened(general.id, (await core.request('openChannel', { channelId: general.id })).messages);
    await core.request('send', { channelId: general.id, text: 'before the move' });
    await recorder.sent(general.id, (m) => m.text === 'before the move', 'the first message');
    await server.close();
    const { clientId } = await core.request('send', { channelId: general.id, text: 'queued while away' });

    // The same server (same data) on another port: the session moves there without signing in.
    const moved = await startServer({ dataDir: server.dataDir });
    expect(await core.relocate('http://elsewhere.example', moved.url)).toBe(false);
    const signedOut: string[] = [];
    core.on('connection', (state) => void (state.status === 'signed-out' && signedOut.push('told')));
    const moving = core.relocate(server.url, moved.url);
    // Asked while the move is under way, the core answers as of after it: still signed in.
    const during = await core.request('getSnapshot', {});
    expect(await moving).toBe(true);
    expect(during.user?.id).toBe(alice.user.id);
    expect(during.serverUrl).toBe(moved.url);
    await whenOnline(core);
    const snapshot = await core.request('getSnapshot', {});
    expect(snapshot.serverUrl).toBe(moved.url);
    expect(snapshot.user?.id).toBe(alice.user.id);
    expect(signedOut).toEqual([]);
    await recorder.sent(general.id, (m) => m.clientId === clientId, 'the queued message');
    expect(await storedCopies(moved, alice, general.id, 'queued while away')).toHaveLength(1);
    expect(recorder.texts(general.id)).toEqual(['before the move', 'queued while away']);
  });
});
