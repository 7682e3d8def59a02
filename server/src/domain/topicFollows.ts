// The topics each signed-in user follows in the apps (ARCHITECTURE.md §3): stored per user, so they
// follow the user to every device, with a read position each, as channels have. Only topics the user
// may read can be followed or caught up; access is asked again at each use, since rules change.
import {
  DEFAULT_TOPIC_PAGE,
  MAX_FOLLOWED_TOPICS,
  SwitchboardError,
  type FollowedTopic,
  type TopicMessagesPage,
  type User,
} from '@switchboard/protocol';
import { systemClock, type Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import type { Notifier } from './notifier.ts';
import type { TopicAccess } from './topicAccess.ts';
import type { Topics } from './topics.ts';

export class TopicFollows {
  constructor(
    private readonly db: Store,
    private readonly topics: Topics,
    private readonly access: TopicAccess,
    private readonly notifier: Notifier,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The names of the topics a user follows (their live connections hear these). */
  async namesFor(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('topic_follows')
      .select('topic')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.topic);
  }

  /** Every topic the user follows, by name, with its head, their read position and their access now. */
  async list(actor: User): Promise<FollowedTopic[]> {
    const names = await this.namesFor(actor.id);
    if (names.length === 0) return [];
    const streams = await this.topics.streams(names);
    const readable = await Promise.all(names.map((topic) => this.mayRead(actor, topic)));
    const mayRead = new Map(names.map((topic, i) => [topic, readable[i]!]));
    // The follows are read last, as in state(); one followed or unfollowed meanwhile is told by its own topic.state.
    const rows = await this.db
      .selectFrom('topic_follows')
      .select(['topic', 'read_seq', 'muted'])
      .where('user_id', '=', actor.id)
      .where('topic', 'in', names)
      .orderBy('topic')
      .execute();
    return rows.map((row) => followedTopic(row, streams.get(row.topic)!, mayRead.get(row.topic)!));
  }

  /** Follows a topic the user may read, read up to its head now: what came before is not news. */
  async follow(actor: User, topic: string): Promise<FollowedTopic> {
    await this.access.require(actor, [topic], 'read');
    const followed = await this.db.transaction().execute(async (trx) => {
      const known = await trx
        .selectFrom('topic_follows')
        .select('topic')
        .where('user_id', '=', actor.id)
        .execute();
      if (known.some((r) => r.topic === topic)) return false;
      if (known.length >= MAX_FOLLOWED_TOPICS)
        throw new SwitchboardError(
          'conflict',
          `you follow ${known.length} topics, the most this server allows: unfollow one first`,
        );
      const head = await trx
        .selectFrom('topics')
        .select('head_seq')
        .where('name', '=', topic)
        .executeTakeFirst();
      await trx
        .insertInto('topic_follows')
        .values({
          user_id: actor.id,
          topic,
          followed_at: this.clock(),
          read_seq: Number(head?.head_seq ?? 0),
          muted: 0,
        })
        .execute();
      return true;
    });
    const state = await this.state(actor, topic);
    if (followed) {
      this.notifier.followTopic(actor.id, topic);
      this.notifier.toUser(actor.id, 'topic.state', state);
    }
    return state;
  }

  /** Stops following (following nothing is fine); the user's devices stop hearing it. */
  async unfollow(actor: User, topic: string): Promise<{ topic: string }> {
    const deleted = await this.db
      .deleteFrom('topic_follows')
      .where('user_id', '=', actor.id)
      .where('topic', '=', topic)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) > 0) {
      this.notifier.unfollowTopic(actor.id, topic);
      this.notifier.toUser(actor.id, 'topic.unfollowed', { topic });
    }
    return { topic };
  }

  /**
   * A page of a topic's messages for a user who may read it: after `after` (the caller's cursor), or
   * the newest before `before` (the oldest the caller shows), oldest first either way.
   */
  async messages(
    actor: User,
    request: {
      topic: string;
      after?: number | undefined;
      before?: number | undefined;
      limit?: number | undefined;
    },
  ): Promise<TopicMessagesPage> {
    const { topic } = request;
    await this.access.require(actor, [topic], 'read');
    const { headSeq, prunedSeq } = (await this.topics.streams([topic])).get(topic)!;
    const limit = request.limit ?? DEFAULT_TOPIC_PAGE;
    const back = request.before !== undefined;
    const seq = request.before ?? request.after;
    if (seq === undefined) throw new SwitchboardError('bad_request', 'give either after or before');
    // A cursor past the newest message was not given by this server; `before` one past it is the newest page.
    if (seq > (back ? headSeq + 1 : headSeq))
      throw new SwitchboardError(
        'bad_request',
        `${back ? 'before' : 'after'} ${seq} is past the newest message of ${topic} (${headSeq}): page from a seq you were given`,
      );
    // One more than asked tells whether there are more.
    const found = back
      ? await this.topics.readBefore(topic, seq, limit + 1)
      : await this.topics.readAfter(topic, seq, limit + 1);
    return {
      topic,
      messages: back ? found.slice(-limit) : found.slice(0, limit),
      hasMore: found.length > limit,
      reset: !back && seq < prunedSeq,
      prunedSeq,
    };
  }

  /** Moves the user's read position in a topic they follow forward to `seq` (never back). */
  async markRead(actor: User, topic: string, seq: number): Promise<FollowedTopic> {
    const { headSeq } = (await this.topics.streams([topic])).get(topic)!;
    if (seq > headSeq)
      throw new SwitchboardError(
        'bad_request',
        `seq ${seq} is past the newest message of ${topic} (${headSeq})`,
      );
    const moved = await this.db
      .updateTable('topic_follows')
      .set({ read_seq: seq })
      .where('user_id', '=', actor.id)
      .where('topic', '=', topic)
      .where('read_seq', '<', seq)
      .executeTakeFirst();
    const state = await this.state(actor, topic);
    if (Number(moved.numUpdatedRows) > 0) this.notifier.toUser(actor.id, 'topic.state', state);
    return state;
  }

  /**
   * Mutes or unmutes a followed topic (`not_found` if the user does not follow it); the user's
   * devices hear the new state when it changed. Access is not asked: a topic one may no longer read
   * may still be muted.
   */
  async setMuted(actor: User, topic: string, muted: boolean): Promise<FollowedTopic> {
    const changed = await this.db
      .updateTable('topic_follows')
      .set({ muted: muted ? 1 : 0 })
      .where('user_id', '=', actor.id)
      .where('topic', '=', topic)
      .where('muted', '=', muted ? 0 : 1)
      .executeTakeFirst();
    const state = await this.state(actor, topic);
    if (Number(changed.numUpdatedRows) > 0) this.notifier.toUser(actor.id, 'topic.state', state);
    return state;
  }

  /**
   * One followed topic's state; `not_found` if the user does not follow it. The follow is read last,
   * and callers send the state with nothing awaited after it: states then leave in the order their
   * follow was read, so the answer of a read taken before a mute cannot arrive after the mute's and
   * undo it on the user's devices.
   */
  private async state(actor: User, topic: string): Promise<FollowedTopic> {
    const stream = (await this.topics.streams([topic])).get(topic)!;
    const readable = await this.mayRead(actor, topic);
    const row = await this.db
      .selectFrom('topic_follows')
      .select(['topic', 'read_seq', 'muted'])
      .where('user_id', '=', actor.id)
      .where('topic', '=', topic)
      .executeTakeFirst();
    if (!row) throw new SwitchboardError('not_found', `you do not follow ${topic}`);
    return followedTopic(row, stream, readable);
  }

  private async mayRead(actor: User, topic: string): Promise<boolean> {
    return (await this.access.readers([actor], topic)).has(actor.id);
  }
}

/** A followed topic from its stored follow, its fields in the order the protocol lists them. */
function followedTopic(
  row: { topic: string; read_seq: number; muted: number },
  { headSeq, prunedSeq }: { headSeq: number; prunedSeq: number },
  readable: boolean,
): FollowedTopic {
  return {
    topic: row.topic,
    headSeq,
    readSeq: Number(row.read_seq),
    prunedSeq,
    readable,
    muted: Boolean(row.muted),
  };
}
