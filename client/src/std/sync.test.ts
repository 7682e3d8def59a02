// Delivery model, client half, against a real server: catch-up after a server restart, gap fill,
// a reset after retention pruned past a client's cursor, catch-up that fails and is retried, and
// server data that does not match the protocol.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_SYNC_CURSORS,
  type Message,
  type MessageStreamEvent,
  type SyncRequest,
} from '@switchboard/protocol';
import { createUser, type TestServer } from '../../../tests/support/server.ts';
import { FileStorage, type NodeSessionOptions } from '../node/index.ts';
import { whenOnline } from './online.ts';
import {
  openSession,
  postMessage,
  recordingLogger,
  runCleanups,
  sharedChannel,
  startServer,
  TamperedTransport,
  WAIT,
} from '../../../tests/support/session.ts';

afterEach(runCleanups);

/** Alice signed in to a fresh session core, with a channel she shares with Bob open. */
async function aliceAndBob(server: TestServer, options: Partial<NodeSessionOptions> = {}) {
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  const channelId = await sharedChannel(server, alice, [bob]);
  const { core, dataDir, recorder } = await openSession({ serverUrl: server.url, ...options });
  await core.request('signIn', { username: 'alice', password: alice.password });
  await whenOnline(core);
  // The first sync after connecting lists the channel.
  recorder.opened(
    channelId,
    (await vi.waitFor(() => core.request('openChannel', { channelId }), WAIT)).messages,
  );
  return { alice, bob, channelId, dataDir, core, recorder };
}

describe('catch-up', () => {
  it('delivers what was sent while it was away after a server restart, exactly once', async () => {
    const server = await startServer();
    const { bob, channelId, core, recorder } = await aliceAndBob(server);
    await postMessage(server, bob, channelId, 'before');
    await vi.waitFor(
      () => expect(recorder.texts(channelId).includes('before'), 'the live message').toBeTruthy(),
      WAIT,
    );

    const resetsBefore = recorder.resets.length;
    await server.close();
    const reconnecting = await vi.waitFor(() => {
      const found = recorder.states.find((s) => s.status === 'reconnecting');
      if (!found) throw new Error(`still waiting for ${'the reconnecting state'}`);
      return found;
    }, WAIT);
    expect(reconnecting).toMatchObject({ status: 'reconnecting', reason: 'server-restarting' });
    // Keep the client away while the server comes back, so what Bob sends can only arrive by catch-up.
    core.setNetworkAvailable(false);
    expect(recorder.state).toEqual({ status: 'offline', reason: 'no-network' });

    const restarted = await startServer({ dataDir: server.dataDir, port: server.port });
    for (const text of ['meanwhile-1', 'meanwhile-2', 'meanwhile-3'])
      await postMessage(restarted, bob, channelId, text);
    core.setNetworkAvailable(true);
    await whenOnline(core);

    const expected = ['before', 'meanwhile-1', 'meanwhile-2', 'meanwhile-3'];
    await vi.waitFor(
      () => expect(recorder.texts(channelId).length, 'the catch-up').toBe(expected.length),
      WAIT,
    );
    expect(recorder.texts(channelId)).toEqual(expected);
    expect(recorder.repeated).toEqual([]);
    expect(recorder.resets.length).toBe(resetsBefore);
    const reopened = await core.request('openChannel', { channelId });
    expect(reopened.messages.map((m) => [m.text, m.delivery])).toEqual(
      expected.map((text) => [text, 'sent']),
    );
    const summary = (await core.request('getSnapshot', {})).channels.find((c) => c.id === channelId);
    expect(summary).toMatchObject({ headSeq: 4, unreadCount: 4 });
  });

  it('retries a failed catch-up with backoff, never before retryAfter, and says so until it is done', async () => {
    const server = await startServer();
    const transport = new TamperedTransport();
    const { bob, channelId, core, recorder } = await aliceAndBob(server, {
      createSocket: transport.createSocket,
    });
    core.setNetworkAvailable(false);
    for (const text of ['missed-1', 'missed-2']) await postMessage(server, bob, channelId, text);

    // The server turns the first two catch-ups down: a rate limit (shared by all of Alice's
    // devices), then an error of its own. Nothing else will bring the missed messages: no
    // reconnect, no live event.
    const syncs: number[] = [];
    transport.answer = (event) => {
      if (event !== 'sync') return undefined;
      syncs.push(Date.now());
      if (syncs.length === 1)
        return { ok: false, error: { code: 'rate_limited', message: 'slow down', retryAfter: 1 } };
      if (syncs.length === 2) return { ok: false, error: { code: 'internal', message: 'database is busy' } };
      return undefined;
    };
    core.setNetworkAvailable(true);
    await whenOnline(core);
    const announced = await vi.waitFor(() => {
      const found = recorder.states.find((s) => s.status === 'online' && s.catchingUp?.retryAt !== undefined);
      if (!found) throw new Error(`still waiting for ${'the retry to be announced'}`);
      return found;
    }, WAIT);
    expect(announced).toMatchObject({ catchingUp: { reason: 'rate_limited' } });

    await vi.waitFor(() => expect(recorder.texts(channelId).length, 'the retried catch-up').toBe(2), {
      ...WAIT,
      timeout: 10_000,
    });
    expect(recorder.texts(channelId)).toEqual(['missed-1', 'missed-2']);
    expect(syncs).toHaveLength(3);
    expect(syncs[1]! - syncs[0]!).toBeGreaterThanOrEqual(990);
    expect(recorder.states.some((s) => s.status === 'online' && s.catchingUp?.reason === 'internal')).toBe(
      true,
    );
    await vi.waitFor(
      () =>
        expect(
          recorder.state?.status === 'online' && recorder.state.catchingUp === undefined,
          'the caught-up state',
        ).toBeTruthy(),
      WAIT,
    );
    expect(recorder.repeated).toEqual([]);
  });
});

describe('gap fill', () => {
  it('notices a missed live event from the next seq and fetches it', async () => {
    const server = await startServer();
    // The transport loses exactly one live event, as a flaky network or a server hiccup might.
    const transport = new TamperedTransport();
    let dropped = 0;
    transport.incoming = (event, payload) =>
      event === 'stream.event' && (payload as MessageStreamEvent).message.text === 'lost' && dropped++ === 0
        ? undefined
        : payload;
    const { bob, channelId, recorder } = await aliceAndBob(server, { createSocket: transport.createSocket });

    await postMessage(server, bob, channelId, 'first');
    await vi.waitFor(
      () => expect(recorder.texts(channelId).includes('first'), 'the first message').toBeTruthy(),
      WAIT,
    );
    await postMessage(server, bob, channelId, 'lost');
    await postMessage(server, bob, channelId, 'after');

    await vi.waitFor(() => expect(recorder.texts(channelId).length, 'the gap to be filled').toBe(3), {
      ...WAIT,
      timeout: 5_000,
    });
    expect(dropped).toBe(1);
    expect(recorder.texts(channelId)).toEqual(['first', 'lost', 'after']);
    expect(recorder.shown(channelId).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(recorder.repeated).toEqual([]);
  });
});

describe('more channels than one sync may carry', () => {
  it('sends the cursors over several syncs, none over the limit, and catches up every channel', async () => {
    const server = await startServer();
    // An admin: the per-user channel quota does not apply, so one person can be in this many channels.
    const alice = await createUser(server, 'alice', { isAdmin: true });
    const bob = await createUser(server, 'bob');
    const channelIds: string[] = [];
    for (let i = 0; i <= MAX_SYNC_CURSORS; i++) {
      const channel = await server.ctx.channels.create(alice.user, { name: `c${i}`, visibility: 'public' });
      channelIds.push(channel.id);
    }
    const last = channelIds.at(-1)!;
    await server.ctx.channels.join(bob.user, last);

    const transport = new TamperedTransport();
    const cursorsPerSync: number[] = [];
    transport.answer = (event, payload) => {
      if (event === 'sync') cursorsPerSync.push(Object.keys((payload as SyncRequest).cursors).length);
      return undefined;
    };
    const logger = recordingLogger();
    const { core, recorder } = await openSession({
      serverUrl: server.url,
      createSocket: transport.createSocket,
      logger,
    });
    await core.request('signIn', { username: 'alice', password: alice.password });
    await whenOnline(core);
    // Opening a channel loads its newest page, and with it the cursor the client keeps for it. The
    // first sync after connecting lists the channels.
    await vi.waitFor(() => core.request('openChannel', { channelId: last }), WAIT);
    await Promise.all(channelIds.map((channelId) => core.request('openChannel', { channelId })));

    core.setNetworkAvailable(false);
    await postMessage(server, bob, last, 'meanwhile');
    cursorsPerSync.length = 0;
    core.setNetworkAvailable(true);
    await vi.waitFor(
      () => expect(recorder.texts(last), 'the message sent meanwhile').toContain('meanwhile'),
      { ...WAIT, timeout: 30_000 },
    );

    expect(Math.max(...cursorsPerSync)).toBe(MAX_SYNC_CURSORS);
    expect(cursorsPerSync.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(channelIds.length);
    expect(logger.warnings).toEqual([]);
  }, 120_000);
});

describe('server data that does not match the protocol', () => {
  it('is dropped and logged, never applied, and what it hid is fetched intact', async () => {
    const server = await startServer();
    const transport = new TamperedTransport();
    const logger = recordingLogger();
    const { bob, channelId, core, recorder } = await aliceAndBob(server, {
      createSocket: transport.createSocket,
      logger,
    });
    const dropped = () =>
      logger.warnings.filter((w) => w === 'dropped a server event that does not match the protocol').length;

    // A live event arrives garbled; the next one shows the gap it left, and catch-up fills it.
    transport.incoming = (event, payload) => {
      const live = payload as MessageStreamEvent;
      if (event !== 'stream.event' || live.message.text !== 'garbled') return payload;
      return { ...live, message: { ...live.message, text: 42 } as unknown as Message };
    };
    await postMessage(server, bob, channelId, 'garbled');
    await postMessage(server, bob, channelId, 'after');
    await vi.waitFor(() => expect(recorder.texts(channelId).length, 'the gap to be filled').toBe(2), WAIT);
    expect(recorder.texts(channelId)).toEqual(['garbled', 'after']);
    expect(recorder.seen.every((m) => typeof m.text === 'string')).toBe(true);
    expect(dropped()).toBe(1);

    // Every kind of server event, malformed: none reaches a handler, none takes the core down.
    const before = await core.request('getSnapshot', {});
    const junk: [string, unknown][] = [
      ['hello', {}],
      ['stream.event', { channelId, seq: 'next' }],
      ['channel.joined', { id: 5 }],
      ['channel.left', {}],
      ['read.state', null],
      ['preferences', { theme: 'plaid' }],
      ['typing', { channelId }],
      ['presence', { changes: 'everyone' }],
      ['server.shutdown', { reconnectAfterMs: 'soon' }],
    ];
    for (const [event, payload] of junk) transport.inject(event, payload);
    expect(dropped()).toBe(1 + junk.length);
    const after = await core.request('getSnapshot', {});
    expect(after.channels).toEqual(before.channels);
    expect(after.connection.status).toBe('online');

    // An ack whose data is not what the protocol says fails the request instead of resolving with it.
    transport.answer = (event) => (event === 'channel.create' ? { ok: true, data: { id: 7 } } : undefined);
    await expect(core.request('createChannel', { name: 'odd', visibility: 'public' })).rejects.toMatchObject({
      code: 'internal',
    });
    expect(logger.warnings).toContain(
      'the server answered a request with data that does not match the protocol',
    );
    expect((await core.request('getSnapshot', {})).channels).toEqual(before.channels);
  });
});

describe('reset', () => {
  it('drops a stream whose cursor fell behind retention and reloads its newest page', async () => {
    // The server's clock is the test's: retention cuts between two messages without waiting.
    let now = Date.now();
    const server = await startServer({}, { clock: () => now });
    const { alice, bob, channelId, dataDir, core, recorder } = await aliceAndBob(server);
    await postMessage(server, bob, channelId, 'old-1');
    await postMessage(server, bob, channelId, 'old-2');
    await vi.waitFor(() => expect(recorder.texts(channelId).length, 'the first messages').toBe(2), WAIT);

    core.setNetworkAvailable(false);
    await postMessage(server, bob, channelId, 'old-3');
    now += 10;
    const cutoff = now;
    now += 10;
    await postMessage(server, bob, channelId, 'new-1');
    expect(await server.ctx.messages.pruneOlderThan(cutoff)).toBe(3);

    core.setNetworkAvailable(true);
    await whenOnline(core);
    await vi.waitFor(
      () =>
        expect(
          recorder.resets.includes(channelId) && recorder.texts(channelId).length === 1,
          'the reset',
        ).toBeTruthy(),
      WAIT,
    );
    expect(recorder.texts(channelId)).toEqual(['new-1']);
    const reopened = await core.request('openChannel', { channelId });
    expect(reopened.messages.map((m) => m.text)).toEqual(['new-1']);
    expect(reopened.hasOlder).toBe(false);

    // The cache on disk was replaced too: a restarted app does not show pruned history.
    await core.close();
    const storage = await FileStorage.open(dataDir);
    const cached = (await storage.get(`user/${alice.user.id}/stream/${channelId}`)) as {
      v: number;
      data: { messages: { text: string }[] };
    };
    expect(cached.v).toBe(1);
    expect(cached.data.messages.map((m) => m.text)).toEqual(['new-1']);
  });
});
