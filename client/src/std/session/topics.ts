// The topics the signed-in user follows (the publish API's streams, docs/publish.md "In the apps"),
// with the same delivery promise as channels (ARCHITECTURE.md §3): each topic keeps a cursor — every
// message up to it has been received — and catches up from it after every connect, when the server
// asks for a resync, and when a live message shows a gap. A message is taken once, in seq order;
// messages retention removed before this device got them are said (`gap`), never skipped silently.
// The server keeps the follows and read positions, so every device agrees on them.
import { z } from 'zod';
import {
  FollowedTopic,
  Seq,
  SwitchboardError,
  TopicMessage,
  type TopicMessagesPage,
} from '@switchboard/protocol';
import type { TopicSummary } from '../contract.ts';

/** Messages kept per topic: the topic view shows these, the newest last. */
export const TOPIC_KEEP = 100;

/** A followed topic as this device keeps it (saved in the account's cached meta). */
export const KeptTopic = FollowedTopic.extend({
  /** Records saved before topics could be muted have none. */
  muted: z.boolean().default(false),
  /** Every message up to this seq has been received (or removed by retention); null: none asked for yet. */
  cursor: Seq.nullable(),
  messages: z.array(TopicMessage).max(TOPIC_KEEP),
  /** Retention removed messages after the cursor before this device could get them. */
  gap: z.boolean(),
});
export type KeptTopic = z.infer<typeof KeptTopic>;

export interface FollowedTopicsHost {
  list(): Promise<{ topics: FollowedTopic[] }>;
  follow(topic: string): Promise<FollowedTopic>;
  unfollow(topic: string): Promise<unknown>;
  page(topic: string, after: number): Promise<TopicMessagesPage>;
  /** The newest page of a topic's messages before `before`, oldest first. */
  olderPage(topic: string, before: number): Promise<TopicMessagesPage>;
  markRead(topic: string, seq: number): Promise<FollowedTopic>;
  mute(topic: string, muted: boolean): Promise<FollowedTopic>;
  /** The list, a count or a topic's messages changed: tell the UI the list, and save. */
  changed(): void;
  /** New messages of a topic, in seq order, for its open view. */
  received(topic: string, messages: TopicMessage[], gap: boolean): void;
  /** Messages that are news (live, or missed while away — not a first load): the notifications decide. */
  news(state: FollowedTopic, messages: TopicMessage[]): void;
  /** A topic was read up to `readSeq` (here or on another device). */
  read(topic: string, readSeq: number): void;
}

const unreadOf = (t: FollowedTopic): number => Math.max(0, t.headSeq - Math.max(t.readSeq, t.prunedSeq));

export class FollowedTopics {
  private topics = new Map<string, KeptTopic>();
  /** Catch-ups under way by topic; one asked for meanwhile runs once more after it. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly host: FollowedTopicsHost) {}

  /** The saved topics of a session that starts (nothing is told). */
  load(topics: readonly KeptTopic[]): void {
    this.topics = new Map(topics.map((t) => [t.topic, t]));
  }

  clear(): void {
    this.topics.clear();
    this.again.clear();
  }

  /** What is saved: every followed topic with its cursor and kept messages. */
  saved(): KeptTopic[] {
    return [...this.topics.values()];
  }

  /** By name, with unread counts. */
  summaries(): TopicSummary[] {
    return [...this.topics.values()]
      .sort((a, b) => a.topic.localeCompare(b.topic))
      .map(({ cursor: _cursor, messages: _messages, gap: _gap, ...state }) => ({
        ...state,
        unreadCount: unreadOf(state),
      }));
  }

  /** A followed topic's kept messages, oldest first. */
  open(topic: string): { messages: TopicMessage[]; gap: boolean } {
    const kept = this.require(topic);
    return { messages: [...kept.messages], gap: kept.gap };
  }

  /**
   * Connected (or told to resync): the server's list replaces this one, and every topic with
   * messages past its cursor catches up. Resolves when all have.
   */
  async synced(): Promise<void> {
    const { topics } = await this.host.list();
    const listed = new Set(topics.map((t) => t.topic));
    for (const name of this.topics.keys()) if (!listed.has(name)) this.topics.delete(name);
    for (const state of topics) this.setState(state);
    this.host.changed();
    await Promise.all(topics.map((t) => this.catchUpIfBehind(t.topic)));
  }

  /** A new message of a followed topic, live: taken if it is the next one, else the gap is fetched. */
  live(message: TopicMessage): void {
    const kept = this.topics.get(message.topic);
    if (!kept || kept.cursor === null || message.seq <= kept.cursor) {
      // Not followed here yet (the list is on its way), or a first load is: that brings it.
      if (kept?.cursor === null) void this.catchUp(message.topic);
      return;
    }
    if (message.seq > kept.cursor + 1) return void this.catchUp(message.topic);
    this.take(kept, [message], false);
    this.host.news(kept, [message]);
    this.host.changed();
  }

  /** The server's state of one followed topic (followed or read on any device). */
  applyState(state: FollowedTopic): void {
    const isNew = !this.topics.has(state.topic);
    this.setState(state);
    this.host.changed();
    if (isNew) void this.catchUpIfBehind(state.topic);
  }

  /** Unfollowed (here or on another device): forgotten here. */
  removed(topic: string): void {
    if (this.topics.delete(topic)) this.host.changed();
  }

  async follow(topic: string): Promise<TopicSummary> {
    this.applyState(await this.host.follow(topic));
    await this.catchUpIfBehind(topic);
    return this.summaries().find((t) => t.topic === topic)!;
  }

  async unfollow(topic: string): Promise<void> {
    await this.host.unfollow(topic);
    this.removed(topic);
  }

  /**
   * A page of a followed topic's messages older than `before` (the oldest its view shows), for the
   * view alone: this device keeps only the newest (TOPIC_KEEP).
   */
  async loadOlder(topic: string, before: number): Promise<{ messages: TopicMessage[]; hasOlder: boolean }> {
    this.require(topic);
    const page = await this.host.olderPage(topic, before);
    return { messages: page.messages, hasOlder: page.hasMore };
  }

  /** Mutes or unmutes a followed topic on the server, so on every device. */
  async setMuted(topic: string, muted: boolean): Promise<void> {
    if (this.require(topic).muted === muted) return;
    this.applyState(await this.host.mute(topic, muted));
  }

  /** Marks a followed topic read up to `seq` on the server (never back). */
  async markRead(topic: string, seq: number): Promise<void> {
    const kept = this.require(topic);
    if (seq <= kept.readSeq) return;
    this.applyState(await this.host.markRead(topic, seq));
  }

  private require(topic: string): KeptTopic {
    const kept = this.topics.get(topic);
    if (!kept) throw new SwitchboardError('not_found', `you do not follow ${topic}: follow it first`);
    return kept;
  }

  private setState(state: FollowedTopic): void {
    const kept = this.topics.get(state.topic);
    const readBefore = kept?.readSeq ?? 0;
    this.topics.set(state.topic, {
      cursor: null,
      messages: [],
      gap: false,
      ...kept,
      ...state,
      // Heads and read positions only move forward: a state sent before a newer one may arrive after it.
      headSeq: Math.max(state.headSeq, kept?.headSeq ?? 0),
      readSeq: Math.max(state.readSeq, readBefore),
    });
    if (kept && state.readSeq > readBefore) this.host.read(state.topic, state.readSeq);
  }

  private catchUpIfBehind(topic: string): Promise<void> {
    const kept = this.topics.get(topic);
    if (!kept?.readable || (kept.cursor !== null && kept.cursor >= kept.headSeq)) return Promise.resolve();
    return this.catchUp(topic);
  }

  /** Fetches a topic's messages after its cursor, page by page, until it has them all. */
  private catchUp(topic: string): Promise<void> {
    const running = this.running.get(topic);
    if (running) {
      this.again.add(topic);
      return running;
    }
    const work = this.fetchAll(topic).finally(() => {
      this.running.delete(topic);
      if (this.again.delete(topic)) void this.catchUp(topic);
    });
    this.running.set(topic, work);
    return work;
  }

  private async fetchAll(topic: string): Promise<void> {
    const news: TopicMessage[] = [];
    // A first load brings the newest messages only, and they are not news.
    let first = this.topics.get(topic)?.cursor === null;
    for (;;) {
      const kept = this.topics.get(topic);
      if (!kept) return;
      // Followed again meanwhile (a new record): a first load again.
      if (kept.cursor === null) first = true;
      let page: TopicMessagesPage;
      try {
        page = await this.host.page(topic, kept.cursor ?? Math.max(0, kept.headSeq - TOPIC_KEEP));
      } catch (err) {
        // No access any more: shown as such; anything else is tried again at the next connect.
        const now = this.topics.get(topic);
        if (err instanceof SwitchboardError && err.code === 'forbidden' && now)
          this.topics.set(topic, { ...now, readable: false });
        break;
      }
      // Unfollowed meanwhile, or followed again (a new record): this page is not for it.
      if (this.topics.get(topic) !== kept) continue;
      this.take(kept, page.messages, page.reset && !first, page.prunedSeq);
      if (!first) news.push(...page.messages);
      if (!page.hasMore) break;
    }
    const kept = this.topics.get(topic);
    if (kept && news.length > 0) this.host.news(kept, news);
    this.host.changed();
  }

  /** Adds messages after the cursor (in seq order) and moves it; `prunedSeq` moves it past what retention removed. */
  private take(kept: KeptTopic, messages: readonly TopicMessage[], gap: boolean, prunedSeq = 0): void {
    const cursor = kept.cursor ?? 0;
    const fresh = messages.filter((m) => m.seq > cursor).sort((a, b) => a.seq - b.seq);
    const last = fresh.at(-1)?.seq ?? cursor;
    const next: KeptTopic = {
      ...kept,
      cursor: Math.max(last, prunedSeq, cursor),
      headSeq: Math.max(kept.headSeq, last),
      messages: [...kept.messages, ...fresh].slice(-TOPIC_KEEP),
      gap: kept.gap || gap,
    };
    this.topics.set(kept.topic, next);
    if (fresh.length > 0 || gap) this.host.received(kept.topic, fresh, gap);
  }
}
