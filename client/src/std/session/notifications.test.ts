// The notifications module over a hand-made host: live messages one by one, each once; after a
// catch-up at most one notification per conversation (the message itself, or a summary counted from
// what arrived and from the server's counts); read elsewhere takes a notification away.
import { describe, expect, it } from 'vitest';
import type { ChannelSummary, Message, Preferences, StreamEvent, TopicMessage } from '@switchboard/protocol';
import { channelSummary, stored } from '../../../../tests/support/fixtures.ts';
import type { SessionNotification } from '../contract.ts';
import { Notifications } from './notifications.ts';

const ME = 'me';

let nextId = 1;
function message(channelId: string, seq: number, changes: Partial<Message> = {}): Message {
  return stored({
    id: `m${nextId++}`,
    clientId: `c${nextId}`,
    channelId,
    seq,
    changeSeq: seq,
    authorId: 'bob',
    text: `message ${seq}`,
    ts: 1_000 + seq,
    ...changes,
  });
}
const changed = (m: Message, kind: 'created' | 'edited'): StreamEvent => ({
  channelId: m.channelId,
  seq: m.seq,
  kind,
  message: m,
});
const created = (m: Message): StreamEvent => changed(m, 'created');

function setup(channels: ChannelSummary[], prefs: Preferences = { notify: 'all' }) {
  const list = new Map(channels.map((c) => [c.id, c]));
  const shown: SessionNotification[] = [];
  const cleared: string[] = [];
  let preferences = prefs;
  const notifications = new Notifications({
    me: () => ME,
    channel: (id) => list.get(id),
    channels: () => [...list.values()],
    userName: (id) => ({ bob: 'Bob B.', alice: 'Alice' })[id] ?? null,
    preferences: () => preferences,
    now: () => 5_000,
    show: (n) => void shown.push(n),
    cleared: (id) => void cleared.push(id),
  });
  notifications.load(channels);
  return {
    notifications,
    shown,
    cleared,
    /** The server's word on a channel changed (sync, live counts). */
    update: (id: string, changes: Partial<ChannelSummary>) => list.set(id, { ...list.get(id)!, ...changes }),
    prefer: (next: Preferences) => (preferences = next),
  };
}

describe('live notifications', () => {
  it('shows a message with its conversation, author and a plain preview, once', () => {
    const { notifications, shown } = setup([channelSummary('ops')]);
    const m = message('ops', 1, { text: 'the **deploy** is done' });
    notifications.live(created(m));
    notifications.live(created(m));
    notifications.live(changed(m, 'edited'));
    expect(shown).toEqual([
      {
        id: m.id,
        channelId: 'ops',
        conversation: '#ops',
        reason: 'message',
        messageId: m.id,
        seq: 1,
        lastSeq: 1,
        author: { id: 'bob', name: 'Bob B.' },
        preview: 'the deploy is done',
        hidden: false,
        summary: false,
        count: 1,
        silent: false,
        ts: m.ts,
      },
    ]);
  });

  it('names a direct conversation after the other person, and hides the preview when asked', () => {
    const dm = channelSummary('dm1', { kind: 'direct', name: 'dm1', memberIds: [ME, 'alice'] });
    const { notifications, shown } = setup([dm], { notifyPreview: false, notifySound: false });
    notifications.live(created(message('dm1', 1, { authorId: 'alice' })));
    expect(shown[0]).toMatchObject({
      conversation: 'Alice',
      reason: 'direct',
      preview: null,
      hidden: true,
      silent: true,
    });
  });

  it('leaves out what was there when the session started, and what is on screen', () => {
    const { notifications, shown } = setup([channelSummary('ops', { headSeq: 10 })]);
    notifications.live(created(message('ops', 10)));
    notifications.setFocus({ channelId: 'ops', focused: true });
    notifications.live(created(message('ops', 11)));
    // The desktop's main says no window has the focus: nothing is in front, whatever the page said.
    notifications.setWindowFocused(false);
    notifications.live(created(message('ops', 12)));
    expect(shown.map((n) => n.seq)).toEqual([12]);
  });

  it('a conversation joined now: its history is not news, what comes next is', () => {
    const { notifications, shown, update } = setup([]);
    const joined = channelSummary('new', { headSeq: 40 });
    update('new', joined);
    notifications.joined(joined);
    notifications.live(created(message('new', 40)));
    notifications.live(created(message('new', 41)));
    expect(shown.map((n) => n.seq)).toEqual([41]);
  });

  it('takes a notification away once what it was for is read (here or on another device)', () => {
    const { notifications, cleared, update } = setup([channelSummary('ops'), channelSummary('dev')]);
    notifications.live(created(message('ops', 1)));
    notifications.live(created(message('dev', 1)));
    update('ops', { readSeq: 1 });
    notifications.readStateChanged();
    expect(cleared).toEqual(['ops']);
    notifications.readStateChanged();
    expect(cleared).toEqual(['ops']);
  });
});

describe('after a catch-up: at most one notification per conversation', () => {
  type Case = {
    name: string;
    prefs?: Preferences;
    /** Messages the catch-up brought (pages), and live ones during it, per conversation. */
    arrived: Message[];
    /** The conversation's counts after the catch-up (the server's word). */
    after: Partial<ChannelSummary>;
    /** Before it. */
    before?: Partial<ChannelSummary>;
    expected: Partial<SessionNotification>[];
  };
  const burst = (n: number, changes: Partial<Message> = {}) =>
    Array.from({ length: n }, (_, i) => message('ops', i + 1, changes));
  const cases: Case[] = [
    {
      name: 'many messages: one summary with the count, opening at the first',
      arrived: burst(12),
      after: { headSeq: 12, unreadCount: 12 },
      expected: [
        { summary: true, count: 12, reason: 'message', seq: 1, lastSeq: 12, preview: null, author: null },
      ],
    },
    {
      name: 'one message: the message itself',
      arrived: burst(1),
      after: { headSeq: 1, unreadCount: 1 },
      expected: [{ summary: false, count: 1, reason: 'message', seq: 1, preview: 'message 1' }],
    },
    {
      name: 'history not loaded: the count comes from the server',
      arrived: [],
      after: { headSeq: 30, unreadCount: 33 },
      before: { unreadCount: 3 },
      expected: [{ summary: true, count: 30, messageId: null }],
    },
    {
      name: 'mentions only: a plain burst says nothing',
      prefs: { notify: 'mentions' },
      arrived: burst(5),
      after: { headSeq: 5, unreadCount: 5 },
      expected: [],
    },
    {
      name: 'mentions only: one mention among many makes the summary a mention',
      prefs: { notify: 'mentions' },
      arrived: [...burst(4), message('ops', 5, { mentions: [ME] })],
      after: { headSeq: 5, unreadCount: 5, mentionCount: 1 },
      expected: [{ summary: true, count: 5, reason: 'mention' }],
    },
    {
      name: 'mentions only: a mention counted by the server, not loaded',
      prefs: { notify: 'mentions' },
      arrived: [],
      after: { headSeq: 8, unreadCount: 8, mentionCount: 2 },
      expected: [{ summary: true, count: 8, reason: 'mention' }],
    },
    {
      name: 'a keyword among many',
      prefs: { notify: 'mentions', keywords: ['outage'] },
      arrived: [...burst(3), message('ops', 4, { text: 'OUTAGE in eu-west' })],
      after: { headSeq: 4, unreadCount: 4 },
      expected: [{ summary: true, count: 4, reason: 'keyword' }],
    },
    {
      name: 'read on another device meanwhile: nothing',
      arrived: burst(6),
      after: { headSeq: 6, readSeq: 6, unreadCount: 0 },
      expected: [],
    },
    {
      name: 'partly read elsewhere: only the rest counts',
      arrived: burst(6),
      after: { headSeq: 6, readSeq: 4, unreadCount: 2 },
      expected: [{ summary: true, count: 2, seq: 5 }],
    },
    {
      name: 'own messages only: nothing',
      arrived: burst(3, { authorId: ME }),
      after: { headSeq: 3 },
      expected: [],
    },
    {
      name: 'muted: nothing',
      prefs: { notify: 'all', conversations: { ops: { muted: true } } },
      arrived: burst(9),
      after: { headSeq: 9, unreadCount: 9 },
      expected: [],
    },
    {
      name: 'do not disturb: nothing',
      prefs: { notify: 'all', dnd: { until: null } },
      arrived: burst(9),
      after: { headSeq: 9, unreadCount: 9 },
      expected: [],
    },
    {
      name: 'deleted while away: not counted',
      arrived: [...burst(2), message('ops', 3, { deletedAt: 2, text: '' })],
      after: { headSeq: 3, unreadCount: 2 },
      expected: [{ summary: true, count: 2 }],
    },
  ];

  it.each(cases)('$name', ({ prefs, arrived, after, before, expected }) => {
    const { notifications, shown, update } = setup(
      [channelSummary('ops', before)],
      prefs ?? { notify: 'all' },
    );
    notifications.catchUpStarted();
    // Some came as a page, some live (and some both): each counts once.
    const half = Math.ceil(arrived.length / 2);
    notifications.caughtUp(arrived.slice(0, half));
    for (const m of arrived.slice(half - 1)) notifications.live(created(m));
    expect(shown).toEqual([]);
    update('ops', after);
    notifications.catchUpFinished();
    expect(shown).toHaveLength(expected.length);
    expected.forEach((want, i) => expect(shown[i]).toMatchObject({ channelId: 'ops', ...want }));
  });

  it('one per conversation across several, and live ones after it one by one again', () => {
    const { notifications, shown, update } = setup([
      channelSummary('ops'),
      channelSummary('dev'),
      channelSummary('sales'),
    ]);
    notifications.catchUpStarted();
    for (let seq = 1; seq <= 100; seq++) notifications.live(created(message('ops', seq)));
    for (let seq = 1; seq <= 150; seq++) notifications.live(created(message('dev', seq)));
    update('ops', { headSeq: 100, unreadCount: 100 });
    update('dev', { headSeq: 150, unreadCount: 150 });
    notifications.catchUpFinished();
    expect(shown.map((n) => [n.channelId, n.count])).toEqual([
      ['ops', 100],
      ['dev', 150],
    ]);
    notifications.live(created(message('ops', 100)));
    notifications.live(created(message('ops', 101)));
    expect(shown.map((n) => [n.channelId, n.seq])).toEqual([
      ['ops', 1],
      ['dev', 1],
      ['ops', 101],
    ]);
  });

  it('the first catch-up on a new device is not news: old unread counts notify nothing', () => {
    const { notifications, shown, update } = setup([]);
    update('ops', channelSummary('ops', { headSeq: 50, unreadCount: 50 }));
    notifications.catchUpStarted();
    notifications.catchUpFinished();
    expect(shown).toEqual([]);
    // From then on it knows the account: a conversation that appears with unread messages is news.
    notifications.catchUpStarted();
    update(
      'dm',
      channelSummary('dm', { kind: 'direct', headSeq: 2, unreadCount: 2, memberIds: [ME, 'bob'] }),
    );
    notifications.catchUpFinished();
    expect(shown).toMatchObject([
      { channelId: 'dm', summary: true, count: 2, reason: 'direct', conversation: 'Bob B.' },
    ]);
  });

  it('a summary goes once everything it stands for is read', () => {
    const { notifications, cleared, update } = setup([channelSummary('ops')]);
    notifications.catchUpStarted();
    notifications.caughtUp(burst(5));
    update('ops', { headSeq: 5, unreadCount: 5 });
    notifications.catchUpFinished();
    update('ops', { readSeq: 3 });
    notifications.readStateChanged();
    expect(cleared).toEqual([]);
    update('ops', { readSeq: 5 });
    notifications.readStateChanged();
    expect(cleared).toEqual(['ops']);
  });
});

const topicMessage = (seq: number, changes: Partial<TopicMessage> = {}): TopicMessage => ({
  id: `backups-${seq}`,
  topic: 'backups',
  seq,
  createdAt: 2_000 + seq,
  message: `run ${seq} *done*`,
  title: null,
  priority: null,
  tags: [],
  click: null,
  markdown: false,
  ...changes,
});

/** The followed topic `backups`, read up to `readSeq`. */
const followed = (readSeq: number, muted = false) => ({ topic: 'backups', readSeq, muted });

describe('followed topics', () => {
  it('shows a new message titled with its title (or the topic), its text as written, link and priority', () => {
    const { notifications, shown } = setup([]);
    notifications.topicMessages(followed(0), [
      topicMessage(1, {
        title: 'Nightly',
        priority: 4,
        click: 'https://example.com/1',
        tags: ['floppy_disk'],
      }),
    ]);
    notifications.topicMessages(followed(0), [topicMessage(2)]);
    expect(shown).toEqual([
      {
        id: 'backups-1',
        channelId: 'topic:backups',
        conversation: 'Nightly',
        reason: 'message',
        messageId: 'backups-1',
        seq: 1,
        lastSeq: 1,
        author: null,
        preview: 'run 1 *done*',
        hidden: false,
        summary: false,
        count: 1,
        silent: false,
        ts: 2_001,
        topic: { name: 'backups', priority: 4, click: 'https://example.com/1', tags: ['floppy_disk'] },
      },
      expect.objectContaining({
        conversation: 'backups',
        preview: 'run 2 *done*',
        topic: expect.objectContaining({ priority: 3 }),
      }),
    ]);
  });

  it('renders a markdown message as plain text, and summarizes several after a catch-up at their highest priority', () => {
    const { notifications, shown } = setup([]);
    notifications.topicMessages(followed(0), [topicMessage(1, { markdown: true })]);
    expect(shown[0]!.preview).toBe('run 1 done');
    notifications.topicMessages(followed(1), [
      topicMessage(1),
      topicMessage(2, { priority: 2 }),
      topicMessage(3, { priority: 5 }),
    ]);
    expect(shown[1]).toMatchObject({
      id: 'topic:backups:summary:3',
      summary: true,
      count: 2,
      preview: null,
      seq: 2,
      lastSeq: 3,
      topic: { name: 'backups', priority: 5, click: null },
    });
  });

  it('lists low priorities without a pop-up, and takes a notification away once the topic is read', () => {
    const { notifications, shown, cleared } = setup([]);
    notifications.topicMessages(followed(0), [topicMessage(1, { priority: 2 })]);
    expect(shown).toEqual([]);
    notifications.topicMessages(followed(0), [topicMessage(2), topicMessage(3)]);
    notifications.topicRead('backups', 2);
    expect(cleared).toEqual([]);
    // Channel read states moving leaves it alone.
    notifications.readStateChanged();
    expect(cleared).toEqual([]);
    notifications.topicRead('backups', 3);
    expect(cleared).toEqual(['topic:backups']);
  });

  it('says nothing of a muted topic, whatever its priority, and again once it is unmuted', () => {
    const { notifications, shown } = setup([]);
    notifications.topicMessages(followed(0, true), [topicMessage(1, { priority: 5 })]);
    expect(shown).toEqual([]);
    notifications.topicMessages(followed(0, false), [topicMessage(2, { priority: 3 })]);
    expect(shown.map((n) => n.seq)).toEqual([2]);
  });

  it('says nothing when the user chose no notifications, priority 5 included', () => {
    const { notifications, shown } = setup([], { notify: 'none' });
    notifications.topicMessages(followed(0), [topicMessage(1, { priority: 5 })]);
    expect(shown).toEqual([]);
  });

  it('says nothing while the topic is on screen and focused', () => {
    const { notifications, shown } = setup([]);
    notifications.setFocus({ channelId: null, topic: 'backups', focused: true });
    notifications.topicMessages(followed(0), [topicMessage(1, { priority: 5 })]);
    expect(shown).toEqual([]);
  });
});
