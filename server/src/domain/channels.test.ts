// Channels, direct conversations, membership and read state against a real server, over both transports.
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelSummary, ReadState } from '@switchboard/protocol';
import {
  api,
  connect,
  createChannelWith,
  createConnectedUser,
  flush,
  nextEvent,
  record,
  summaryOf,
  uniqueName,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const { server, ok, errorCode, send } = useTestServer();

const joinedEvent = (who: ConnectedUser, channelId?: string) =>
  nextEvent<ChannelSummary>(
    who.socket,
    'channel.joined',
    (c) => channelId === undefined || c.id === channelId,
  );

async function listedIds(via: Transport, who: ConnectedUser): Promise<string[]> {
  const { channels } = await ok<{ channels: Channel[] }>(via, who, 'channel.list');
  return channels.map((c) => c.id);
}

const createChannel = (via: Transport, who: ConnectedUser, visibility: 'public' | 'private') =>
  createChannelWith(server, via, who, [], visibility);

describe('REST shapes', () => {
  it('POST /api/v1/channels answers 201 {id, name, ...} and hides private channels from GET /channels/:id', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const name = uniqueName('shape');
    const res = await api(server.url, 'POST', '/api/v1/channels', {
      token: alice.token,
      json: { name, visibility: 'private', topic: 'plans' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      name,
      kind: 'private',
      topic: 'plans',
      headSeq: 0,
    });

    const mine = await api(server.url, 'GET', `/api/v1/channels/${res.body.id}`, { token: alice.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: res.body.id, readSeq: 0, unreadCount: 0 });
    for (const path of [`/api/v1/channels/${res.body.id}`, `/api/v1/channels/${res.body.id}/members`]) {
      const hidden = await api(server.url, 'GET', path, { token: bob.token });
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe('not_found');
    }
    const members = await api(server.url, 'GET', `/api/v1/channels/${res.body.id}/members`, {
      token: alice.token,
    });
    expect(members.body).toEqual({ userIds: [alice.user.id] });
  });
});

describe.each<Transport>(['rest', 'socket'])('channels over %s', (via) => {
  it('creates public and private channels and refuses a taken or invalid name', async () => {
    const alice = await createConnectedUser(server, 'alice');
    for (const visibility of ['public', 'private'] as const) {
      const name = uniqueName(visibility);
      const joined = joinedEvent(alice);
      const created = await ok<ChannelSummary>(via, alice, 'channel.create', { name, visibility });
      expect(created).toMatchObject({
        id: expect.any(String),
        name,
        kind: visibility,
        createdBy: alice.user.id,
        headSeq: 0,
        readSeq: 0,
        unreadCount: 0,
        mentionCount: 0,
      });
      expect((await joined).id).toBe(created.id);
      // A name is taken whatever the visibility of the channel holding it.
      const other = visibility === 'public' ? 'private' : 'public';
      expect(await errorCode(via, alice, 'channel.create', { name, visibility: other })).toBe('conflict');
    }
    expect(await errorCode(via, alice, 'channel.create', { name: 'Not Valid', visibility: 'public' })).toBe(
      'validation_failed',
    );
    expect(
      await errorCode(via, alice, 'channel.create', { name: uniqueName('v'), visibility: 'secret' }),
    ).toBe('validation_failed');
  });

  it('lists public channels to everyone and private ones to members only', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const pub = await createChannel(via, alice, 'public');
    const priv = await createChannel(via, alice, 'private');
    expect(await listedIds(via, alice)).toEqual(expect.arrayContaining([pub.id, priv.id]));
    const bobSees = await listedIds(via, bob);
    expect(bobSees).toContain(pub.id);
    expect(bobSees).not.toContain(priv.id);
  });

  it('joins a public channel (and then receives its events) but not a private one', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const pub = await createChannel(via, alice, 'public');
    const priv = await createChannel(via, alice, 'private');

    const joined = joinedEvent(bob, pub.id);
    const summary = await ok<ChannelSummary>(via, bob, 'channel.join', { channelId: pub.id });
    expect(summary).toMatchObject({ id: pub.id, kind: 'public', readSeq: 0 });
    await joined;
    // Joining twice is harmless.
    expect((await ok<ChannelSummary>(via, bob, 'channel.join', { channelId: pub.id })).id).toBe(pub.id);
    const delivered = nextEvent(bob.socket, 'stream.event', (e) => e.channelId === pub.id);
    await send(via, alice, pub.id, 'welcome');
    expect((await delivered).message.text).toBe('welcome');

    // A private channel answers like a missing one: its existence is not revealed.
    expect(await errorCode(via, bob, 'channel.join', { channelId: priv.id })).toBe('not_found');
    expect(await errorCode(via, bob, 'channel.join', { channelId: 'no-such-channel' })).toBe('not_found');
    expect(await listedIds(via, bob)).not.toContain(priv.id);
  });

  it('lets a member invite someone into a private channel, and nobody else', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const priv = await createChannel(via, alice, 'private');

    expect(await errorCode(via, carol, 'channel.invite', { channelId: priv.id, userId: carol.user.id })).toBe(
      'not_found',
    );
    expect(
      await errorCode(via, alice, 'channel.invite', { channelId: priv.id, userId: 'no-such-user' }),
    ).toBe('not_found');

    const joined = joinedEvent(bob, priv.id);
    const invited = await ok(via, alice, 'channel.invite', { channelId: priv.id, userId: bob.user.id });
    expect(invited).toEqual({ channelId: priv.id, userId: bob.user.id });
    expect(await joined).toMatchObject({ id: priv.id, kind: 'private' });
    expect(await listedIds(via, bob)).toContain(priv.id);
    expect(await listedIds(via, carol)).not.toContain(priv.id);
    // The invitee is a full member: they can write, and they are subscribed live.
    const delivered = nextEvent(alice.socket, 'stream.event', (e) => e.channelId === priv.id);
    await send(via, bob, priv.id, 'thanks');
    expect((await delivered).message.authorId).toBe(bob.user.id);
    // A member other than the creator may invite too.
    await ok(via, bob, 'channel.invite', { channelId: priv.id, userId: carol.user.id });
    expect(await listedIds(via, carol)).toContain(priv.id);
  });

  it('lists the members of a channel to whoever can read it, as membership changes', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const pub = await createChannel(via, alice, 'public');
    const priv = await createChannel(via, alice, 'private');
    const members = async (who: ConnectedUser, channelId: string) =>
      (await ok<{ userIds: string[] }>(via, who, 'channel.members', { channelId })).userIds;
    const sorted = (...users: ConnectedUser[]) => users.map((u) => u.user.id).sort();

    // A public channel's members are visible to non-members too; a private one's only to members.
    expect(await members(carol, pub.id)).toEqual(sorted(alice));
    await ok(via, bob, 'channel.join', { channelId: pub.id });
    expect(await members(carol, pub.id)).toEqual(sorted(alice, bob));
    expect(await errorCode(via, bob, 'channel.members', { channelId: priv.id })).toBe('not_found');
    await ok(via, alice, 'channel.invite', { channelId: priv.id, userId: bob.user.id });
    expect(await members(bob, priv.id)).toEqual(sorted(alice, bob));
    await ok(via, alice, 'channel.leave', { channelId: priv.id });
    expect(await members(bob, priv.id)).toEqual(sorted(bob));
    expect(await errorCode(via, alice, 'channel.members', { channelId: priv.id })).toBe('not_found');

    const dm = await ok<ChannelSummary>(via, alice, 'direct.open', { userId: carol.user.id });
    expect(await members(carol, dm.id)).toEqual(sorted(alice, carol));
    expect(await errorCode(via, bob, 'channel.members', { channelId: dm.id })).toBe('not_found');
    expect(await errorCode(via, bob, 'channel.members', { channelId: 'no-such-channel' })).toBe('not_found');
  });

  it('leaves a channel: channel.left, no more events, and a private one becomes invisible', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const pub = await createChannel(via, alice, 'public');
    const priv = await createChannel(via, alice, 'private');
    await ok(via, bob, 'channel.join', { channelId: pub.id });
    await ok(via, alice, 'channel.invite', { channelId: priv.id, userId: bob.user.id });

    for (const channel of [pub, priv]) {
      const left = nextEvent(bob.socket, 'channel.left', (e) => e.channelId === channel.id);
      expect(await ok(via, bob, 'channel.leave', { channelId: channel.id })).toEqual({
        channelId: channel.id,
      });
      await left;
    }
    expect(await errorCode(via, bob, 'channel.leave', { channelId: pub.id })).toBe('forbidden');
    expect(await errorCode(via, bob, 'channel.leave', { channelId: priv.id })).toBe('not_found');
    expect(await listedIds(via, bob)).not.toContain(priv.id);
    expect(await errorCode(via, bob, 'channel.history', { channelId: priv.id })).toBe('not_found');

    const events = record(bob.socket, 'stream.event');
    for (const channel of [pub, priv]) {
      await send(via, alice, channel.id, 'gone?');
    }
    await flush(bob.socket);
    expect(events).toEqual([]);
  });

  it('opens one direct conversation per pair, announced to both', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');

    const aliceJoined = joinedEvent(alice);
    const bobJoined = joinedEvent(bob);
    const dm = await ok<ChannelSummary>(via, alice, 'direct.open', { userId: bob.user.id });
    expect(dm.kind).toBe('direct');
    expect([...dm.memberIds!].sort()).toEqual([alice.user.id, bob.user.id].sort());
    expect((await aliceJoined).id).toBe(dm.id);
    expect(await bobJoined).toMatchObject({ id: dm.id, kind: 'direct' });
    expect((await ok<ChannelSummary>(via, bob, 'direct.open', { userId: alice.user.id })).id).toBe(dm.id);
    expect((await ok<ChannelSummary>(via, alice, 'direct.open', { userId: bob.user.id })).id).toBe(dm.id);

    expect(await errorCode(via, alice, 'direct.open', { userId: alice.user.id })).toBe('bad_request');
    expect(await errorCode(via, alice, 'direct.open', { userId: 'no-such-user' })).toBe('not_found');
    expect(await errorCode(via, alice, 'channel.leave', { channelId: dm.id })).toBe('forbidden');
    expect(await errorCode(via, alice, 'channel.invite', { channelId: dm.id, userId: carol.user.id })).toBe(
      'forbidden',
    );
    expect(await errorCode(via, carol, 'channel.history', { channelId: dm.id })).toBe('not_found');
    expect(await errorCode(via, carol, 'channel.join', { channelId: dm.id })).toBe('not_found');
    expect(await listedIds(via, carol)).not.toContain(dm.id);

    const delivered = nextEvent(bob.socket, 'stream.event', (e) => e.channelId === dm.id);
    await send(via, alice, dm.id, 'psst');
    expect((await delivered).message.text).toBe('psst');
  });
});

describe.each<Transport>(['rest', 'socket'])('read state over %s', (via) => {
  it('counts unread messages and mentions of members, and sending marks your own read', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const channel = await createChannelWith(server, via, alice, [bob]);
    const say = (text: string) => send(via, alice, channel.id, text);

    const bobName = bob.user.username;
    const carolName = carol.user.username;
    const sent = [
      await say('hello'),
      await say(`hi @${bobName}, see this`),
      // carol is not a member yet: her name is not a mention.
      await say(`@${carolName} are you there?`),
      await say(`ping @${bobName}.`),
      await say(`email@${bobName} is an address, not a mention`),
    ];
    expect(sent.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(sent.map((s) => s.message.mentions)).toEqual([[], [bob.user.id], [], [bob.user.id], []]);

    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({
      readSeq: 0,
      unreadCount: 5,
      mentionCount: 2,
    });
    expect(await summaryOf(server, via, alice, channel.id)).toMatchObject({
      readSeq: 5,
      unreadCount: 0,
      mentionCount: 0,
    });

    await ok(via, carol, 'channel.join', { channelId: channel.id });
    const late = await say(`now @${carolName} is here`);
    expect(late.message.mentions).toEqual([carol.user.id]);
    expect(await summaryOf(server, via, carol, channel.id)).toMatchObject({
      unreadCount: 6,
      mentionCount: 1,
    });

    // A deleted message is no longer unread, and its mention no longer counts.
    await ok(via, alice, 'message.delete', { messageId: sent[1]!.id });
    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({ unreadCount: 5, mentionCount: 1 });
  });

  it('moves the read cursor forward only, caps it at the head, and tells every socket of the reader', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const { socket: bobOther } = await connect(server.url, bob.token);
    const channel = await createChannelWith(server, via, alice, [bob]);
    for (const text of ['one', `two @${bob.user.username}`, 'three', `four @${bob.user.username}`]) {
      await send(via, alice, channel.id, text);
    }
    const seen = record<ReadState>(bobOther, 'read.state');
    const aliceSeen = record<ReadState>(alice.socket, 'read.state');
    const mark = (seq: number) => ok<ReadState>(via, bob, 'read.mark', { channelId: channel.id, seq });

    const expected = [
      { channelId: channel.id, readSeq: 2, unreadCount: 2, unreadCapped: false, mentionCount: 1 },
      { channelId: channel.id, readSeq: 2, unreadCount: 2, unreadCapped: false, mentionCount: 1 },
      { channelId: channel.id, readSeq: 4, unreadCount: 0, unreadCapped: false, mentionCount: 0 },
    ];
    expect(await mark(2)).toEqual(expected[0]);
    expect(await mark(1)).toEqual(expected[1]);
    expect(await mark(999)).toEqual(expected[2]);
    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({
      readSeq: 4,
      unreadCount: 0,
      mentionCount: 0,
    });

    await flush(bobOther);
    expect(seen).toEqual(expected);
    await flush(alice.socket);
    expect(aliceSeen).toEqual([]);
    bobOther.disconnect();

    // Only members have a read cursor.
    expect(await errorCode(via, carol, 'read.mark', { channelId: channel.id, seq: 1 })).toBe('forbidden');
    expect(await errorCode(via, bob, 'read.mark', { channelId: channel.id, seq: -1 })).toBe(
      'validation_failed',
    );
  });
});
