// Followed topics against a small in-memory server: a first load that is not news, live messages
// taken once and in order, gaps fetched, catch-up after time away in pages, retention said rather
// than skipped, read positions only forward, mute kept with the follow, older pages for the view,
// and what a restart keeps.
import { describe, expect, it } from 'vitest';
import {
  SwitchboardError,
  type FollowedTopic,
  type TopicMessage,
  type TopicMessagesPage,
} from '@switchboard/protocol';
import { FollowedTopics, KeptTopic, TOPIC_KEEP } from './topics.ts';

/** Pages are small here, so catch-up takes several. */
const PAGE = 3;

class FakeServer {
  readonly streams = new Map<string, TopicMessage[]>();
  readonly follows = new Map<string, number>();
  readonly pruned = new Map<string, number>();
  readonly muted = new Set<string>();
  denied = new Set<string>();
  mutes = 0;
  pages = 0;

  publish(topic: string, message: string, over: Partial<TopicMessage> = {}): TopicMessage {
    const stream = this.streams.get(topic) ?? [];
    this.streams.set(topic, stream);
    const seq = (stream.at(-1)?.seq ?? this.pruned.get(topic) ?? 0) + 1;
    const stored: TopicMessage = {
      id: `${topic}-${seq}`,
      topic,
      seq,
      createdAt: 1000 + seq,
      message,
      title: null,
      priority: null,
      tags: [],
      click: null,
      markdown: false,
      ...over,
    };
    stream.push(stored);
    return stored;
  }

  /** Retention removes everything published so far. */
  prune(topic: string): void {
    const stream = this.streams.get(topic) ?? [];
    this.pruned.set(topic, stream.at(-1)?.seq ?? 0);
    this.streams.set(topic, []);
  }

  head(topic: string): number {
    return this.streams.get(topic)?.at(-1)?.seq ?? this.pruned.get(topic) ?? 0;
  }

  state(topic: string): FollowedTopic {
    return {
      topic,
      headSeq: this.head(topic),
      readSeq: this.follows.get(topic) ?? 0,
      prunedSeq: this.pruned.get(topic) ?? 0,
      readable: !this.denied.has(topic),
      muted: this.muted.has(topic),
    };
  }
}

function setup(server = new FakeServer()) {
  const news: { topic: string; readSeq: number; seqs: number[]; muted?: true }[] = [];
  const received: { topic: string; seqs: number[]; gap: boolean }[] = [];
  const reads: [string, number][] = [];
  const topics = new FollowedTopics({
    list: async () => ({ topics: [...server.follows.keys()].map((t) => server.state(t)) }),
    follow: async (topic) => {
      if (server.denied.has(topic)) throw new SwitchboardError('forbidden', `you may not read ${topic}`);
      if (!server.follows.has(topic)) server.follows.set(topic, server.head(topic));
      return server.state(topic);
    },
    unfollow: async (topic) => server.follows.delete(topic),
    page: async (topic, after): Promise<TopicMessagesPage> => {
      server.pages += 1;
      if (server.denied.has(topic)) throw new SwitchboardError('forbidden', `you may not read ${topic}`);
      const all = (server.streams.get(topic) ?? []).filter((m) => m.seq > after);
      const prunedSeq = server.pruned.get(topic) ?? 0;
      return {
        topic,
        messages: all.slice(0, PAGE),
        hasMore: all.length > PAGE,
        reset: after < prunedSeq,
        prunedSeq,
      };
    },
    olderPage: async (topic, before): Promise<TopicMessagesPage> => {
      if (server.denied.has(topic)) throw new SwitchboardError('forbidden', `you may not read ${topic}`);
      const older = (server.streams.get(topic) ?? []).filter((m) => m.seq < before);
      return {
        topic,
        messages: older.slice(-PAGE),
        hasMore: older.length > PAGE,
        reset: false,
        prunedSeq: server.pruned.get(topic) ?? 0,
      };
    },
    mute: async (topic, muted) => {
      server.mutes += 1;
      if (muted) server.muted.add(topic);
      else server.muted.delete(topic);
      return server.state(topic);
    },
    markRead: async (topic, seq) => {
      server.follows.set(topic, Math.max(seq, server.follows.get(topic) ?? 0));
      return server.state(topic);
    },
    changed: () => {},
    received: (topic, messages, gap) => received.push({ topic, seqs: messages.map((m) => m.seq), gap }),
    news: ({ topic, readSeq, muted }, messages) =>
      news.push({ topic, readSeq, seqs: messages.map((m) => m.seq), ...(muted && { muted }) }),
    read: (topic, readSeq) => reads.push([topic, readSeq]),
  });
  const kept = (topic: string) => topics.open(topic).messages.map((m) => m.seq);
  const summary = (topic: string) => topics.summaries().find((t) => t.topic === topic);
  return { server, topics, news, received, reads, kept, summary };
}

describe('FollowedTopics', () => {
  it('follows a topic: its recent history is loaded but is not news, and nothing is unread', async () => {
    const { server, topics, news, kept, summary } = setup();
    for (let n = 1; n <= 5; n++) server.publish('backups', `m${n}`);
    await topics.follow('backups');
    expect(kept('backups')).toEqual([1, 2, 3, 4, 5]);
    expect(summary('backups')).toEqual({
      topic: 'backups',
      headSeq: 5,
      readSeq: 5,
      prunedSeq: 0,
      readable: true,
      muted: false,
      unreadCount: 0,
    });
    expect(news).toEqual([]);
  });

  it('takes the next live message, drops one it has, and fetches a gap before going on', async () => {
    const { server, topics, news, kept, summary } = setup();
    await topics.follow('ci');
    topics.live(server.publish('ci', 'build 1'));
    topics.live({ ...server.streams.get('ci')![0]! }); // delivered twice
    expect(kept('ci')).toEqual([1]);
    expect(news).toEqual([{ topic: 'ci', readSeq: 0, seqs: [1] }]);

    // 2 and 3 never arrived live; 4 shows the gap.
    server.publish('ci', 'build 2');
    server.publish('ci', 'build 3');
    topics.live(server.publish('ci', 'build 4'));
    await expect.poll(() => kept('ci')).toEqual([1, 2, 3, 4]);
    expect(news.at(-1)).toEqual({ topic: 'ci', readSeq: 0, seqs: [2, 3, 4] });
    expect(summary('ci')?.unreadCount).toBe(4);
  });

  it('catches up what was published while away, in pages and in order, as news once', async () => {
    const { server, topics, news, kept } = setup();
    await topics.follow('alerts');
    topics.live(server.publish('alerts', 'first'));
    // Offline (sleep, no network): eight messages go by.
    for (let n = 2; n <= 9; n++) server.publish('alerts', `m${n}`);
    const pagesBefore = server.pages;
    await topics.synced();
    expect(kept('alerts')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(server.pages - pagesBefore).toBe(3);
    expect(news.at(-1)).toEqual({ topic: 'alerts', readSeq: 0, seqs: [2, 3, 4, 5, 6, 7, 8, 9] });
    // Nothing new: a second sync fetches nothing and tells nothing.
    const told = news.length;
    await topics.synced();
    expect(news).toHaveLength(told);
  });

  it('keeps a cursor and the newest messages across a restart, and catches up from the cursor', async () => {
    const first = setup();
    await first.topics.follow('deploys');
    for (let n = 1; n <= 4; n++) first.topics.live(first.server.publish('deploys', `d${n}`));
    const saved: KeptTopic[] = JSON.parse(JSON.stringify(first.topics.saved()));

    const second = setup(first.server);
    second.topics.load(saved);
    expect(second.kept('deploys')).toEqual([1, 2, 3, 4]);
    first.server.publish('deploys', 'd5');
    await second.topics.synced();
    expect(second.kept('deploys')).toEqual([1, 2, 3, 4, 5]);
    expect(second.news).toEqual([{ topic: 'deploys', readSeq: 0, seqs: [5] }]);
  });

  it('keeps at most TOPIC_KEEP messages, the newest', async () => {
    const { server, topics, kept } = setup();
    await topics.follow('busy');
    for (let n = 1; n <= TOPIC_KEEP + 5; n++) topics.live(server.publish('busy', `m${n}`));
    expect(kept('busy')).toHaveLength(TOPIC_KEEP);
    expect(kept('busy')[0]).toBe(6);
  });

  it('says when retention removed messages it never got, and goes on after them', async () => {
    const { server, topics, received, kept } = setup();
    await topics.follow('logs');
    topics.live(server.publish('logs', 'kept'));
    server.publish('logs', 'lost 1');
    server.publish('logs', 'lost 2');
    server.prune('logs');
    server.publish('logs', 'after');
    await topics.synced();
    expect(kept('logs')).toEqual([1, 4]);
    expect(received.at(-1)).toEqual({ topic: 'logs', seqs: [4], gap: true });
    expect(topics.open('logs').gap).toBe(true);
  });

  it('marks a topic unreadable when the server refuses its catch-up, and refuses to follow one it may not read', async () => {
    const { server, topics, summary } = setup();
    await topics.follow('ops');
    server.denied.add('ops');
    server.publish('ops', 'secret');
    await topics.synced();
    expect(summary('ops')?.readable).toBe(false);
    server.denied.add('vault');
    await expect(topics.follow('vault')).rejects.toMatchObject({ code: 'forbidden' });
    expect(summary('vault')).toBeUndefined();
  });

  it('moves the read position forward only, and tells when another device read it', async () => {
    const { server, topics, reads, summary } = setup();
    await topics.follow('ci');
    for (let n = 1; n <= 3; n++) topics.live(server.publish('ci', `b${n}`));
    await topics.markRead('ci', 2);
    expect(summary('ci')).toMatchObject({ readSeq: 2, unreadCount: 1 });
    await topics.markRead('ci', 1);
    expect(summary('ci')?.readSeq).toBe(2);
    topics.applyState({ ...server.state('ci'), readSeq: 3 });
    expect(summary('ci')?.unreadCount).toBe(0);
    // A state that left before the newer one does not move it back.
    topics.applyState({ ...server.state('ci'), readSeq: 1 });
    expect(summary('ci')?.readSeq).toBe(3);
    expect(reads).toEqual([
      ['ci', 2],
      ['ci', 3],
    ]);
    await expect(topics.markRead('unknown', 1)).rejects.toMatchObject({ code: 'not_found' });
  });

  it("mutes on the server once, still takes and counts a muted topic's messages, and hears a mute from another device", async () => {
    const { server, topics, news, kept, summary } = setup();
    await topics.follow('ci');
    await topics.setMuted('ci', true);
    await topics.setMuted('ci', true);
    expect(server.mutes).toBe(1);
    expect(summary('ci')).toMatchObject({ muted: true, unreadCount: 0 });
    topics.live(server.publish('ci', 'build 1'));
    expect(kept('ci')).toEqual([1]);
    expect(summary('ci')).toMatchObject({ muted: true, unreadCount: 1 });
    // The notifications are told it is muted: they decide (notify/rules.ts).
    expect(news).toEqual([{ topic: 'ci', readSeq: 0, seqs: [1], muted: true }]);

    // Unmuted on another device.
    server.muted.delete('ci');
    topics.applyState(server.state('ci'));
    expect(summary('ci')?.muted).toBe(false);
    await expect(topics.setMuted('unknown', true)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('loads a saved topic from before mute as unmuted', () => {
    const { topics, summary } = setup();
    const savedBefore = {
      topic: 'old',
      headSeq: 0,
      readSeq: 0,
      prunedSeq: 0,
      readable: true,
      cursor: 0,
      messages: [],
      gap: false,
    };
    topics.load([KeptTopic.parse(savedBefore)]);
    expect(summary('old')?.muted).toBe(false);
  });

  it('pages back before the oldest kept message for the view, without keeping the older ones', async () => {
    const { server, topics, kept } = setup();
    for (let n = 1; n <= TOPIC_KEEP + 7; n++) server.publish('busy', `m${n}`);
    await topics.follow('busy');
    expect(kept('busy')[0]).toBe(8);
    const pages = [];
    for (let before = 8, hasOlder = true; hasOlder;) {
      const page = await topics.loadOlder('busy', before);
      pages.push(page.messages.map((m) => m.seq));
      hasOlder = page.hasOlder;
      before = page.messages[0]?.seq ?? 0;
    }
    expect(pages).toEqual([[5, 6, 7], [2, 3, 4], [1]]);
    expect(kept('busy')).toHaveLength(TOPIC_KEEP);
    expect(kept('busy')[0]).toBe(8);
    await expect(topics.loadOlder('unknown', 5)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('forgets a topic unfollowed here or on another device, and one the server no longer lists', async () => {
    const { server, topics } = setup();
    await topics.follow('a');
    await topics.follow('b');
    await topics.follow('c');
    await topics.unfollow('a');
    topics.removed('b');
    server.follows.delete('b');
    server.follows.delete('c');
    await topics.synced();
    expect(topics.summaries()).toEqual([]);
    expect(() => topics.open('c')).toThrow(/follow it first/);
  });
});
