// Threads against a real server, over both transports: replies in the channel's stream with the
// root's summary as a change of its own, paged thread pages, who may read and reply, catch-up of
// replies made while away, and per-thread unread counts that leave the channel's alone.
import { describe, expect, it } from 'vitest';
import {
  newId,
  type ChannelSummary,
  type Message,
  type MessageStreamEvent,
  type SendAck,
  type SyncResponse,
  type ThreadPage,
  type ThreadsPage,
  type ThreadState,
} from '@switchboard/protocol';
import {
  connect,
  createChannelWith,
  createConnectedUser,
  flush,
  nextEvent,
  record,
  summaryOf,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const { server, ok, errorCode, send, aliceAndBob } = useTestServer();

const thread = (via: Transport, who: ConnectedUser, messageId: string, query = {}) =>
  ok<ThreadPage>(via, who, 'message.thread', { messageId, ...query });

const threadsOf = (via: Transport, who: ConnectedUser, query = {}) =>
  ok<ThreadsPage>(via, who, 'thread.list', query);

describe.each<Transport>(['rest', 'socket'])('threads over %s', (via) => {
  it('stores a reply in the channel stream and changes its root as the next change, together', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const root = await send(via, alice, channel.id, 'Shall we ship?');
    await flush(bob.socket);
    const live = record<MessageStreamEvent>(bob.socket, 'stream.event');

    const reply = await send(via, bob, channel.id, 'Yes', { parentId: root.id });
    expect(reply.message).toMatchObject({ seq: 2, parentId: root.id, alsoInChannel: false });
    // A reply to a reply joins the root's thread.
    const nested = await send(via, alice, channel.id, 'Shipping', { parentId: reply.id });
    expect(nested.message).toMatchObject({ seq: 4, parentId: root.id });

    await flush(bob.socket);
    expect(live.map((e) => [e.seq, e.kind, e.message.id])).toEqual([
      [2, 'created', reply.id],
      [3, 'thread', root.id],
      [4, 'created', nested.id],
      [5, 'thread', root.id],
    ]);
    expect(live[3]!.message).toMatchObject({
      changeSeq: 5,
      replyCount: 2,
      lastReplyAt: nested.ts,
      replierIds: [alice.user.id, bob.user.id],
    });
    expect((await summaryOf(server, via, bob, channel.id)).headSeq).toBe(5);

    // A retried reply is the same reply: no new message, no new summary.
    const retried = await ok<SendAck>(via, bob, 'message.send', {
      channelId: channel.id,
      clientId: reply.message.clientId,
      text: 'Yes',
      parentId: root.id,
    });
    expect(retried).toMatchObject({ id: reply.id, duplicate: true });
    expect((await summaryOf(server, via, bob, channel.id)).headSeq).toBe(5);

    // Deleting a reply changes the root's summary too.
    await ok<Message>(via, alice, 'message.delete', { messageId: nested.id });
    const page = await thread(via, bob, root.id);
    expect(page.root).toMatchObject({ id: root.id, replyCount: 1, replierIds: [bob.user.id], changeSeq: 7 });
    expect(page.replies.map((m) => [m.id, m.deletedAt === null])).toEqual([
      [reply.id, true],
      [nested.id, false],
    ]);
  });

  it('pages a thread, found by its root or any reply, and refuses replies it cannot take', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const other = await createChannelWith(server, via, alice);
    const root = await send(via, alice, channel.id, 'root');
    const replies: SendAck[] = [];
    for (let i = 1; i <= 5; i++)
      replies.push(await send(via, alice, channel.id, `r${i}`, { parentId: root.id }));
    const texts = (page: ThreadPage) => page.replies.map((m) => m.text);

    expect(texts(await thread(via, alice, root.id, { limit: 2 }))).toEqual(['r4', 'r5']);
    const byReply = await thread(via, alice, replies[2]!.id, { limit: 2 });
    expect(byReply.root.id).toBe(root.id);
    expect(byReply.hasMore).toBe(true);
    expect(texts(await thread(via, alice, root.id, { before: replies[3]!.seq, limit: 2 }))).toEqual([
      'r2',
      'r3',
    ]);
    expect(await thread(via, alice, root.id, { after: replies[3]!.seq })).toMatchObject({ hasMore: false });
    expect(texts(await thread(via, alice, root.id, { after: 0, limit: 3 }))).toEqual(['r1', 'r2', 'r3']);
    expect(await errorCode(via, alice, 'message.thread', { messageId: root.id, after: 1, before: 3 })).toBe(
      'validation_failed',
    );

    const elsewhere = await send(via, alice, other.id, 'elsewhere');
    const reply = (parentId: string, extra = {}) =>
      errorCode(via, alice, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text: 'x',
        parentId,
        ...extra,
      });
    expect(await reply(elsewhere.id)).toBe('not_found');
    expect(await reply('no-such-message')).toBe('not_found');
    await ok<Message>(via, alice, 'message.delete', { messageId: replies[0]!.id });
    expect(await reply(replies[0]!.id)).toBe('conflict');
    expect(
      await errorCode(via, alice, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text: 'x',
        alsoInChannel: true,
      }),
    ).toBe('validation_failed');
    await ok<Message>(via, alice, 'message.delete', { messageId: root.id });
    expect(await reply(replies[1]!.id)).toBe('conflict');
    // The thread of a deleted root stays readable.
    expect((await thread(via, alice, root.id)).root.deletedAt).toEqual(expect.any(Number));
  });

  it('follows channel membership: a private thread is not found, a public one readable but not writable', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const outsider = await createConnectedUser(server, 'outsider');
    const secret = await createChannelWith(server, via, alice, [], 'private');
    const open = await createChannelWith(server, via, alice);
    const hidden = await send(via, alice, secret.id, 'secret root');
    const visible = await send(via, alice, open.id, 'open root');
    await send(via, alice, secret.id, 'secret reply', { parentId: hidden.id });

    expect(await errorCode(via, outsider, 'message.thread', { messageId: hidden.id })).toBe('not_found');
    expect(await errorCode(via, outsider, 'thread.read', { messageId: hidden.id, seq: 9 })).toBe('not_found');
    expect(
      await errorCode(via, outsider, 'message.send', {
        channelId: secret.id,
        clientId: newId(),
        text: 'x',
        parentId: hidden.id,
      }),
    ).toBe('not_found');
    expect((await thread(via, outsider, visible.id)).root.id).toBe(visible.id);
    expect(
      await errorCode(via, outsider, 'message.send', {
        channelId: open.id,
        clientId: newId(),
        text: 'x',
        parentId: visible.id,
      }),
    ).toBe('forbidden');
  });

  it('counts replies for the people in the thread, not as channel unread, with read state on the server', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const dave = await createConnectedUser(server, 'dave');
    const channel = await createChannelWith(server, via, alice, [bob, carol, dave]);
    const root = await send(via, alice, channel.id, 'Plan for Friday?');
    const readAll = async (who: ConnectedUser) => {
      const head = (await summaryOf(server, via, who, channel.id)).headSeq;
      await ok(via, who, 'read.mark', { channelId: channel.id, seq: head });
    };
    for (const who of [alice, bob, carol, dave]) await readAll(who);

    await send(via, bob, channel.id, 'Picnic', { parentId: root.id });
    await send(via, bob, channel.id, `What do you think @${carol.user.username}?`, { parentId: root.id });
    // Replies only in the thread leave the channel's unread and mention counts alone.
    for (const who of [alice, carol, dave])
      expect(await summaryOf(server, via, who, channel.id)).toMatchObject({
        unreadCount: 0,
        mentionCount: 0,
      });

    // Alice (root) and Carol (mentioned) follow it; Bob replied, and has read his own replies.
    const aliceThreads = await threadsOf(via, alice);
    expect(aliceThreads.threads).toHaveLength(1);
    expect(aliceThreads.threads[0]).toMatchObject({
      threadId: root.id,
      channelId: channel.id,
      unreadCount: 2,
      mentionCount: 0,
      root: { id: root.id, replyCount: 2 },
    });
    expect((await threadsOf(via, carol)).threads[0]).toMatchObject({ unreadCount: 2, mentionCount: 1 });
    expect((await threadsOf(via, bob)).threads[0]).toMatchObject({ unreadCount: 0 });
    expect((await threadsOf(via, dave)).threads).toEqual([]);
    expect(await errorCode(via, dave, 'thread.read', { messageId: root.id, seq: 99 })).toBe('not_found');

    // A reply also sent to the channel counts there too.
    const loud = await send(via, carol, channel.id, 'Count me in', {
      parentId: root.id,
      alsoInChannel: true,
    });
    expect(loud.message.alsoInChannel).toBe(true);
    expect(await summaryOf(server, via, dave, channel.id)).toMatchObject({ unreadCount: 1 });
    expect((await threadsOf(via, carol)).threads[0]).toMatchObject({ unreadCount: 0, mentionCount: 0 });

    // Reading on one device tells all of them; read state never goes back.
    const told = nextEvent<ThreadState>(alice.socket, 'thread.state');
    const state = await ok<ThreadState>(via, alice, 'thread.read', { messageId: root.id, seq: loud.seq });
    expect(state).toMatchObject({ threadId: root.id, readSeq: loud.seq, unreadCount: 0 });
    expect(await told).toEqual(state);
    expect(await ok<ThreadState>(via, alice, 'thread.read', { messageId: root.id, seq: 1 })).toMatchObject({
      readSeq: loud.seq,
    });
  });

  it('brings replies made while a client was away by catch-up, each once, with the root in its latest state', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const root = await send(via, alice, channel.id, 'root');
    const cursor = root.seq;
    bob.socket.disconnect();

    const r1 = await send(via, alice, channel.id, 'one', { parentId: root.id });
    const r2 = await send(via, alice, channel.id, 'two', { parentId: root.id });

    // Back, on a new connection: everything missed comes in the sync answer.
    const back = { ...bob, ...(await connect(server.url, bob.token)) };
    const answer = await ok<SyncResponse>(via, back, 'sync', {
      epoch: alice.hello.epoch,
      cursors: { [channel.id]: cursor },
    });
    const stream = answer.streams[0]!;
    expect(stream.messages.map((m) => m.id)).toEqual([r1.id, r2.id, root.id]);
    expect(stream.messages[2]).toMatchObject({ replyCount: 2, changeSeq: 5 });
    expect(stream).toMatchObject({ cursor: 5, headSeq: 5, hasMore: false });
    const again = await ok<SyncResponse>(via, back, 'sync', {
      epoch: alice.hello.epoch,
      cursors: { [channel.id]: stream.cursor },
    });
    expect(again.streams[0]!.messages).toEqual([]);
  });
});

describe('followed threads', () => {
  it('lists the latest reply first, a page at a time, only in channels the user is still in', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const channel = await createChannelWith(server, 'socket', alice, [bob]);
    const other = await createChannelWith(server, 'socket', alice, [bob]);
    const roots: SendAck[] = [];
    for (const [i, where] of [channel, other, channel].entries()) {
      const root = await send('socket', alice, where.id, `root ${i}`);
      await send('socket', bob, where.id, `reply ${i}`, { parentId: root.id });
      roots.push(root);
    }
    const first = await threadsOf('rest', alice, { limit: 2 });
    expect(first.threads.map((t) => t.threadId)).toEqual([roots[2]!.id, roots[1]!.id]);
    const second = await threadsOf('rest', alice, { limit: 2, cursor: first.nextCursor });
    expect(second).toMatchObject({ threads: [{ threadId: roots[0]!.id }], nextCursor: null });
    expect(await errorCode('rest', alice, 'thread.list', { cursor: 'nonsense' })).toBe('validation_failed');

    await ok<ChannelSummary>('socket', alice, 'channel.leave', { channelId: other.id });
    expect((await threadsOf('socket', alice)).threads.map((t) => t.threadId)).toEqual([
      roots[2]!.id,
      roots[0]!.id,
    ]);
  });
});
