// Reactions against a real server, over both transports: each add or remove a change of the message
// in its stream, idempotent under retries (also concurrent ones), only emoji of the set, membership
// as for sending, and catch-up of reactions made while a client was away.
import { describe, expect, it } from 'vitest';
import {
  MAX_REACTION_EMOJI,
  type Message,
  type MessageStreamEvent,
  type SyncResponse,
} from '@switchboard/protocol';
import { EMOJI } from '@switchboard/protocol/emoji';
import {
  api,
  connect,
  createChannelWith,
  createConnectedUser,
  flush,
  perform,
  record,
  summaryOf,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const { server, ok, errorCode, send, aliceAndBob } = useTestServer();

const react = (via: Transport, who: ConnectedUser, messageId: string, emoji: string) =>
  ok<Message>(via, who, 'reaction.add', { messageId, emoji });
const unreact = (via: Transport, who: ConnectedUser, messageId: string, emoji: string) =>
  ok<Message>(via, who, 'reaction.remove', { messageId, emoji });
const head = async (via: Transport, who: ConnectedUser, channelId: string) =>
  (await summaryOf(server, via, who, channelId)).headSeq;

describe.each<Transport>(['rest', 'socket'])('reactions over %s', (via) => {
  it('adds and removes reactions as changes of the message, each once however often it is asked', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const message = await send(via, alice, channel.id, 'hello');
    await flush(bob.socket);
    const live = record<MessageStreamEvent>(bob.socket, 'stream.event');

    const first = await react(via, alice, message.id, '👍');
    expect(first).toMatchObject({
      changeSeq: 2,
      reactions: [{ emoji: '👍', count: 1, userIds: [alice.user.id] }],
    });
    // Again, and spelled as its shortcode: the same reaction; nothing new is stored.
    expect(await react(via, alice, message.id, '👍')).toEqual(first);
    expect(await react(via, alice, message.id, ':+1:')).toEqual(first);
    // With or without the emoji presentation selector, one emoji.
    await react(via, bob, message.id, '❤');
    const both = await react(via, alice, message.id, '❤️');
    expect(both.reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [alice.user.id] },
      { emoji: '❤️', count: 2, userIds: [bob.user.id, alice.user.id] },
    ]);
    const removed = await unreact(via, alice, message.id, '👍');
    expect(removed.reactions).toEqual([{ emoji: '❤️', count: 2, userIds: [bob.user.id, alice.user.id] }]);
    expect(await unreact(via, alice, message.id, '👍')).toEqual(removed);

    await flush(bob.socket);
    expect(live.map((e) => [e.seq, e.kind, e.message.id])).toEqual([
      [2, 'reactions', message.id],
      [3, 'reactions', message.id],
      [4, 'reactions', message.id],
      [5, 'reactions', message.id],
    ]);
    expect(await head(via, alice, channel.id)).toBe(5);
    // History carries them, and they do not count as unread.
    const { messages } = await ok<{ messages: Message[] }>(via, bob, 'channel.history', {
      channelId: channel.id,
    });
    expect(messages[0]!.reactions).toEqual(removed.reactions);
    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({ unreadCount: 1 });
  });

  it('stores a reaction once when the same request is retried at the same time', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const message = await send(via, alice, channel.id, 'hello');
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        perform<Message>(server, via, alice, 'reaction.add', { messageId: message.id, emoji: '🎉' }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await head(via, alice, channel.id)).toBe(2);
    const removals = await Promise.all(
      Array.from({ length: 4 }, () =>
        perform<Message>(server, via, alice, 'reaction.remove', { messageId: message.id, emoji: '🎉' }),
      ),
    );
    expect(removals.every((r) => r.ok && r.data.reactions.length === 0)).toBe(true);
    expect(await head(via, alice, channel.id)).toBe(3);
  });

  it('takes only emoji of the set, only on messages that are not deleted, and a bounded number of them', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const message = await send(via, alice, channel.id, 'hello');
    for (const emoji of ['x1', 'not-an-emoji', '<b>', '👍🏽', '👍👍', ' ', '\u202e'])
      expect(await errorCode(via, alice, 'reaction.add', { messageId: message.id, emoji }), emoji).toBe(
        'validation_failed',
      );
    expect(await errorCode(via, alice, 'reaction.add', { messageId: 'nope', emoji: '👍' })).toBe('not_found');

    for (const { char } of EMOJI.slice(0, MAX_REACTION_EMOJI)) await react(via, alice, message.id, char);
    const extra = EMOJI[MAX_REACTION_EMOJI]!.char;
    expect(await errorCode(via, alice, 'reaction.add', { messageId: message.id, emoji: extra })).toBe(
      'conflict',
    );
    const before = await head(via, alice, channel.id);

    const deleted = await ok<Message>(via, alice, 'message.delete', { messageId: message.id });
    expect(deleted.reactions).toEqual([]);
    expect(await errorCode(via, alice, 'reaction.add', { messageId: message.id, emoji: '👍' })).toBe(
      'conflict',
    );
    expect(await head(via, alice, channel.id)).toBe(before + 1);
  });

  it('follows channel membership: 404 in a private channel, 403 before joining a public one', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const outsider = await createConnectedUser(server, 'outsider');
    const secret = await createChannelWith(server, via, alice, [], 'private');
    const open = await createChannelWith(server, via, alice);
    const hidden = await send(via, alice, secret.id, 'hello');
    const visible = await send(via, alice, open.id, 'hello');
    expect(await errorCode(via, outsider, 'reaction.add', { messageId: hidden.id, emoji: '👍' })).toBe(
      'not_found',
    );
    expect(await errorCode(via, outsider, 'reaction.remove', { messageId: hidden.id, emoji: '👍' })).toBe(
      'not_found',
    );
    expect(await errorCode(via, outsider, 'reaction.add', { messageId: visible.id, emoji: '👍' })).toBe(
      'forbidden',
    );
    await ok(via, outsider, 'channel.join', { channelId: open.id });
    expect((await react(via, outsider, visible.id, '👍')).reactions[0]!.userIds).toEqual([outsider.user.id]);
  });

  it('brings reactions made while a client was away by catch-up, once, in the latest state', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const message = await send(via, alice, channel.id, 'hello');
    bob.socket.disconnect();
    await react(via, alice, message.id, '🎉');
    await react(via, alice, message.id, '🚀');
    await unreact(via, alice, message.id, '🎉');

    const back = { ...bob, ...(await connect(server.url, bob.token)) };
    const answer = await ok<SyncResponse>(via, back, 'sync', {
      epoch: back.hello.epoch,
      cursors: { [channel.id]: message.seq },
    });
    expect(answer.streams[0]).toMatchObject({ cursor: 4, headSeq: 4, hasMore: false });
    expect(answer.streams[0]!.messages).toHaveLength(1);
    expect(answer.streams[0]!.messages[0]).toMatchObject({
      id: message.id,
      changeSeq: 4,
      reactions: [{ emoji: '🚀', count: 1, userIds: [alice.user.id] }],
    });
  });
});

describe('reactions over REST', () => {
  it('takes the emoji URL-encoded in the path, or its shortcode name', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, 'rest', alice);
    const message = await send('rest', alice, channel.id, 'hello');
    const path = (emoji: string) => `/api/v1/messages/${message.id}/reactions/${emoji}`;
    const put = await api(server.url, 'PUT', path('%F0%9F%8E%89'), { token: alice.token });
    expect(put.status).toBe(200);
    expect(put.body.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: [alice.user.id] }]);
    expect((await api(server.url, 'PUT', path('tada'), { token: alice.token })).body).toEqual(put.body);
    const gone = await api(server.url, 'DELETE', path(':tada:'), { token: alice.token });
    expect(gone.body.reactions).toEqual([]);
    const bad = await api(server.url, 'PUT', path('%FF'), { token: alice.token });
    expect(bad.status).toBe(400);
  });
});
