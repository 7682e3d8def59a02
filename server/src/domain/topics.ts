// Notification topics (ARCHITECTURE.md §3, §4): each topic is a stream of its own with a contiguous
// `seq` taken in the transaction that stores the message, like a channel's. A topic exists from its
// first message. Live subscribers hear a message after its commit; a subscriber that also reads the
// stored messages drops what it already has by seq, so nothing published in between is missed.
import {
  newId,
  SwitchboardError,
  type TopicEvent,
  type TopicMessage,
  type TopicPublish,
} from '@switchboard/protocol';
import type { Transaction } from 'kysely';
import { systemClock, type Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import type { Database, TopicMessagesTable } from '../store/schema.ts';

/** A stored topic message, with its topic and seq (the apps get it as it is). */
export type { TopicMessage };

/**
 * Where a read of stored messages starts (ntfy's `since=`): everything kept, only the newest of each
 * topic, messages from a time on, or those after a message.
 */
export type Since =
  | { kind: 'all' }
  | { kind: 'latest' }
  | { kind: 'none' }
  | { kind: 'time'; at: number }
  | { kind: 'id'; id: string };

/** A live subscriber: told each committed message, and told when the server stops serving it. */
export interface TopicListener {
  message(message: TopicMessage): void;
  /** Messages may have been missed (the link to the other nodes broke): read what is stored since. */
  resync(): void;
  end(): void;
}

export interface TopicsOptions {
  maxMessageLength: number;
  /** Live subscriptions one holder (a user, or an anonymous caller's address) may keep open. */
  maxSubscriptionsPerHolder: number;
  clock?: Clock;
  /** Observes each stored message (metrics). */
  onStored?: () => void;
}

/** Messages in one answer of stored messages (a poll, or the catch-up before a live stream). */
export const MAX_TOPIC_READ = 1000;

export class Topics {
  private readonly clock: Clock;
  private readonly listeners = new Map<string, Set<TopicListener>>();
  /** Live subscriptions per holder, to keep each within its limit. */
  private readonly held = new Map<string, number>();
  /** Tells the other nodes of a message stored here (none for one node alone). */
  private relay: (message: TopicMessage) => void = () => {};
  /** Hear every message stored here or on another node (the apps' followers, realtime/socket.ts). */
  private readonly observers = new Set<(message: TopicMessage) => void>();

  constructor(
    private readonly db: Store,
    private readonly options: TopicsOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Stores a message in `topic`'s stream and tells its live subscribers once it is committed. */
  async publish(publisherId: string | null, topic: string, input: TopicPublish): Promise<TopicMessage> {
    if (input.message.length > this.options.maxMessageLength) {
      throw new SwitchboardError(
        'payload_too_large',
        `message is ${input.message.length} characters; this server allows ${this.options.maxMessageLength}`,
      );
    }
    const row = await this.db.transaction().execute(async (trx) => {
      const { topicId, seq } = await nextTopicSeq(trx, topic, this.clock());
      const stored: TopicMessagesTable = {
        id: newId(),
        topic_id: topicId,
        seq,
        publisher_id: publisherId,
        created_at: this.clock(),
        message: input.message,
        title: input.title ?? null,
        priority: input.priority ?? null,
        tags: input.tags && input.tags.length > 0 ? JSON.stringify(input.tags) : null,
        click: input.click ?? null,
        markdown: input.markdown ? 1 : 0,
      };
      await trx.insertInto('topic_messages').values(stored).execute();
      return stored;
    });
    const message = toTopicMessage(row, topic);
    this.options.onStored?.();
    this.receive(message);
    this.relay(message);
    return message;
  }

  /** Sends each message stored on this node to the other nodes too, which pass it to `receive`. */
  relayTo(relay: (message: TopicMessage) => void): void {
    this.relay = relay;
  }

  /** A message stored (here or on another node): this node's live subscribers of its topic hear it. */
  receive(message: TopicMessage): void {
    for (const observer of this.observers) observer(message);
    for (const listener of this.listeners.get(message.topic) ?? []) listener.message(message);
  }

  /** Tells `observer` every message stored from now on, here or on another node. */
  observe(observer: (message: TopicMessage) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Messages from other nodes may have been lost on the way: every live subscriber reads what it missed. */
  resync(): void {
    for (const listener of new Set([...this.listeners.values()].flatMap((set) => [...set])))
      listener.resync();
  }

  /** Each topic's newest seq (0 for a topic with no message yet). */
  async heads(topics: readonly string[]): Promise<Map<string, number>> {
    const rows =
      topics.length === 0
        ? []
        : await this.db
            .selectFrom('topics')
            .select(['name', 'head_seq'])
            .where('name', 'in', topics)
            .execute();
    return new Map(topics.map((t) => [t, Number(rows.find((r) => r.name === t)?.head_seq ?? 0)]));
  }

  /** Each topic's newest seq and how far retention removed its history (both 0 for a topic not yet used). */
  async streams(topics: readonly string[]): Promise<Map<string, { headSeq: number; prunedSeq: number }>> {
    const rows =
      topics.length === 0
        ? []
        : await this.db
            .selectFrom('topics')
            .select(['name', 'head_seq', 'pruned_seq'])
            .where('name', 'in', topics)
            .execute();
    const byName = new Map(rows.map((r) => [r.name, r]));
    return new Map(
      topics.map((t) => {
        const row = byName.get(t);
        return [t, { headSeq: Number(row?.head_seq ?? 0), prunedSeq: Number(row?.pruned_seq ?? 0) }];
      }),
    );
  }

  /** Stored messages of one topic after `seq`, in seq order, at most `limit`. */
  async readAfter(topic: string, seq: number, limit = MAX_TOPIC_READ): Promise<TopicMessage[]> {
    return this.readFrom(topic, seq, 'after', limit);
  }

  /** Up to `limit` of a topic's newest messages before `seq`, oldest first (a page back in its history). */
  async readBefore(topic: string, seq: number, limit: number): Promise<TopicMessage[]> {
    return (await this.readFrom(topic, seq, 'before', limit)).reverse();
  }

  /** Up to `limit` messages of one topic on one side of `seq`, nearest it first. */
  private async readFrom(
    topic: string,
    seq: number,
    side: 'after' | 'before',
    limit: number,
  ): Promise<TopicMessage[]> {
    const rows = await this.db
      .selectFrom('topic_messages')
      .innerJoin('topics', 'topics.id', 'topic_messages.topic_id')
      .selectAll('topic_messages')
      .where('topics.name', '=', topic)
      .where('topic_messages.seq', side === 'after' ? '>' : '<', seq)
      .orderBy('topic_messages.seq', side === 'after' ? 'asc' : 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => toTopicMessage(row, topic));
  }

  /**
   * Tells `listener` every message committed to any of `topics` from now on, until the returned
   * function is called. `holder` (a user, or an anonymous caller's address) may hold only so many.
   */
  listen(topics: readonly string[], listener: TopicListener, holder: string): () => void {
    const holding = this.held.get(holder) ?? 0;
    if (holding >= this.options.maxSubscriptionsPerHolder) {
      throw new SwitchboardError(
        'too_many_connections',
        `${holding} subscriptions are open already, the most this server allows: close one first`,
      );
    }
    this.held.set(holder, holding + 1);
    for (const topic of topics) {
      let set = this.listeners.get(topic);
      if (!set) this.listeners.set(topic, (set = new Set()));
      set.add(listener);
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const left = (this.held.get(holder) ?? 1) - 1;
      if (left > 0) this.held.set(holder, left);
      else this.held.delete(holder);
      for (const topic of topics) {
        const set = this.listeners.get(topic);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(topic);
      }
    };
  }

  /** Ends every live subscription (shutdown), so none holds the server open. */
  endSubscriptions(): void {
    const all = new Set([...this.listeners.values()].flatMap((set) => [...set]));
    this.listeners.clear();
    for (const listener of all) listener.end();
  }

  /**
   * Stored messages of `topics` from `since`, oldest first (each topic in seq order), at most
   * MAX_TOPIC_READ of them — the newest ones when there are more.
   */
  async read(topics: readonly string[], since: Since): Promise<TopicMessage[]> {
    if (since.kind === 'none' || topics.length === 0) return [];
    let after: { at: number; topicId: string | null; seq: number } | null = null;
    if (since.kind === 'id') {
      // An id this server does not know (pruned, or from elsewhere) reads everything kept, as ntfy does.
      const found = await this.db
        .selectFrom('topic_messages')
        .select(['topic_id', 'seq', 'created_at'])
        .where('id', '=', since.id)
        .executeTakeFirst();
      if (found) after = { at: Number(found.created_at), topicId: found.topic_id, seq: Number(found.seq) };
    }
    const lists: TopicMessage[][] = [];
    for (const topic of topics) {
      let query = this.db
        .selectFrom('topic_messages')
        .innerJoin('topics', 'topics.id', 'topic_messages.topic_id')
        .selectAll('topic_messages')
        .where('topics.name', '=', topic)
        .orderBy('topic_messages.seq', 'desc')
        .limit(since.kind === 'latest' ? 1 : MAX_TOPIC_READ);
      if (since.kind === 'time') query = query.where('topic_messages.created_at', '>=', since.at);
      if (after) {
        const { at, topicId, seq } = after;
        // In the topic of the message: after it by seq; in the others: published after it.
        query = query.where((eb) =>
          eb.or([
            eb.and([eb('topic_messages.topic_id', '=', topicId), eb('topic_messages.seq', '>', seq)]),
            eb.and([eb('topic_messages.topic_id', '<>', topicId), eb('topic_messages.created_at', '>', at)]),
          ]),
        );
      }
      const rows = await query.execute();
      lists.push(rows.reverse().map((row) => toTopicMessage(row, topic)));
    }
    return mergeByTime(lists).slice(-MAX_TOPIC_READ);
  }

  /** Removes messages created before `cutoff`; each topic records how far its history now reaches. */
  async pruneOlderThan(cutoff: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const pruned = await trx
        .selectFrom('topic_messages')
        .select(['topic_id', (eb) => eb.fn.max('seq').as('max_seq')])
        .where('created_at', '<', cutoff)
        .groupBy('topic_id')
        .execute();
      for (const { topic_id, max_seq } of pruned) {
        await trx
          .updateTable('topics')
          .set({ pruned_seq: Number(max_seq) })
          .where('id', '=', topic_id)
          .where('pruned_seq', '<', Number(max_seq))
          .execute();
      }
      const deleted = await trx
        .deleteFrom('topic_messages')
        .where('created_at', '<', cutoff)
        .executeTakeFirst();
      return Number(deleted.numDeletedRows);
    });
  }
}

/** Takes the topic's next seq, creating the topic on its first message; serialises its changes. */
async function nextTopicSeq(
  trx: Transaction<Database>,
  name: string,
  now: number,
): Promise<{ topicId: string; seq: number }> {
  await trx
    .insertInto('topics')
    .values({ id: newId(), name, created_at: now, head_seq: 0, pruned_seq: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await trx
    .updateTable('topics')
    .set((eb) => ({ head_seq: eb('head_seq', '+', 1) }))
    .where('name', '=', name)
    .returning(['id', 'head_seq'])
    .executeTakeFirstOrThrow();
  return { topicId: row.id, seq: Number(row.head_seq) };
}

function toTopicMessage(row: TopicMessagesTable, topic: string): TopicMessage {
  return {
    id: row.id,
    topic,
    seq: Number(row.seq),
    createdAt: Number(row.created_at),
    message: row.message,
    title: row.title,
    priority: row.priority === null ? null : Number(row.priority),
    tags: row.tags === null ? [] : (JSON.parse(row.tags) as string[]),
    click: row.click,
    markdown: Boolean(row.markdown),
  };
}

/** One list in time order from lists each in seq order, keeping every list's own order. */
function mergeByTime(lists: TopicMessage[][]): TopicMessage[] {
  if (lists.length === 1) return lists[0]!;
  const merged: TopicMessage[] = [];
  const heads = lists.map(() => 0);
  for (;;) {
    let pick = -1;
    lists.forEach((list, i) => {
      const head = list[heads[i]!];
      const best = pick === -1 ? undefined : lists[pick]![heads[pick]!]!;
      // Ids are UUIDv7s, ordered by creation: they settle messages of the same millisecond.
      if (
        head &&
        (!best || head.createdAt < best.createdAt || (head.createdAt === best.createdAt && head.id < best.id))
      )
        pick = i;
    });
    if (pick === -1) return merged;
    merged.push(lists[pick]![heads[pick]!++]!);
  }
}

/** A message as ntfy's dialect sends it: Unix seconds, fields without a value left out. */
export function toTopicEvent(message: TopicMessage): TopicEvent {
  return {
    id: message.id,
    time: Math.floor(message.createdAt / 1000),
    event: 'message',
    topic: message.topic,
    seq: message.seq,
    message: message.message,
    ...(message.title !== null && { title: message.title }),
    ...(message.priority !== null && { priority: message.priority }),
    ...(message.tags.length > 0 && { tags: message.tags }),
    ...(message.click !== null && { click: message.click }),
    ...(message.markdown && { content_type: 'text/markdown' as const }),
  };
}
