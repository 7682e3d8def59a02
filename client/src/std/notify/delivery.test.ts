// Notifications through the real session core against a real server: what another user does reaches
// the core live or through catch-up, and the core emits exactly the notifications the rules ask for,
// each once — one per conversation after a long time offline, and nothing again when it reconnects.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  api,
  createUser,
  tempDir,
  type TestServer,
  type TestUser,
} from '../../../../tests/support/server.ts';
import {
  onCleanup,
  postMessage,
  runCleanups,
  sharedChannel,
  signInOnline,
  startServer,
  WAIT,
} from '../../../../tests/support/session.ts';
import { createNodeSession } from '../../node/index.ts';
import type { SessionNotification } from '../contract.ts';
import { whenOnline } from '../online.ts';
import type { SessionCore } from '../session.ts';

afterEach(runCleanups);

const MINUTE = 60_000;

/** A core signed in as `user` and online, recording the notifications it emits. */
async function signedIn(
  server: TestServer,
  user: TestUser,
  { dataDir = tempDir('switchboard-notify-'), closeAfter = true } = {},
) {
  const core = await createNodeSession({ dataDir, serverUrl: server.url });
  if (closeAfter) onCleanup(() => core.close());
  const notified: SessionNotification[] = [];
  core.on('notification', (n) => notified.push(n));
  await signInOnline(core, user);
  return { core, notified, dataDir };
}

async function openDirect(server: TestServer, from: TestUser, to: TestUser): Promise<string> {
  const res = await api(server.url, 'POST', '/api/v1/directs', {
    token: from.token,
    json: { userId: to.user.id },
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`direct failed: ${res.status}`);
  return res.body.id as string;
}

/** Waits until the core is online and has nothing left to catch up. */
async function caughtUp(core: SessionCore): Promise<void> {
  await vi.waitFor(async () => {
    const { connection } = await core.request('getSnapshot', {});
    if (connection.status !== 'online' || connection.catchingUp) throw new Error('still catching up');
  }, WAIT);
}

/** Waits until the core counts `count` unread messages in the channel (everything has arrived). */
async function unreadIs(core: SessionCore, channelId: string, count: number): Promise<void> {
  await vi.waitFor(async () => {
    const channel = (await core.request('getSnapshot', {})).channels.find((c) => c.id === channelId);
    expect(channel?.unreadCount).toBe(count);
  }, WAIT);
}

/** Posts `count` messages, a few at a time. */
async function backlog(
  server: TestServer,
  who: TestUser,
  channelId: string,
  count: number,
  text = 'backlog',
) {
  for (let i = 0; i < count; i += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) =>
        postMessage(server, who, channelId, `${text} ${i + j + 1}`),
      ),
    );
}

describe('notifications from a real server', () => {
  it('B sends A a direct message and a mention while A’s window is closed: exactly those, once each', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const ops = await sharedChannel(server, alice, [bob], 'ops');
    const a = await signedIn(server, alice);
    // The window is closed: the UI says nothing is on screen.
    await a.core.request('setFocus', { channelId: null, focused: false });

    const dm = await openDirect(server, bob, alice);
    await postMessage(server, bob, dm, 'are you **around**?');
    await postMessage(server, bob, ops, 'a plain message, not for alice');
    await postMessage(server, bob, ops, '@alice the deploy is stuck');
    await unreadIs(a.core, ops, 2);
    await unreadIs(a.core, dm, 1);

    expect(a.notified.map((n) => [n.channelId, n.reason, n.preview])).toEqual([
      [dm, 'direct', 'are you around?'],
      [ops, 'mention', '@alice the deploy is stuck'],
    ]);
    expect(a.notified[0]).toMatchObject({
      conversation: bob.user.displayName,
      author: { id: bob.user.id, name: bob.user.displayName },
      summary: false,
    });
    expect(a.notified[1]).toMatchObject({ conversation: '#ops', count: 1 });

    // A reconnect catches up again: nothing is notified twice.
    a.core.setNetworkAvailable(false);
    a.core.setNetworkAvailable(true);
    await whenOnline(a.core);
    await caughtUp(a.core);
    expect(a.notified).toHaveLength(2);
  });

  it('the conversation on screen in a focused window does not notify; elsewhere it does', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const ops = await sharedChannel(server, alice, [bob], 'ops');
    const dev = await sharedChannel(server, alice, [bob], 'dev');
    const a = await signedIn(server, alice);
    await a.core.request('setPreferences', { notify: 'all' });
    await a.core.request('setFocus', { channelId: ops, focused: true });
    await postMessage(server, bob, ops, 'seen on screen');
    await postMessage(server, bob, dev, 'not on screen');
    await unreadIs(a.core, ops, 1);
    await unreadIs(a.core, dev, 1);
    expect(a.notified.map((n) => n.preview)).toEqual(['not on screen']);
  });

  it('after ten minutes offline with 300 new messages: one summary per conversation', async () => {
    // The server's clock: the backlog is written ten minutes after A went away.
    let now = Date.now();
    const server = await startServer({}, { clock: () => now });
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const ops = await sharedChannel(server, alice, [bob], 'ops');
    const dev = await sharedChannel(server, alice, [bob], 'dev');
    const sales = await sharedChannel(server, alice, [bob], 'sales');
    const dm = await openDirect(server, bob, alice);
    const a = await signedIn(server, alice);
    await a.core.request('setPreferences', { notify: 'all' });
    // A has looked at three of them (the core keeps their history); #sales only has counts.
    for (const channelId of [ops, dev, dm]) await a.core.request('openChannel', { channelId });
    await postMessage(server, bob, ops, 'before going away');
    await unreadIs(a.core, ops, 1);
    await a.core.request('markRead', { channelId: ops, seq: 1 });
    expect(a.notified).toHaveLength(1);

    a.core.setNetworkAvailable(false);
    await vi.waitFor(async () => {
      expect((await a.core.request('getSnapshot', {})).connection.status).toBe('offline');
    }, WAIT);
    now += 10 * MINUTE;
    await backlog(server, bob, ops, 100, 'ops');
    await backlog(server, bob, dev, 99, 'dev');
    await postMessage(server, bob, dev, '@alice one for you');
    await backlog(server, bob, dm, 50, 'dm');
    await backlog(server, bob, sales, 50, 'sales');

    a.core.setNetworkAvailable(true);
    await whenOnline(a.core);
    await caughtUp(a.core);
    await unreadIs(a.core, sales, 50);

    const summaries = a.notified.slice(1);
    expect(summaries.map((n) => [n.channelId, n.summary, n.count, n.reason]).sort()).toEqual(
      [
        [ops, true, 100, 'message'],
        [dev, true, 100, 'mention'],
        [dm, true, 50, 'direct'],
        [sales, true, 50, 'message'],
      ].sort(),
    );
    // Where the history was loaded, a click opens at the first new message.
    const opsSummary = summaries.find((n) => n.channelId === ops)!;
    expect(opsSummary.seq).toBe(2);
    expect(opsSummary.messageId).not.toBeNull();
    expect(summaries.find((n) => n.channelId === sales)!.messageId).toBeNull();

    // Live again: the next message notifies on its own.
    await postMessage(server, bob, ops, 'back to normal');
    await vi.waitFor(() => expect(a.notified.at(-1)?.preview).toBe('back to normal'), WAIT);
    expect(a.notified).toHaveLength(6);
  });

  it('an app closed while messages came: one summary per conversation when it opens again', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const ops = await sharedChannel(server, alice, [bob], 'ops');
    const first = await signedIn(server, alice, { closeAfter: false });
    await first.core.request('setPreferences', { notify: 'all' });
    await first.core.request('openChannel', { channelId: ops });
    await postMessage(server, bob, ops, 'seen before closing');
    await unreadIs(first.core, ops, 1);
    await first.core.close();

    await backlog(server, bob, ops, 30, 'while closed');
    const core = await createNodeSession({ dataDir: first.dataDir, serverUrl: server.url });
    onCleanup(() => core.close());
    const notified: SessionNotification[] = [];
    core.on('notification', (n) => notified.push(n));
    await whenOnline(core);
    await caughtUp(core);
    expect(notified.map((n) => [n.channelId, n.summary, n.count])).toEqual([[ops, true, 30]]);
  });
});
