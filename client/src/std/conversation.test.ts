// Threads, reactions and channel details through the session core, against a real server: an open
// thread follows its replies live, followed threads count their unread replies apart from the
// channel, reactions and renames made while the app was closed arrive by catch-up exactly once, and
// an archived channel refuses what is sent to it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FollowedThread } from '@switchboard/protocol';
import { api, createUser, tempDir, type TestServer, type TestUser } from '../../../tests/support/server.ts';
import {
  onCleanup,
  postMessage,
  runCleanups,
  SessionRecorder,
  sharedChannel,
  startServer,
  WAIT,
} from '../../../tests/support/session.ts';
import type { SessionEvents } from './contract.ts';
import { MessageView, type DisplayMessage } from './display.ts';
import { createNodeSession } from '../node/index.ts';
import { whenOnline } from './online.ts';
import type { SessionCore } from './session.ts';

afterEach(runCleanups);

async function signedIn(server: TestServer, user: TestUser, dataDir = tempDir('switchboard-client-')) {
  const core = await createNodeSession({ dataDir, serverUrl: server.url });
  onCleanup(() => core.close());
  await core.request('signIn', { username: user.user.username, password: user.password });
  await whenOnline(core);
  return { core, dataDir };
}

/** Keeps what an open thread shows, from the openThread answer and `thread` events. */
function watchThread(core: SessionCore) {
  const views = new Map<string, MessageView>();
  const view = (rootId: string) => {
    let shown = views.get(rootId);
    if (!shown) views.set(rootId, (shown = new MessageView()));
    return shown;
  };
  core.on('thread', ({ rootId, messages, removed, reset }: SessionEvents['thread']) => {
    if (reset) view(rootId).clear();
    view(rootId).remove(removed ?? []);
    view(rootId).upsert(messages);
  });
  return {
    opened: (rootId: string, messages: DisplayMessage[]) => view(rootId).upsert(messages),
    texts: (rootId: string) =>
      view(rootId)
        .list()
        .map((m) => `${m.text}${m.delivery === 'sent' ? '' : '…'}`),
  };
}

/** The latest followed-threads list the core told. */
function watchFollowed(core: SessionCore) {
  let latest: FollowedThread[] = [];
  core.on('threads', (threads) => (latest = threads));
  return () => latest;
}

/** Opens a channel once the core's list has it (the first sync brings it). */
async function openWhenListed(core: SessionCore, channelId: string): Promise<DisplayMessage[]> {
  await vi.waitFor(
    async () =>
      expect((await core.request('getSnapshot', {})).channels.some((c) => c.id === channelId)).toBe(true),
    WAIT,
  );
  return (await core.request('openChannel', { channelId })).messages;
}

const rest = (server: TestServer, user: TestUser, method: string, path: string, json?: unknown) =>
  api(server.url, method, `/api/v1${path}`, { token: user.token, json });

describe('threads in the session core', () => {
  it('follows an open thread live, counts its replies for who follows it, not in the channel', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const channelId = await sharedChannel(server, bob, [alice]);
    const { core } = await signedIn(server, alice);
    const thread = watchThread(core);
    const followed = watchFollowed(core);
    const channel = new SessionRecorder(core);
    channel.opened(channelId, await openWhenListed(core, channelId));
    const root = await postMessage(server, bob, channelId, 'Lunch?');
    await channel.sent(channelId, (m) => m.id === root.id, 'the root');

    const opened = await core.request('openThread', { messageId: root.id });
    expect(opened).toMatchObject({ rootId: root.id, root: { text: 'Lunch?' }, replies: [], hasOlder: false });
    thread.opened(root.id, [opened.root, ...opened.replies]);

    // Our reply shows in the thread at once, pending, then stored — and never in the channel's count.
    await core.request('send', { channelId, text: 'Yes, at noon', parentId: root.id });
    await vi.waitFor(() => expect(thread.texts(root.id)).toEqual(['Lunch?', 'Yes, at noon']), WAIT);
    // Bob's answer reaches the open thread and counts for Alice, who follows the thread now.
    await rest(server, bob, 'POST', `/channels/${channelId}/messages`, {
      clientId: 'bob-answer-0001',
      text: 'Great',
      parentId: root.id,
    });
    await vi.waitFor(() => expect(thread.texts(root.id)).toEqual(['Lunch?', 'Yes, at noon', 'Great']), WAIT);
    await vi.waitFor(
      () =>
        expect(followed()).toMatchObject([{ threadId: root.id, unreadCount: 1, root: { replyCount: 2 } }]),
      WAIT,
    );
    const summary = (await core.request('getSnapshot', {})).channels.find((c) => c.id === channelId)!;
    expect(summary.unreadCount).toBe(1);

    // Read in the thread, on the server: the count goes, here and for Alice's other devices.
    const other = await signedIn(server, alice);
    const elsewhere = watchFollowed(other.core);
    await other.core.request('listThreads', {});
    const reply = opened.root.id;
    const head = (await core.request('getSnapshot', {})).channels.find((c) => c.id === channelId)!.headSeq;
    await core.request('markThreadRead', { messageId: reply, seq: head });
    await vi.waitFor(() => expect(followed()[0]!.unreadCount).toBe(0), WAIT);
    await vi.waitFor(() => expect(elsewhere()[0]?.unreadCount).toBe(0), WAIT);
    expect(channel.repeated).toEqual([]);
  });

  it('catches up on replies, reactions and a rename made while the app was closed, each once', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const channelId = await sharedChannel(server, alice, [bob]);
    const first = await signedIn(server, alice);
    await openWhenListed(first.core, channelId);
    const root = await first.core.request('send', { channelId, text: 'Release notes' });
    const recorder = new SessionRecorder(first.core);
    const stored = await recorder.sent(channelId, (m) => m.clientId === root.clientId, 'the root');
    await first.core.close();

    await postMessage(server, bob, channelId, 'meanwhile');
    await rest(server, bob, 'POST', `/channels/${channelId}/messages`, {
      clientId: 'bob-reply-0001',
      text: 'Looks good',
      parentId: stored.id,
    });
    await rest(server, bob, 'PUT', `/messages/${stored.id}/reactions/${encodeURIComponent('🎉')}`);
    await rest(server, alice, 'PATCH', `/channels/${channelId}`, { displayName: '릴리스 Release' });

    const reopened = await createNodeSession({ dataDir: first.dataDir, serverUrl: server.url });
    onCleanup(() => reopened.close());
    const again = new SessionRecorder(reopened);
    const followed = watchFollowed(reopened);
    again.opened(channelId, (await reopened.request('openChannel', { channelId })).messages);
    await whenOnline(reopened);
    const withReaction = await again.sent(
      channelId,
      (m) => m.id === stored.id && m.reactions.length > 0 && m.replyCount === 1,
      'the root with its reply and reaction',
    );
    expect(withReaction.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: [bob.user.id] }]);
    await again.sent(channelId, (m) => m.text === 'Looks good' && m.parentId === stored.id, 'the reply');
    await vi.waitFor(async () => {
      const snapshot = await reopened.request('getSnapshot', {});
      expect(snapshot.channels.find((c) => c.id === channelId)?.displayName).toBe('릴리스 Release');
      expect(snapshot.connection).toEqual({ status: 'online' });
    }, WAIT);
    await vi.waitFor(() => expect(followed()).toMatchObject([{ threadId: stored.id, unreadCount: 1 }]), WAIT);
    expect(again.repeated).toEqual([]);
    expect(again.texts(channelId).filter((t) => t === 'Looks good')).toHaveLength(1);
  });
});

describe('reactions and channel details in the session core', () => {
  it('toggles a reaction, renames and archives, and fails what is sent to an archived channel', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const channelId = await sharedChannel(server, alice, [], 'ops');
    const { core } = await signedIn(server, alice);
    const recorder = new SessionRecorder(core);
    recorder.opened(channelId, await openWhenListed(core, channelId));
    const posted = await postMessage(server, alice, channelId, 'Deploy done');
    await recorder.sent(channelId, (m) => m.id === posted.id, 'the message');

    const reacted = await core.request('setReaction', { messageId: posted.id, emoji: '👍', reacted: true });
    expect(reacted.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [alice.user.id] }]);
    await recorder.sent(channelId, (m) => m.id === posted.id && m.reactions.length === 1, 'the reaction');
    await core.request('setReaction', { messageId: posted.id, emoji: '👍', reacted: true });
    await core.request('setReaction', { messageId: posted.id, emoji: '👍', reacted: false });
    await recorder.sent(channelId, (m) => m.id === posted.id && m.reactions.length === 0, 'no reaction');
    await expect(
      core.request('setReaction', { messageId: posted.id, emoji: 'not-an-emoji', reacted: true }),
    ).rejects.toMatchObject({ code: 'validation_failed' });

    const renamed = await core.request('updateChannel', { channelId, displayName: 'Operations 운영' });
    expect(renamed).toMatchObject({ displayName: 'Operations 운영', name: 'ops' });
    // The server's #general is in the list too: find the channel by its id.
    const listed = async () =>
      (await core.request('getSnapshot', {})).channels.find((c) => c.id === channelId);
    expect(await listed()).toMatchObject({ displayName: 'Operations 운영' });
    await core.request('updateChannel', { channelId, archived: true });
    expect((await listed())!.archivedAt).toEqual(expect.any(Number));

    const { clientId } = await core.request('send', { channelId, text: 'too late' });
    await vi.waitFor(() => {
      const failed = recorder.shown(channelId).find((m) => m.clientId === clientId);
      expect(failed).toMatchObject({ delivery: 'failed', failure: { code: 'forbidden' } });
    }, WAIT);
  });
});
