// Delivery model, client half, against a real server: catch-up after a server restart, gap fill,
// and a reset after retention pruned past a client's cursor.
import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { StreamEvent } from '@switchboard/protocol';
import { createUser, startTestServer, tempDir, type TestServer } from '../../tests/support/server.ts';
import type { ServerSocket, SocketFactory } from './connection.ts';
import { createNodeSession, FileStorage } from './node.ts';
import { whenOnline } from './online.ts';
import { eventually, postMessage, SessionRecorder, sharedChannel, waitFor } from './testSupport.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(overrides);
  cleanups.push(() => server.close());
  return server;
}

/** Alice signed in to a fresh session core, with a channel she shares with Bob open. */
async function aliceAndBob(server: TestServer, options: { createSocket?: SocketFactory } = {}) {
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  const channelId = await sharedChannel(server, alice, [bob]);
  const dataDir = tempDir('switchboard-client-');
  const core = await createNodeSession({ dataDir, serverUrl: server.url, ...options });
  cleanups.push(() => core.close());
  const recorder = new SessionRecorder(core);
  await core.request('signIn', { username: 'alice', password: alice.password });
  await whenOnline(core);
  // The first sync after connecting lists the channel.
  recorder.opened(channelId, (await eventually(() => core.request('openChannel', { channelId }))).messages);
  return { alice, bob, channelId, dataDir, core, recorder };
}

describe('catch-up', () => {
  it('delivers what was sent while it was away after a server restart, exactly once', async () => {
    const server = await start();
    const { bob, channelId, core, recorder } = await aliceAndBob(server);
    await postMessage(server, bob, channelId, 'before');
    await waitFor(() => recorder.texts(channelId).includes('before'), 'the live message');

    const resetsBefore = recorder.resets.length;
    await server.close();
    const reconnecting = await waitFor(
      () => recorder.states.find((s) => s.status === 'reconnecting'),
      'the reconnecting state',
    );
    expect(reconnecting).toMatchObject({ status: 'reconnecting', reason: 'the server is restarting' });
    // Keep the client away while the server comes back, so what Bob sends can only arrive by catch-up.
    core.setNetworkAvailable(false);
    expect(recorder.state).toEqual({ status: 'offline', reason: 'no network connection' });

    const restarted = await start({ dataDir: server.dataDir, port: server.port });
    for (const text of ['meanwhile-1', 'meanwhile-2', 'meanwhile-3'])
      await postMessage(restarted, bob, channelId, text);
    core.setNetworkAvailable(true);
    await whenOnline(core);

    const expected = ['before', 'meanwhile-1', 'meanwhile-2', 'meanwhile-3'];
    await waitFor(() => recorder.texts(channelId).length === expected.length, 'the catch-up');
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
});

describe('gap fill', () => {
  it('notices a missed live event from the next seq and fetches it', async () => {
    const server = await start();
    let dropped = 0;
    // The transport loses exactly one live event, as a flaky network or a server hiccup might.
    const lossy: SocketFactory = (url, options) => {
      const socket: ServerSocket = io(url, options);
      const on = socket.on.bind(socket) as (
        event: string,
        handler: (...args: unknown[]) => void,
      ) => ServerSocket;
      const patched = (event: string, handler: (...args: unknown[]) => void) =>
        on(event, (...args: unknown[]) => {
          if (event === 'stream.event' && (args[0] as StreamEvent).message.text === 'lost' && dropped++ === 0)
            return;
          handler(...args);
        });
      socket.on = patched as ServerSocket['on'];
      return socket;
    };
    const { bob, channelId, recorder } = await aliceAndBob(server, { createSocket: lossy });

    await postMessage(server, bob, channelId, 'first');
    await waitFor(() => recorder.texts(channelId).includes('first'), 'the first message');
    await postMessage(server, bob, channelId, 'lost');
    await postMessage(server, bob, channelId, 'after');

    await waitFor(() => recorder.texts(channelId).length === 3, 'the gap to be filled', 5_000);
    expect(dropped).toBe(1);
    expect(recorder.texts(channelId)).toEqual(['first', 'lost', 'after']);
    expect(recorder.shown(channelId).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(recorder.repeated).toEqual([]);
  });
});

describe('reset', () => {
  it('drops a stream whose cursor fell behind retention and reloads its newest page', async () => {
    const server = await start();
    const { alice, bob, channelId, dataDir, core, recorder } = await aliceAndBob(server);
    await postMessage(server, bob, channelId, 'old-1');
    await postMessage(server, bob, channelId, 'old-2');
    await waitFor(() => recorder.texts(channelId).length === 2, 'the first messages');

    core.setNetworkAvailable(false);
    await postMessage(server, bob, channelId, 'old-3');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cutoff = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await postMessage(server, bob, channelId, 'new-1');
    expect(await server.ctx.messages.pruneOlderThan(cutoff)).toBe(3);

    core.setNetworkAvailable(true);
    await whenOnline(core);
    await waitFor(
      () => recorder.resets.includes(channelId) && recorder.texts(channelId).length === 1,
      'the reset',
    );
    expect(recorder.texts(channelId)).toEqual(['new-1']);
    const reopened = await core.request('openChannel', { channelId });
    expect(reopened.messages.map((m) => m.text)).toEqual(['new-1']);
    expect(reopened.hasOlder).toBe(false);

    // The cache on disk was replaced too: a restarted app does not show pruned history.
    await core.close();
    const storage = await FileStorage.open(dataDir);
    const cached = (await storage.get(`user/${alice.user.id}/stream/${channelId}`)) as {
      messages: { text: string }[];
    };
    expect(cached.messages.map((m) => m.text)).toEqual(['new-1']);
  });
});
