// Threads (ARCHITECTURE.md §3): a reply is a message of its channel's stream with `parent_id` set to
// the thread's root. Each reply changes the root's summary (reply count, last reply, latest
// repliers) as a change of its own, in the reply's transaction. The people in a thread — the root's
// author, everyone who replied, everyone mentioned — follow it: its replies count as unread for
// them in the thread (per-thread read state, kept here so every device agrees), not in the channel.
import {
  MAX_REPLIER_IDS,
  SwitchboardError,
  UNREAD_COUNT_CAP,
  type FollowedThread,
  type Message,
  type ThreadListRequest,
  type ThreadsPage,
  type ThreadState,
  type User,
} from '@switchboard/protocol';
import type { Transaction } from 'kysely';
import type { Store } from '../store/database.ts';
import type { Database, MessagesTable, ThreadFollowsTable } from '../store/schema.ts';
import type { Channels } from './channels.ts';
import { findMessage, hydrate, type Db } from './messageRows.ts';
import type { Notifier } from './notifier.ts';
import { nextSeq } from './streams.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;

export const DEFAULT_THREADS_PAGE = 50;

export class Threads {
  constructor(
    private readonly db: Store,
    private readonly channels: Channels,
    private readonly notifier: Notifier,
  ) {}

  /**
   * The root of the thread a reply to `parentId` joins (a reply to a reply joins its root's thread),
   * read in the send's transaction: the parent must be in the same channel and neither it nor the
   * root deleted.
   */
  async rootFor(trx: Transaction<Database>, channelId: string, parentId: string): Promise<MessagesTable> {
    const parent = await findMessage(trx, parentId, 'no such message in this channel to reply to');
    if (parent.channel_id !== channelId)
      throw new SwitchboardError('not_found', 'no such message in this channel to reply to');
    const root =
      parent.parent_id === null
        ? parent
        : await findMessage(trx, parent.parent_id, 'the thread of this message is gone');
    if (parent.deleted_at !== null || root.deleted_at !== null)
      throw new SwitchboardError('conflict', 'the message was deleted: it takes no replies');
    return root;
  }

  /**
   * A reply was stored (same transaction): its root's new summary, as a stream change of the root,
   * and the thread's followers — the root's author, the replier and whoever the reply or the root
   * mentions. The replier has read the thread up to their reply.
   */
  async replied(
    trx: Transaction<Database>,
    root: MessagesTable,
    reply: MessagesTable,
    mentions: readonly string[],
  ): Promise<Message> {
    const updated = await this.refreshSummary(trx, root.id);
    const rootMentions = await trx
      .selectFrom('mentions')
      .select('user_id')
      .where('message_id', '=', root.id)
      .execute();
    const followers = new Set([
      root.author_id,
      reply.author_id,
      ...mentions,
      ...rootMentions.map((m) => m.user_id),
    ]);
    const lastReplyAt = Number(reply.created_at);
    await trx
      .insertInto('thread_follows')
      .values(
        [...followers].map((user_id): ThreadFollowsTable => ({
          thread_id: root.id,
          user_id,
          channel_id: root.channel_id,
          read_seq: 0,
          last_reply_at: lastReplyAt,
        })),
      )
      .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing())
      .execute();
    await trx
      .updateTable('thread_follows')
      .set({ last_reply_at: lastReplyAt })
      .where('thread_id', '=', root.id)
      .execute();
    await trx
      .updateTable('thread_follows')
      .set({ read_seq: Number(reply.seq) })
      .where('thread_id', '=', root.id)
      .where('user_id', '=', reply.author_id)
      .execute();
    return updated;
  }

  /** A reply was deleted (same transaction): the root's summary changes; null when the root is gone. */
  async replyDeleted(trx: Transaction<Database>, rootId: string): Promise<Message | null> {
    const exists = await trx.selectFrom('messages').select('id').where('id', '=', rootId).executeTakeFirst();
    return exists ? this.refreshSummary(trx, rootId) : null;
  }

  /**
   * Moves the actor's read position in a thread they follow forward (never back; capped at the
   * channel's head) and tells all their devices.
   */
  async markRead(actor: Actor, messageId: string, seq: number): Promise<ThreadState> {
    const follow = await this.followOf(actor, messageId);
    const channel = await this.channels.requireMember(actor, follow.channel_id);
    const target = Math.min(seq, Number(channel.head_seq));
    await this.db
      .updateTable('thread_follows')
      .set({ read_seq: target })
      .where('thread_id', '=', follow.thread_id)
      .where('user_id', '=', actor.id)
      .where('read_seq', '<', target)
      .execute();
    const state = await this.state(this.db, actor.id, {
      ...follow,
      read_seq: Math.max(target, Number(follow.read_seq)),
    });
    this.notifier.toUser(actor.id, 'thread.state', state);
    return state;
  }

  /** The threads the actor follows in channels they are still in, the latest reply first. */
  async list(actor: Actor, req: ThreadListRequest): Promise<ThreadsPage> {
    const limit = req.limit ?? DEFAULT_THREADS_PAGE;
    let query = this.db
      .selectFrom('thread_follows')
      .innerJoin('channel_members', (join) =>
        join
          .onRef('channel_members.channel_id', '=', 'thread_follows.channel_id')
          .onRef('channel_members.user_id', '=', 'thread_follows.user_id'),
      )
      .selectAll('thread_follows')
      .where('thread_follows.user_id', '=', actor.id)
      .orderBy('thread_follows.last_reply_at', 'desc')
      .orderBy('thread_follows.thread_id', 'desc')
      .limit(limit + 1);
    const after = parseCursor(req.cursor);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('thread_follows.last_reply_at', '<', after.lastReplyAt),
          eb.and([
            eb('thread_follows.last_reply_at', '=', after.lastReplyAt),
            eb('thread_follows.thread_id', '<', after.threadId),
          ]),
        ]),
      );
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const roots =
      page.length === 0
        ? []
        : await this.db
            .selectFrom('messages')
            .selectAll()
            .where(
              'id',
              'in',
              page.map((f) => f.thread_id),
            )
            .execute();
    const rootById = new Map((await hydrate(this.db, roots)).map((m) => [m.id, m]));
    const threads: FollowedThread[] = [];
    for (const follow of page) {
      const root = rootById.get(follow.thread_id);
      if (root) threads.push({ ...(await this.state(this.db, actor.id, follow)), root });
    }
    const last = page[page.length - 1];
    return {
      threads,
      nextCursor: rows.length > limit && last ? `${Number(last.last_reply_at)}:${last.thread_id}` : null,
    };
  }

  /** The actor's follow of the thread `messageId` belongs to; `not_found` when they follow none. */
  private async followOf(actor: Actor, messageId: string): Promise<ThreadFollowsTable> {
    const message = await this.db
      .selectFrom('messages')
      .select(['id', 'parent_id', 'channel_id'])
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!message) throw new SwitchboardError('not_found', 'no such message');
    await this.channels.requireReadable(actor, message.channel_id);
    const follow = await this.db
      .selectFrom('thread_follows')
      .selectAll()
      .where('thread_id', '=', message.parent_id ?? message.id)
      .where('user_id', '=', actor.id)
      .executeTakeFirst();
    if (!follow) throw new SwitchboardError('not_found', 'you do not follow this thread');
    return follow;
  }

  /** A follower's read state: replies by others after their read position, and those that mention them. */
  private async state(db: Db, userId: string, follow: ThreadFollowsTable): Promise<ThreadState> {
    const readSeq = Number(follow.read_seq);
    const unread = await db
      .selectFrom((eb) =>
        eb
          .selectFrom('messages')
          .select('seq')
          .where('parent_id', '=', follow.thread_id)
          .where('seq', '>', readSeq)
          .where('deleted_at', 'is', null)
          .where('author_id', '<>', userId)
          .limit(UNREAD_COUNT_CAP + 1)
          .as('unread'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const mentions = await db
      .selectFrom('mentions')
      .innerJoin('messages', 'messages.id', 'mentions.message_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mentions.user_id', '=', userId)
      .where('mentions.channel_id', '=', follow.channel_id)
      .where('mentions.seq', '>', readSeq)
      .where('messages.parent_id', '=', follow.thread_id)
      .executeTakeFirstOrThrow();
    const root = await db
      .selectFrom('messages')
      .select('last_reply_at')
      .where('id', '=', follow.thread_id)
      .executeTakeFirst();
    const counted = Number(unread.n);
    return {
      threadId: follow.thread_id,
      channelId: follow.channel_id,
      readSeq,
      unreadCount: Math.min(counted, UNREAD_COUNT_CAP),
      unreadCapped: counted > UNREAD_COUNT_CAP,
      mentionCount: Number(mentions.n),
      lastReplyAt: root?.last_reply_at == null ? null : Number(root.last_reply_at),
    };
  }

  /** Recounts a root's replies (those not deleted) into its summary: a stream change of the root. */
  private async refreshSummary(trx: Transaction<Database>, rootId: string): Promise<Message> {
    const root = await trx
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', rootId)
      .executeTakeFirstOrThrow();
    const seq = await nextSeq(trx, root.channel_id);
    const live = (eb: Transaction<Database>) =>
      eb.selectFrom('messages').where('parent_id', '=', rootId).where('deleted_at', 'is', null);
    const totals = await live(trx)
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('last')])
      .executeTakeFirstOrThrow();
    const repliers = await live(trx)
      .select((eb) => ['author_id', eb.fn.max('seq').as('newest')])
      .groupBy('author_id')
      .orderBy('newest', 'desc')
      .limit(MAX_REPLIER_IDS)
      .execute();
    const summary = {
      reply_count: Number(totals.n),
      last_reply_at: totals.last === null ? null : Number(totals.last),
      replier_ids: repliers.map((r) => r.author_id).join(' '),
      change_seq: seq,
    };
    await trx.updateTable('messages').set(summary).where('id', '=', rootId).execute();
    const [message] = await hydrate(trx, [{ ...root, ...summary }]);
    return message!;
  }
}

/** A threads page cursor: `<lastReplyAt>:<threadId>` of the last thread of the previous page. */
function parseCursor(cursor: string | undefined): { lastReplyAt: number; threadId: string } | null {
  if (cursor === undefined) return null;
  const match = /^(\d{1,16}):(.{1,64})$/.exec(cursor);
  if (!match) throw new SwitchboardError('validation_failed', 'cursor: not a cursor this server gave');
  return { lastReplyAt: Number(match[1]), threadId: match[2]! };
}
