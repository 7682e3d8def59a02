// Followed topics against a real server over both transports: following only what you may read,
// the list with heads and read positions, paged catch-up by seq cursor with an explicit reset after
// retention, paging back to older messages, mute kept with the follow, read and mute state across
// devices (in the order written), live delivery to followers' connections (also after a reconnect),
// and access revoked later stopping delivery. Bad input is refused with a code and changes nothing.
import { describe, expect, it, vi } from 'vitest';
import { newId, type FollowedTopic, type TopicMessage, type TopicMessagesPage } from '@switchboard/protocol';
import {
  connect,
  createConnectedUser,
  flush,
  nextEvent,
  record,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { withToken } from '../../../tests/support/topics.ts';

const { server, ok, errorCode } = useTestServer();

const freshTopic = () => `t_${newId().slice(-12)}`;
const publish = (topic: string, message: string) => server.ctx.topics.publish(null, topic, { message });

async function followsOf(via: Transport, who: ConnectedUser): Promise<FollowedTopic[]> {
  return (await ok<{ topics: FollowedTopic[] }>(via, who, 'topic.list')).topics;
}

async function storedFollows(): Promise<string[]> {
  const rows = await server.ctx.db.selectFrom('topic_follows').selectAll().execute();
  return rows.map((r) => `${r.user_id}:${r.topic}:${Number(r.read_seq)}:${Number(r.muted)}`).sort();
}

/**
 * Holds the next check of who may read a topic (TopicAccess.readers) until released: a request is
 * stopped there, part-way, while another runs.
 */
function holdNextAccessCheck() {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = false;
  const access = server.ctx.topicAccess;
  const readers = access.readers.bind(access);
  const spy = vi.spyOn(access, 'readers').mockImplementationOnce(async (...args) => {
    holding = true;
    await held;
    return readers(...args);
  });
  return {
    reached: () => vi.waitFor(() => expect(holding).toBe(true)),
    release() {
      release();
      spy.mockRestore();
    },
  };
}

// First in the file, on a server that has not stored a topic yet (this once deadlocked SQLite).
it('follows a topic nobody has published to yet', async () => {
  const alice = await createConnectedUser(server, 'alice');
  expect(await ok<FollowedTopic>('socket', alice, 'topic.follow', { topic: 'toString' })).toEqual({
    topic: 'toString',
    headSeq: 0,
    readSeq: 0,
    prunedSeq: 0,
    readable: true,
    muted: false,
  });
});

describe.each<Transport>(['rest', 'socket'])('followed topics over %s', (via) => {
  it('follows a topic read up to its head, lists it with its head, and unfollows it; both idempotent', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await publish(topic, 'before');
    await publish(topic, 'also before');

    const followed = await ok<FollowedTopic>(via, alice, 'topic.follow', { topic });
    expect(followed).toEqual({ topic, headSeq: 2, readSeq: 2, prunedSeq: 0, readable: true, muted: false });
    expect(await ok<FollowedTopic>(via, alice, 'topic.follow', { topic })).toEqual(followed);

    // A topic with no message yet may be followed too: it starts at 0.
    const quiet = freshTopic();
    await ok(via, alice, 'topic.follow', { topic: quiet });
    await publish(topic, 'news');
    expect(await followsOf(via, alice)).toEqual(
      [
        { topic, headSeq: 3, readSeq: 2, prunedSeq: 0, readable: true, muted: false },
        { topic: quiet, headSeq: 0, readSeq: 0, prunedSeq: 0, readable: true, muted: false },
      ].sort((a, b) => a.topic.localeCompare(b.topic)),
    );

    expect(await ok(via, alice, 'topic.unfollow', { topic })).toEqual({ topic });
    expect(await ok(via, alice, 'topic.unfollow', { topic })).toEqual({ topic });
    expect((await followsOf(via, alice)).map((f) => f.topic)).toEqual([quiet]);
  });

  it('catches a topic up after a seq a page at a time, oldest first', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    for (const n of [1, 2, 3, 4, 5]) await publish(topic, `m${n}`);
    const first = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, after: 1, limit: 2 });
    expect(first).toMatchObject({ topic, hasMore: true, reset: false, prunedSeq: 0 });
    expect(first.messages.map((m) => [m.seq, m.message])).toEqual([
      [2, 'm2'],
      [3, 'm3'],
    ]);
    const rest = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, after: 3 });
    expect(rest.hasMore).toBe(false);
    expect(rest.messages.map((m) => m.seq)).toEqual([4, 5]);
    expect(rest.messages[0]).toMatchObject({
      id: expect.any(String),
      topic,
      createdAt: expect.any(Number),
      title: null,
      priority: null,
      tags: [],
      click: null,
      markdown: false,
    });
  });

  it('moves the read position forward only, and refuses one past the head', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await ok(via, alice, 'topic.follow', { topic });
    for (const n of [1, 2, 3]) await publish(topic, `m${n}`);
    expect(await ok<FollowedTopic>(via, alice, 'topic.read', { topic, seq: 2 })).toMatchObject({
      headSeq: 3,
      readSeq: 2,
    });
    expect(await ok<FollowedTopic>(via, alice, 'topic.read', { topic, seq: 1 })).toMatchObject({
      readSeq: 2,
    });
    const before = await storedFollows();
    expect(await errorCode(via, alice, 'topic.read', { topic, seq: 9 })).toBe('bad_request');
    expect(await errorCode(via, alice, 'topic.read', { topic: freshTopic(), seq: 0 })).toBe('not_found');
    expect(await storedFollows()).toEqual(before);
  });

  it('refuses bad names, topics the user may not read, bad cursors and too many follows, changing nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const secret = freshTopic();
    await server.ctx.topicAccess.set(alice.user.id, secret, 'write-only');
    await publish(secret, 'classified');
    const open = freshTopic();
    await publish(open, 'one');
    const before = await storedFollows();

    expect(await errorCode(via, alice, 'topic.follow', { topic: 'no spaces' })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'topic.follow', { topic: 'x'.repeat(65) })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'topic.follow', { topic: secret })).toBe('forbidden');
    expect(await errorCode(via, alice, 'topic.messages', { topic: secret, after: 0 })).toBe('forbidden');
    expect(await errorCode(via, alice, 'topic.messages', { topic: open, after: 2 })).toBe('bad_request');
    expect(await errorCode(via, alice, 'topic.messages', { topic: open, after: -1 })).toBe(
      'validation_failed',
    );
    expect(await errorCode(via, alice, 'topic.messages', { topic: open, after: 0, limit: 5000 })).toBe(
      'validation_failed',
    );
    expect(await storedFollows()).toEqual(before);
  });

  it('pages back before a seq, the newest of the older ones first in each page, without gaps or repeats', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    for (const n of [1, 2, 3, 4, 5, 6, 7]) await publish(topic, `m${n}`);
    const seqs = (page: TopicMessagesPage) => page.messages.map((m) => m.seq);

    // The newest page: before one past the head.
    const newest = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, before: 8, limit: 3 });
    expect(newest).toMatchObject({ topic, hasMore: true, reset: false, prunedSeq: 0 });
    expect(seqs(newest)).toEqual([5, 6, 7]);
    const older = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, before: 5, limit: 3 });
    expect(seqs(older)).toEqual([2, 3, 4]);
    expect(older.hasMore).toBe(true);
    const oldest = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, before: 2, limit: 3 });
    expect(seqs(oldest)).toEqual([1]);
    expect(oldest.hasMore).toBe(false);
    expect(oldest.messages[0]).toMatchObject({ topic, message: 'm1' });
    // Exactly a page left: no more after it.
    const exact = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, before: 4, limit: 3 });
    expect([seqs(exact), exact.hasMore]).toEqual([[1, 2, 3], false]);
    // Nothing before the first.
    const none = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, before: 1 });
    expect([seqs(none), none.hasMore]).toEqual([[], false]);

    // Retention removed the oldest: paging back ends where history does.
    await server.ctx.topics.pruneOlderThan(Date.now() + 1);
    await publish(topic, 'm8');
    const afterPrune = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, before: 8 });
    expect(afterPrune).toMatchObject({ messages: [], hasMore: false, reset: false, prunedSeq: 7 });
  });

  it('refuses a page both after and before a seq, neither, or before a seq past the head', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    for (const n of [1, 2]) await publish(topic, `m${n}`);
    expect(await errorCode(via, alice, 'topic.messages', { topic, after: 0, before: 2 })).toBe(
      'validation_failed',
    );
    expect(await errorCode(via, alice, 'topic.messages', { topic })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'topic.messages', { topic, before: -1 })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'topic.messages', { topic, before: 4 })).toBe('bad_request');
    expect(await errorCode(via, alice, 'topic.messages', { topic, before: 3, limit: 0 })).toBe(
      'validation_failed',
    );
    const secret = freshTopic();
    await server.ctx.topicAccess.set(alice.user.id, secret, 'deny');
    expect(await errorCode(via, alice, 'topic.messages', { topic: secret, before: 1 })).toBe('forbidden');
  });

  it('mutes and unmutes a followed topic, kept with the follow; idempotent; a new follow starts unmuted', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const topic = freshTopic();
    await publish(topic, 'one');
    await ok(via, alice, 'topic.follow', { topic });
    await ok(via, bob, 'topic.follow', { topic });

    const muted = await ok<FollowedTopic>(via, alice, 'topic.mute', { topic, muted: true });
    expect(muted).toEqual({ topic, headSeq: 1, readSeq: 1, prunedSeq: 0, readable: true, muted: true });
    expect(await ok<FollowedTopic>(via, alice, 'topic.mute', { topic, muted: true })).toEqual(muted);
    // Listed muted, for her only; messages still come and count.
    await publish(topic, 'two');
    expect(await followsOf(via, alice)).toEqual([{ ...muted, headSeq: 2 }]);
    expect((await followsOf(via, bob))[0]).toMatchObject({ topic, muted: false });
    // Reading does not unmute.
    expect(await ok<FollowedTopic>(via, alice, 'topic.read', { topic, seq: 2 })).toMatchObject({
      readSeq: 2,
      muted: true,
    });

    expect(await ok<FollowedTopic>(via, alice, 'topic.mute', { topic, muted: false })).toMatchObject({
      muted: false,
    });
    await ok(via, alice, 'topic.mute', { topic, muted: true });
    await ok(via, alice, 'topic.unfollow', { topic });
    expect(await ok<FollowedTopic>(via, alice, 'topic.follow', { topic })).toMatchObject({ muted: false });
  });

  it('refuses to mute a topic not followed, a bad name or a bad flag, changing nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await ok(via, alice, 'topic.follow', { topic });
    const before = await storedFollows();
    expect(await errorCode(via, alice, 'topic.mute', { topic: freshTopic(), muted: true })).toBe('not_found');
    expect(await errorCode(via, alice, 'topic.mute', { topic: 'no spaces', muted: true })).toBe(
      'validation_failed',
    );
    expect(await errorCode(via, alice, 'topic.mute', { topic, muted: 'yes' })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'topic.mute', { topic })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'topic.mute', { topic, muted: true, extra: 1 })).toBe(
      'validation_failed',
    );
    expect(await storedFollows()).toEqual(before);
  });

  it('says when retention removed messages after the cursor instead of skipping them', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    for (const n of [1, 2, 3]) await publish(topic, `m${n}`);
    // Everything so far is older than the cut-off.
    await server.ctx.topics.pruneOlderThan(Date.now() + 1);
    await publish(topic, 'm4');
    const page = await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, after: 1 });
    expect(page).toMatchObject({ reset: true, prunedSeq: 3 });
    expect(page.messages.map((m) => m.seq)).toEqual([4]);
    expect((await ok<TopicMessagesPage>(via, alice, 'topic.messages', { topic, after: 3 })).reset).toBe(
      false,
    );
  });
});

describe('followed topics live', () => {
  it('delivers an HTTP publish to every connection of each follower, in seq order, and to no one else', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const aliceLaptop = (await connect(server.url, alice.token)).socket;
    const topic = freshTopic();
    const state = nextEvent<FollowedTopic>(aliceLaptop, 'topic.state', (s) => s.topic === topic);
    await ok('socket', alice, 'topic.follow', { topic });
    // Her other device hears of the follow, and hears the topic from then on.
    expect(await state).toMatchObject({ topic, readSeq: 0 });
    const onPhone = record<TopicMessage>(alice.socket, 'topic.message');
    const onLaptop = record<TopicMessage>(aliceLaptop, 'topic.message');
    const onBob = record<TopicMessage>(bob.socket, 'topic.message');

    const publisher = await withToken(server, `pub-${newId().slice(-6)}`);
    for (const text of ['Backup started', 'Backup done']) {
      const res = await fetch(`${server.url}/${topic}`, {
        method: 'POST',
        body: text,
        headers: { ...publisher.bearer, Title: 'Nightly', Priority: 'high', Click: 'https://example.com/b' },
      });
      expect(res.status).toBe(200);
    }
    await expect.poll(() => onLaptop.length).toBe(2);
    await expect.poll(() => onPhone.length).toBe(2);
    expect(onPhone.map((m) => [m.seq, m.message])).toEqual([
      [1, 'Backup started'],
      [2, 'Backup done'],
    ]);
    expect(onPhone[1]).toMatchObject({ title: 'Nightly', priority: 4, click: 'https://example.com/b' });
    await flush(bob.socket);
    expect(onBob).toEqual([]);

    // Unfollowed on one device: no connection of hers hears it any more.
    const gone = nextEvent(aliceLaptop, 'topic.unfollowed', (e: { topic: string }) => e.topic === topic);
    await ok('socket', alice, 'topic.unfollow', { topic });
    await gone;
    await publish(topic, 'after unfollowing');
    await flush(alice.socket);
    await flush(aliceLaptop);
    expect(onPhone).toHaveLength(2);
    expect(onLaptop).toHaveLength(2);
    aliceLaptop.disconnect();
  });

  it('keeps delivering on a new connection: follows are stored per user, not per connection', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await ok('socket', alice, 'topic.follow', { topic });
    alice.socket.disconnect();
    const again = (await connect(server.url, alice.token)).socket;
    const heard = nextEvent<TopicMessage>(again, 'topic.message', (m) => m.topic === topic);
    await publish(topic, 'still here');
    expect(await heard).toMatchObject({ seq: 1, message: 'still here' });
    again.disconnect();
  });

  it('stops delivering when read access is revoked, and lists the topic as unreadable', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await ok('socket', alice, 'topic.follow', { topic });
    const heard = record<TopicMessage>(alice.socket, 'topic.message');
    await publish(topic, 'one');
    await expect.poll(() => heard.length).toBe(1);

    await server.ctx.topicAccess.set(alice.user.id, topic, 'deny');
    await publish(topic, 'two');
    await flush(alice.socket);
    expect(heard.map((m) => m.seq)).toEqual([1]);
    expect(await followsOf('socket', alice)).toEqual([
      { topic, headSeq: 2, readSeq: 0, prunedSeq: 0, readable: false, muted: false },
    ]);
    expect(await errorCode('socket', alice, 'topic.messages', { topic, after: 1 })).toBe('forbidden');

    // Access back: delivery resumes, and the missed message is there to catch up.
    await server.ctx.topicAccess.remove(alice.user.id, topic);
    await publish(topic, 'three');
    await expect.poll(() => heard.length).toBe(2);
    expect(heard[1]!.seq).toBe(3);
    const page = await ok<TopicMessagesPage>('socket', alice, 'topic.messages', { topic, after: 1 });
    expect(page.messages.map((m) => m.message)).toEqual(['two', 'three']);
  });

  it('tells every device of the user when a topic is muted or unmuted, and keeps delivering a muted one', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const other = (await connect(server.url, alice.token)).socket;
    const topic = freshTopic();
    await ok('socket', alice, 'topic.follow', { topic });
    const mutedThere = nextEvent<FollowedTopic>(other, 'topic.state', (s) => s.topic === topic && s.muted);
    await ok('socket', alice, 'topic.mute', { topic, muted: true });
    expect(await mutedThere).toMatchObject({ topic, muted: true });
    const heard = nextEvent<TopicMessage>(other, 'topic.message', (m) => m.topic === topic);
    await publish(topic, 'muted, still delivered');
    expect(await heard).toMatchObject({ seq: 1, message: 'muted, still delivered' });
    const unmutedThere = nextEvent<FollowedTopic>(other, 'topic.state', (s) => s.topic === topic && !s.muted);
    await ok('socket', alice, 'topic.mute', { topic, muted: false });
    expect(await unmutedThere).toMatchObject({ topic, muted: false });
    other.disconnect();
  });

  it('sends a read and a mute that cross in the order they wrote, so neither undoes the other', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await ok('socket', alice, 'topic.follow', { topic });
    // Its delivery asks who may read it: done before the read below is held.
    const delivered = nextEvent<TopicMessage>(alice.socket, 'topic.message', (m) => m.topic === topic);
    await publish(topic, 'one');
    await delivered;
    const heard = record<FollowedTopic>(alice.socket, 'topic.state');
    // The read is held after it moved the position, before it answers; the topic is muted meanwhile.
    const hold = holdNextAccessCheck();
    try {
      const read = server.ctx.topicFollows.markRead(alice.user, topic, 1);
      await hold.reached();
      expect(await server.ctx.topicFollows.setMuted(alice.user, topic, true)).toMatchObject({ muted: true });
      hold.release();
      expect(await read).toMatchObject({ readSeq: 1, muted: true });
      await flush(alice.socket);
      expect(heard.at(-1)).toMatchObject({ topic, readSeq: 1, muted: true });
    } finally {
      hold.release();
    }
  });

  it('lists a topic muted while the list was being made as muted', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const topic = freshTopic();
    await ok('socket', alice, 'topic.follow', { topic });
    // The list is held while it asks who may read the topic; the topic is muted meanwhile.
    const hold = holdNextAccessCheck();
    try {
      const listed = server.ctx.topicFollows.list(alice.user);
      await hold.reached();
      await server.ctx.topicFollows.setMuted(alice.user, topic, true);
      hold.release();
      expect(await listed).toEqual([expect.objectContaining({ topic, muted: true })]);
    } finally {
      hold.release();
    }
  });

  it('tells every device of the user when a topic is read', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const other = (await connect(server.url, alice.token)).socket;
    const topic = freshTopic();
    await ok('socket', alice, 'topic.follow', { topic });
    await publish(topic, 'one');
    const state = nextEvent<FollowedTopic>(other, 'topic.state', (s) => s.topic === topic && s.readSeq === 1);
    await ok('socket', alice, 'topic.read', { topic, seq: 1 });
    expect(await state).toEqual({
      topic,
      headSeq: 1,
      readSeq: 1,
      prunedSeq: 0,
      readable: true,
      muted: false,
    });
    other.disconnect();
  });
});
