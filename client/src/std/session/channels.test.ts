// Channels and their counts: live changes counted as the server counts them, and a sync's list
// taken except for what changed here meanwhile.
import { describe, expect, it } from 'vitest';
import { UNREAD_COUNT_CAP, type MessageChangeKind, type StreamEvent } from '@switchboard/protocol';
import { channelSummary, stored } from '../../../../tests/support/fixtures.ts';
import { Channels } from './channels.ts';

const summary = channelSummary;

const event = (kind: MessageChangeKind, seq: number, over: Parameters<typeof stored>[0]): StreamEvent => ({
  channelId: 'c1',
  seq,
  kind,
  message: stored(over),
});

function setup() {
  const told = { changed: 0, forgotten: [] as string[] };
  const channels = new Channels({
    changed: () => (told.changed += 1),
    forgotten: (id) => told.forgotten.push(id),
  });
  return { channels, told };
}

describe('Channels', () => {
  it('counts unread messages and mentions from others, and resets them when the user writes', () => {
    const { channels } = setup();
    channels.load([summary('c1')]);
    channels.countChange(event('created', 1, { clientId: 'a', seq: 1 }), 'me', undefined);
    const mention = stored({ clientId: 'b', seq: 2, mentions: ['me'] });
    channels.countChange({ channelId: 'c1', seq: 2, kind: 'created', message: mention }, 'me', undefined);
    expect(channels.list()[0]).toMatchObject({ headSeq: 2, unreadCount: 2, mentionCount: 1 });

    // Deleted: the deleted copy has no mentions left, the copy shown before says it had one.
    const deleted = { ...mention, changeSeq: 3, deletedAt: 1, mentions: [] };
    channels.countChange({ channelId: 'c1', seq: 3, kind: 'deleted', message: deleted }, 'me', mention);
    expect(channels.list()[0]).toMatchObject({ headSeq: 3, unreadCount: 1, mentionCount: 0 });

    // A change already counted (seq not past the head) changes nothing.
    channels.countChange(event('created', 3, { clientId: 'c', seq: 3 }), 'me', undefined);
    expect(channels.list()[0]?.unreadCount).toBe(1);

    channels.countChange(event('created', 4, { clientId: 'd', seq: 4, authorId: 'me' }), 'me', undefined);
    expect(channels.list()[0]).toMatchObject({ readSeq: 4, unreadCount: 0, mentionCount: 0 });
  });

  it('stops counting at the cap as the server does, and a capped count stays capped until the server counts', () => {
    const { channels } = setup();
    channels.load([summary('c1', { unreadCount: UNREAD_COUNT_CAP - 1 })]);
    channels.countChange(event('created', 1, { clientId: 'a', seq: 1 }), 'me', undefined);
    expect(channels.list()[0]).toMatchObject({ unreadCount: UNREAD_COUNT_CAP });
    expect(channels.list()[0]?.unreadCapped).toBeFalsy();
    channels.countChange(event('created', 2, { clientId: 'b', seq: 2 }), 'me', undefined);
    expect(channels.list()[0]).toMatchObject({ unreadCount: UNREAD_COUNT_CAP, unreadCapped: true });

    // How far past the cap it was is unknown: a delete leaves "999+" as it is.
    const gone = stored({ clientId: 'a', seq: 1, changeSeq: 3, deletedAt: 1 });
    channels.countChange({ channelId: 'c1', seq: 3, kind: 'deleted', message: gone }, 'me', undefined);
    expect(channels.list()[0]).toMatchObject({ unreadCount: UNREAD_COUNT_CAP, unreadCapped: true });

    // The server's count replaces it, capped or not.
    channels.applyReadState({ channelId: 'c1', readSeq: 2, unreadCount: 1, mentionCount: 0 });
    expect(channels.list()[0]).toMatchObject({ unreadCount: 1, unreadCapped: false });
    channels.applyReadState({
      channelId: 'c1',
      readSeq: 2,
      unreadCount: UNREAD_COUNT_CAP,
      unreadCapped: true,
      mentionCount: 0,
    });
    expect(channels.list()[0]).toMatchObject({ unreadCapped: true });
    // Writing in it reads it all.
    channels.countChange(event('created', 4, { clientId: 'c', seq: 4, authorId: 'me' }), 'me', undefined);
    expect(channels.list()[0]).toMatchObject({ unreadCount: 0, unreadCapped: false });
  });

  it('takes the server’s list, but keeps what changed here while the answer was on its way', () => {
    const { channels, told } = setup();
    channels.load([summary('a'), summary('b'), summary('c')]);
    const mark = channels.mark();
    channels.upsert(summary('new'));
    channels.forget('b');
    expect(told.forgotten).toEqual(['b']);
    channels.synced(
      [summary('a', { unreadCount: 4 }), summary('b'), summary('c'), summary('gone-meanwhile')],
      mark,
    );
    expect(channels.list().map((c) => `${c.id}:${c.unreadCount}`)).toEqual([
      'a:4',
      'c:0',
      'gone-meanwhile:0',
      'new:0',
    ]);
    channels.applyReadState({ channelId: 'a', readSeq: 9, unreadCount: 0, mentionCount: 0 });
    expect(channels.list()[0]).toMatchObject({ readSeq: 9, unreadCount: 0 });
    expect(told.changed).toBe(4);
  });

  it('leaves thread replies to their thread, unless also sent to the channel', () => {
    const { channels } = setup();
    channels.load([summary('c1')]);
    channels.countChange(
      event('created', 1, { clientId: 'r', seq: 1, parentId: 'root', mentions: ['me'] }),
      'me',
      undefined,
    );
    expect(channels.list()[0]).toMatchObject({ headSeq: 1, unreadCount: 0, mentionCount: 0 });
    channels.countChange(event('thread', 2, { clientId: 'root', seq: 0, changeSeq: 2 }), 'me', undefined);
    channels.countChange(
      event('created', 3, { clientId: 'loud', seq: 3, parentId: 'root', alsoInChannel: true }),
      'me',
      undefined,
    );
    expect(channels.list()[0]).toMatchObject({ headSeq: 3, unreadCount: 1 });
    // Our own reply in a thread does not read the channel.
    channels.countChange(
      event('created', 4, { clientId: 'mine', seq: 4, parentId: 'root', authorId: 'me' }),
      'me',
      undefined,
    );
    expect(channels.list()[0]).toMatchObject({ readSeq: 0, unreadCount: 1 });
  });

  it('takes a channel’s details from a change of them, unless it knows a later one', () => {
    const { channels } = setup();
    channels.load([summary('c1', { unreadCount: 2, headSeq: 4 })]);
    const details = { ...summary('c1'), displayName: '개발팀', topic: 'Ship', headSeq: 5, changeSeq: 5 };
    channels.countChange({ channelId: 'c1', seq: 5, kind: 'channel', channel: details }, 'me', undefined);
    expect(channels.list()[0]).toMatchObject({
      displayName: '개발팀',
      topic: 'Ship',
      headSeq: 5,
      unreadCount: 2,
    });
    channels.applyDetails({ ...details, displayName: 'older', changeSeq: 3, headSeq: 3 });
    expect(channels.list()[0]).toMatchObject({ displayName: '개발팀', headSeq: 5 });
    channels.applyDetails({ ...details, archivedAt: 9, changeSeq: 7, headSeq: 7 });
    expect(channels.list()[0]).toMatchObject({ archivedAt: 9, headSeq: 7, unreadCount: 2 });
  });
});
