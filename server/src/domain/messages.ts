// Sending, editing, deleting and reading messages: the delivery model of ARCHITECTURE.md §3.
//
// Every change to a stream (create, edit, delete, and what threads.ts and reactions.ts add) takes the
// next `seq` of that stream inside the transaction that stores it (streams.ts), so seqs are
// contiguous and a client can spot a gap from seq alone. Sends are acknowledged only after their
// transaction commits; sends that arrive together are committed together (group commit), which keeps
// throughput when every commit is fsynced.
import {
  mentionedUsernames,
  messageTextTooLarge,
  newId,
  SwitchboardError,
  type HistoryPage,
  type HistoryRequest,
  type Message,
  type MessageChangeKind,
  type Notice,
  type SendAck,
  type ServerLimits,
  type StreamCatchUp,
  type StreamEventKind,
  type SyncRequest,
  type ThreadPage,
  type ThreadRequest,
  type User,
} from '@switchboard/protocol';
import type { Transaction } from 'kysely';
import type { Store } from '../store/database.ts';
import { isDatabaseUnavailable, isTransientConflict } from '../store/dialect.ts';
import { fixedStatement, prepared } from '../store/prepared.ts';
import type { Database, MessagesTable } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import { isUniqueViolation } from './accounts.ts';
import { toChannel, type Channels } from './channels.ts';
import type { Files } from './files.ts';
import { findMessage, hydrate, toMessage, type Db } from './messageRows.ts';
import type { Notifier } from './notifier.ts';
import { isListed, nextSeq, nextSeqForMessage } from './streams.ts';
import type { Threads } from './threads.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;

export interface MessagesOptions {
  /** What this server announces in `hello`: message text is held to them, REST and Socket.IO alike. */
  limits: ServerLimits;
  clock?: Clock;
  /** Observes each group commit: how many sends and how long it took (metrics). */
  onCommit?: (batchSize: number, durationMs: number) => void;
  /** Observes each stored change (metrics); repeated clientIds and refused sends are not changes. */
  onStored?: (kind: StreamEventKind) => void;
}

export interface SendInput {
  channelId: string;
  clientId: string;
  text: string;
  /** Uploads of the sender's to this channel that the message takes (files.ts). */
  fileIds?: string[] | undefined;
  /** A reply: any message of the thread (it joins the root's thread). */
  parentId?: string | undefined;
  alsoInChannel?: boolean | undefined;
}

interface PendingSend extends SendInput {
  actor: Actor;
  /** The sender's membership check; a send that fails it is refused alone. */
  allowed: Promise<unknown>;
  resolve: (ack: SendAck) => void;
  reject: (err: unknown) => void;
}

/** A committed change to one message, to be told to the channel's live connections. */
export interface MessageChange {
  kind: MessageChangeKind;
  message: Message;
}

type SendOutcome = { ok: true; ack: SendAck; changes: MessageChange[] } | { ok: false; error: unknown };

export const DEFAULT_PAGE = 50;
/** Distinct @names resolved per message; later ones are plain text. */
export const MAX_MENTIONS = 50;
export const DEFAULT_CATCH_UP_PAGE = 100;
/** Messages in one sync answer across all streams, so one request's size and cost stay bounded. */
export const MAX_CATCH_UP_MESSAGES = 1000;

export class Messages {
  private readonly clock: Clock;
  private queue: PendingSend[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Store,
    private readonly channels: Channels,
    private readonly threads: Threads,
    private readonly notifier: Notifier,
    private readonly files: Files,
    private readonly options: MessagesOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Stores a message once per (author, clientId) and resolves after the commit is durable. An
   * archived channel refuses it, but only after a repeated clientId got its stored message back.
   */
  async send(actor: Actor, input: SendInput): Promise<SendAck> {
    this.checkLength(input.text);
    // Queued at once, so sends keep the order they arrived in whatever the database's latency; the
    // membership check runs meanwhile, and the commit waits for it.
    const allowed = this.channels.requireMember(actor, input.channelId);
    allowed.catch(() => {});
    return new Promise<SendAck>((resolve, reject) => {
      this.queue.push({ actor, ...input, allowed, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Resolves once every send accepted so far has been committed (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) this.scheduleFlush();
      await this.flushing;
    }
  }

  async edit(actor: Actor, messageId: string, text: string): Promise<Message> {
    this.checkLength(text);
    return this.change(actor, messageId, 'edited', async (trx, row, seq) => {
      if (row.kind !== 'text') throw new SwitchboardError('forbidden', 'notices cannot be edited');
      const mentions = await this.resolveMentions(trx, row.channel_id, text);
      const now = this.clock();
      await trx
        .updateTable('messages')
        .set({ text, change_seq: seq, edited_at: now })
        .where('id', '=', row.id)
        .execute();
      await trx.deleteFrom('mentions').where('message_id', '=', row.id).execute();
      await this.insertMentions(trx, row.id, row.channel_id, Number(row.seq), mentions);
      const [edited] = await hydrate(trx, [{ ...row, text, change_seq: seq, edited_at: now }]);
      return [{ kind: 'edited', message: edited! }];
    });
  }

  /** Deleting a thread's reply also changes its root's summary (a change of its own). */
  async delete(actor: Actor, messageId: string): Promise<Message> {
    let dropped: string[] = [];
    const message = await this.change(actor, messageId, 'deleted', async (trx, row, seq) => {
      const now = this.clock();
      await trx
        .updateTable('messages')
        .set({ text: '', change_seq: seq, deleted_at: now })
        .where('id', '=', row.id)
        .execute();
      await trx.deleteFrom('mentions').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('reactions').where('message_id', '=', row.id).execute();
      await forgetUnread(trx, row);
      dropped = await this.files.detach(trx, row.id);
      const deleted = toMessage({ ...row, text: '', change_seq: seq, deleted_at: now });
      const root = row.parent_id === null ? null : await this.threads.replyDeleted(trx, row.parent_id);
      return [
        { kind: 'deleted', message: deleted },
        ...(root ? [{ kind: 'thread' as const, message: root }] : []),
      ];
    });
    // The files' bytes go once the delete has committed, unless another upload has the same content.
    await this.files.removeUnreferenced(dropped);
    return message;
  }

  /**
   * Records a notice in a channel's stream, by `actor` (whose action it records): it takes the next seq
   * and reaches members like any message, so catch-up and read state cover it. `text` is the fallback
   * for clients that do not know the notice's type.
   */
  async postNotice(actor: Actor, channelId: string, notice: Notice, text: string): Promise<Message> {
    const row = await this.db.transaction().execute(async (trx) => {
      const { seq, listedOrd } = await nextSeqForMessage(trx, channelId, true);
      const stored: MessagesTable = {
        id: newId(),
        channel_id: channelId,
        seq,
        change_seq: seq,
        author_id: actor.id,
        client_id: `notice-${newId()}`,
        text,
        created_at: this.clock(),
        edited_at: null,
        deleted_at: null,
        parent_id: null,
        also_in_channel: 0,
        reply_count: 0,
        last_reply_at: null,
        replier_ids: '',
        kind: 'notice',
        notice: JSON.stringify(notice),
        listed_ord: listedOrd,
      };
      await insertMessage.execute(trx, stored);
      // As with a message: whoever did it has read the channel up to it.
      await readToHead.execute(trx, { channelId, userId: actor.id, seq, listedOrd });
      return stored;
    });
    const message = toMessage(row);
    this.publish({ kind: 'created', message });
    return message;
  }

  /** A page of history in seq order: after a seq, before a seq, around a seq, or the newest page. */
  async history(actor: Actor, req: HistoryRequest): Promise<HistoryPage> {
    await this.channels.requireReadable(actor, req.channelId);
    if (req.around !== undefined)
      return this.historyAround(req.channelId, req.around, req.limit ?? DEFAULT_PAGE);
    const { rows, hasMore } = await pageBySeq(this.db, 'channel_id', req.channelId, req);
    return { messages: await hydrate(this.db, rows), hasMore };
  }

  /**
   * A thread, found by any of its messages, with a page of its replies in seq order (paged like
   * history). Readable as its channel is: a thread of a private channel is `not_found` to others.
   */
  async thread(actor: Actor, req: ThreadRequest): Promise<ThreadPage> {
    const found = await findMessage(this.db, req.messageId);
    await this.channels.requireReadable(actor, found.channel_id);
    const root =
      found.parent_id === null
        ? found
        : await findMessage(this.db, found.parent_id, 'the thread this message belonged to is gone');
    const { rows, hasMore } = await pageBySeq(this.db, 'parent_id', root.id, req);
    const [rootMessage, ...replies] = await hydrate(this.db, [root, ...rows]);
    return { root: rootMessage!, replies, hasMore };
  }

  /** The page with `seq` in its middle: half before it, the rest from it on. */
  private async historyAround(channelId: string, seq: number, limit: number): Promise<HistoryPage> {
    const olderCount = Math.floor(limit / 2);
    const page = (direction: '<' | '>=', count: number) =>
      this.db
        .selectFrom('messages')
        .selectAll()
        .where('channel_id', '=', channelId)
        .where('seq', direction, seq)
        .orderBy('seq', direction === '<' ? 'desc' : 'asc')
        .limit(count + 1)
        .execute();
    const older = await page('<', olderCount);
    const newer = await page('>=', limit - olderCount);
    const rows = [...older.slice(0, olderCount).reverse(), ...newer.slice(0, limit - olderCount)];
    return {
      messages: await hydrate(this.db, rows),
      hasMore: older.length > olderCount,
      hasNewer: newer.length > limit - olderCount,
    };
  }

  /**
   * What a reconnecting client missed, per stream it has a cursor for. A cursor older than
   * retention, ahead of the stream, or from another epoch gets an explicit reset — never a silent
   * partial catch-up.
   */
  async catchUp(actor: Actor, req: SyncRequest, epoch: string): Promise<StreamCatchUp[]> {
    const limit = req.limit ?? DEFAULT_CATCH_UP_PAGE;
    // A cursor past 0 without an epoch cannot be trusted to belong to this history: reset it. Cursor 0
    // claims nothing (the client holds no messages), so it needs no epoch.
    const trusted = (cursor: number) => req.epoch === epoch || (req.epoch === null && cursor === 0);
    // One query for the user's memberships; cursors for anything else are ignored (the channel list
    // tells the client what it is in), so a request full of made-up ids costs nothing more.
    const memberships = await this.db
      .selectFrom('channels')
      .innerJoin('channel_members', 'channel_members.channel_id', 'channels.id')
      .selectAll('channels')
      .where('channel_members.user_id', '=', actor.id)
      .execute();
    let budget = MAX_CATCH_UP_MESSAGES;
    const result: StreamCatchUp[] = [];
    for (const channel of memberships) {
      const cursor = req.cursors[channel.id];
      if (cursor === undefined) continue;
      const channelId = channel.id;
      const headSeq = Number(channel.head_seq);
      if (!trusted(cursor) || cursor < Number(channel.pruned_seq) || cursor > headSeq) {
        result.push({
          channelId,
          status: 'reset',
          messages: [],
          channel: null,
          cursor: headSeq,
          headSeq,
          hasMore: false,
        });
        continue;
      }
      if (budget === 0) {
        // This answer is full: the stream is not caught up yet, ask again from the same cursor.
        result.push({
          channelId,
          status: 'ok',
          messages: [],
          channel: null,
          cursor,
          headSeq,
          hasMore: cursor < headSeq,
        });
        continue;
      }
      const pageSize = Math.min(limit, budget);
      const rows = await this.db
        .selectFrom('messages')
        .selectAll()
        .where('channel_id', '=', channelId)
        .where('change_seq', '>', cursor)
        .orderBy('change_seq', 'asc')
        .limit(pageSize + 1)
        .execute();
      const hasMore = rows.length > pageSize;
      const page = rows.slice(0, pageSize);
      budget -= page.length;
      // A page that ends early still covers every seq up to its last row; a complete one covers the head.
      const covered = hasMore ? Number(page[page.length - 1]!.change_seq) : headSeq;
      // The channel's details come along when they changed within what this page covers.
      const detailsSeq = Number(channel.change_seq);
      result.push({
        channelId,
        status: 'ok',
        messages: await hydrate(this.db, page),
        channel: detailsSeq > cursor && detailsSeq <= covered ? toChannel(channel) : null,
        cursor: covered,
        headSeq,
        hasMore,
      });
    }
    return result;
  }

  /** Removes messages created before `cutoff` and records, per stream, how far history now reaches. */
  async pruneOlderThan(cutoff: number): Promise<number> {
    let dropped: string[] = [];
    const removed = await this.db.transaction().execute(async (trx) => {
      // Their file rows go with the messages (a cascade); the bytes after the commit.
      dropped = await this.files.ofMessagesBefore(trx, cutoff);
      const pruned = await trx
        .selectFrom('messages')
        .select((eb) => [
          'channel_id',
          eb.fn.max('change_seq').as('max_seq'),
          eb.fn.max('seq').as('last_seq'),
          eb.fn.max('listed_ord').as('last_ord'),
          // Deleted messages in the channel's list (threads.ts counts the other replies).
          eb.fn
            .sum<number>(
              eb
                .case()
                .when(
                  eb.and([
                    eb('deleted_at', 'is not', null),
                    eb.or([eb('parent_id', 'is', null), eb('also_in_channel', '=', 1)]),
                  ]),
                )
                .then(1)
                .else(0)
                .end(),
            )
            .as('deleted'),
        ])
        .where('created_at', '<', cutoff)
        .groupBy('channel_id')
        // In the order group commits lock channels in, so the two never deadlock.
        .orderBy('channel_id')
        .execute();
      for (const { channel_id, max_seq, last_seq, last_ord, deleted } of pruned) {
        await trx
          .updateTable('channels')
          .set({ pruned_seq: Number(max_seq) })
          .where('id', '=', channel_id)
          .where('pruned_seq', '<', Number(max_seq))
          .execute();
        await forgetPruned(trx, channel_id, cutoff, {
          lastSeq: Number(last_seq),
          lastOrd: Number(last_ord),
          deleted: Number(deleted),
        });
      }
      const deleted = await trx.deleteFrom('messages').where('created_at', '<', cutoff).executeTakeFirst();
      return Number(deleted.numDeletedRows);
    });
    await this.files.removeUnreferenced(dropped);
    return removed;
  }

  /** The server's one check of message text, by the protocol's rule (clients check by the same). */
  private checkLength(text: string): void {
    const tooLarge = messageTextTooLarge(text, this.options.limits);
    if (tooLarge) throw new SwitchboardError('payload_too_large', tooLarge);
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.scheduleFlush();
      });
  }

  private async flush(): Promise<void> {
    // Every node takes the channels' counter rows in the same order (a stable sort keeps each
    // channel's sends in the order they came), so two groups on PostgreSQL never wait on each
    // other in a cycle.
    const queued = this.queue.sort(byChannel);
    this.queue = [];
    const checks = await Promise.allSettled(queued.map((pending) => pending.allowed));
    const batch = queued.filter((pending, i) => {
      const check = checks[i]!;
      if (check.status === 'rejected') pending.reject(check.reason);
      return check.status === 'fulfilled';
    });
    if (batch.length === 0) return;
    const started = performance.now();
    const outcomes: SendOutcome[] = [];
    // First the whole group as one: a savepoint per send costs two statements each (two round trips
    // on PostgreSQL). If a send fails, nothing of the group is kept, and it runs again with each send
    // under its own savepoint, so that the failure is that send's alone.
    let isolated = false;
    let conflicts = 0;
    for (;;) {
      try {
        await this.db.transaction().execute(async (trx) => {
          outcomes.length = 0;
          for (const pending of batch)
            outcomes.push(
              await (isolated ? this.commitIsolated(trx, pending) : this.commitOne(trx, pending)),
            );
        });
        break;
      } catch (err) {
        // PostgreSQL broke a deadlock with someone else's transaction by aborting this one: nothing
        // of it was stored, so it runs again.
        if (isTransientConflict(err) && ++conflicts < MAX_COMMIT_ATTEMPTS) continue;
        if (!isolated && !isDatabaseUnavailable(err)) {
          isolated = true;
          continue;
        }
        for (const pending of batch) pending.reject(err);
        return;
      }
    }
    this.options.onCommit?.(batch.length, performance.now() - started);
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) return pending.reject(outcome.error);
      for (const change of outcome.changes) this.publish(change);
      pending.resolve(outcome.ack);
    });
  }

  /** One send inside the group's transaction, under a savepoint: its failure is its own, not the group's. */
  private async commitIsolated(trx: Transaction<Database>, p: PendingSend): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      await trx.executeQuery(SAVEPOINT);
      try {
        const outcome = await this.commitOne(trx, p);
        await trx.executeQuery(RELEASE);
        return outcome;
      } catch (error) {
        await trx.executeQuery(ROLLBACK_TO_SAVEPOINT);
        await trx.executeQuery(RELEASE);
        // Another node stored the same (author, clientId) since this one looked: the retry of a
        // send that reached two nodes. Looking again finds it, and answers it as a repeat.
        if (isUniqueViolation(error) && attempt === 1) continue;
        return { ok: false, error };
      }
    }
  }

  /** One send: the message, and for a reply its root's new summary, which takes the next seq. */
  private async commitOne(trx: Transaction<Database>, p: PendingSend): Promise<SendOutcome> {
    const existing = await messageByClientId.first(trx, { authorId: p.actor.id, clientId: p.clientId });
    if (existing) {
      if (existing.channel_id !== p.channelId) {
        return {
          ok: false,
          error: new SwitchboardError('conflict', 'this clientId was already used in another channel'),
        };
      }
      const [message] = await hydrate(trx, [existing]);
      return {
        ok: true,
        ack: {
          id: existing.id,
          seq: Number(existing.seq),
          ts: Number(existing.created_at),
          duplicate: true,
          message: message!,
        },
        changes: [],
      };
    }
    // A reply only in its thread is not in the channel's list (threads.ts counts it).
    const inChannel = p.parentId === undefined || p.alsoInChannel === true;
    const { seq, listedOrd } = await nextSeqForMessage(trx, p.channelId, inChannel);
    const root = p.parentId === undefined ? null : await this.threads.rootFor(trx, p.channelId, p.parentId);
    const now = this.clock();
    const row: MessagesTable = {
      id: newId(),
      channel_id: p.channelId,
      seq,
      change_seq: seq,
      author_id: p.actor.id,
      client_id: p.clientId,
      text: p.text,
      created_at: now,
      edited_at: null,
      deleted_at: null,
      kind: 'text',
      notice: null,
      parent_id: root?.id ?? null,
      also_in_channel: root !== null && inChannel ? 1 : 0,
      reply_count: 0,
      last_reply_at: null,
      replier_ids: '',
      listed_ord: listedOrd,
    };
    await insertMessage.execute(trx, row);
    const files = await this.files.attach(trx, p.actor, p.channelId, row.id, p.fileIds ?? []);
    const mentions = await this.resolveMentions(trx, p.channelId, p.text);
    await this.insertMentions(trx, row.id, p.channelId, seq, mentions);
    // Writing in a channel means you have read it (the cursor is at the head: nothing lies after it);
    // a reply only in its thread reads the thread.
    if (inChannel)
      await readToHead.execute(trx, { channelId: p.channelId, userId: p.actor.id, seq, listedOrd });
    const message = toMessage({ ...row, mentions, files });
    const changes: MessageChange[] = [{ kind: 'created', message }];
    if (root) changes.push({ kind: 'thread', message: await this.threads.replied(trx, root, row, mentions) });
    return { ok: true, ack: { id: row.id, seq, ts: now, duplicate: false, message }, changes };
  }

  /** An edit or delete: the actor's own message (an admin may delete any), not already deleted. */
  private async change(
    actor: Actor,
    messageId: string,
    kind: 'edited' | 'deleted',
    apply: (trx: Transaction<Database>, row: MessagesTable, seq: number) => Promise<MessageChange[]>,
  ): Promise<Message> {
    const row = await findMessage(this.db, messageId);
    await this.channels.requireReadable(actor, row.channel_id);
    const mayChange = row.author_id === actor.id || (kind === 'deleted' && actor.isAdmin);
    if (!mayChange)
      throw new SwitchboardError(
        'forbidden',
        `you can only ${kind === 'edited' ? 'edit' : 'delete'} your own messages`,
      );

    const changes = await this.db.transaction().execute(async (trx) => {
      // Taking the seq first serialises changes per channel; the row is then re-read so a delete
      // that committed since the read above wins instead of an edit writing over its tombstone.
      const seq = await nextSeq(trx, row.channel_id);
      const current = await trx
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', messageId)
        .executeTakeFirst();
      if (!current) throw new SwitchboardError('not_found', 'no such message');
      if (current.deleted_at !== null) throw new SwitchboardError('conflict', 'the message was deleted');
      return apply(trx, current, seq);
    });
    for (const change of changes) this.publish(change);
    return changes[0]!.message;
  }

  /** Tells the channel's live connections about a committed change. */
  publish({ kind, message }: MessageChange): void {
    this.options.onStored?.(kind);
    this.notifier.toChannel(message.channelId, 'stream.event', {
      channelId: message.channelId,
      seq: message.changeSeq,
      kind,
      message,
    });
  }

  /** Mentioned usernames that belong to members of the channel, as user ids. */
  private async resolveMentions(db: Db, channelId: string, text: string): Promise<string[]> {
    // Bounded so one message cannot turn into an unbounded IN (...) list.
    const names = mentionedUsernames(text).slice(0, MAX_MENTIONS);
    if (names.length === 0) return [];
    const rows = await db
      .selectFrom('users')
      .innerJoin('channel_members', 'channel_members.user_id', 'users.id')
      .select('users.id')
      .where('channel_members.channel_id', '=', channelId)
      .where('users.username', 'in', names)
      .execute();
    return rows.map((r) => r.id);
  }

  private async insertMentions(
    db: Db,
    messageId: string,
    channelId: string,
    seq: number,
    userIds: string[],
  ): Promise<void> {
    if (userIds.length === 0) return;
    await db
      .insertInto('mentions')
      .values(userIds.map((user_id) => ({ message_id: messageId, channel_id: channelId, user_id, seq })))
      .execute();
  }
}

/**
 * A page of the messages whose `column` is `value` (a channel's, or a thread's replies), in seq order:
 * after a seq, before a seq, or the newest page; `hasMore` says whether more lie beyond it.
 */
async function pageBySeq(
  db: Db,
  column: 'channel_id' | 'parent_id',
  value: string,
  req: { after?: number; before?: number; limit?: number },
): Promise<{ rows: MessagesTable[]; hasMore: boolean }> {
  const limit = req.limit ?? DEFAULT_PAGE;
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where(column, '=', value)
    .limit(limit + 1);
  if (req.after !== undefined) query = query.where('seq', '>', req.after).orderBy('seq', 'asc');
  else if (req.before !== undefined) query = query.where('seq', '<', req.before).orderBy('seq', 'desc');
  else query = query.orderBy('seq', 'desc');
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  if (req.after === undefined) page.reverse();
  return { rows: page, hasMore: rows.length > limit };
}

// The statements every send runs, compiled once (store/prepared.ts).
const SAVEPOINT = fixedStatement('savepoint send');
const RELEASE = fixedStatement('release savepoint send');
const ROLLBACK_TO_SAVEPOINT = fixedStatement('rollback to savepoint send');

const messageByClientId = prepared((db, v: { authorId: string; clientId: string }) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('author_id', '=', v.authorId)
    .where('client_id', '=', v.clientId),
);

const insertMessage = prepared((db, row: MessagesTable) =>
  db.insertInto('messages').values({
    id: row.id,
    channel_id: row.channel_id,
    seq: row.seq,
    change_seq: row.change_seq,
    author_id: row.author_id,
    client_id: row.client_id,
    text: row.text,
    created_at: row.created_at,
    edited_at: row.edited_at,
    deleted_at: row.deleted_at,
    parent_id: row.parent_id,
    also_in_channel: row.also_in_channel,
    reply_count: row.reply_count,
    last_reply_at: row.last_reply_at,
    replier_ids: row.replier_ids,
    kind: row.kind,
    notice: row.notice,
    listed_ord: row.listed_ord,
  }),
);

const readToHead = prepared((db, v: { channelId: string; userId: string; seq: number; listedOrd: number }) =>
  db
    .updateTable('channel_members')
    .set({ read_seq: v.seq, read_ord: v.listedOrd, hidden_after: 0 })
    .where('channel_id', '=', v.channelId)
    .where('user_id', '=', v.userId),
);

/**
 * A deleted message no longer counts as unread: for the members whose cursor is before it (its
 * author never counted it), and for members who join later.
 */
async function forgetUnread(trx: Transaction<Database>, row: MessagesTable): Promise<void> {
  if (!isListed(row)) return;
  await trx
    .updateTable('channel_members')
    .set((eb) => ({ hidden_after: eb('hidden_after', '+', 1) }))
    .where('channel_id', '=', row.channel_id)
    .where('read_seq', '<', Number(row.seq))
    .where('user_id', '<>', row.author_id)
    .execute();
  await trx
    .updateTable('channels')
    .set((eb) => ({ deleted_count: eb('deleted_count', '+', 1) }))
    .where('id', '=', row.channel_id)
    .execute();
}

/**
 * Messages retention is about to remove stop counting as unread: members whose cursor is before the
 * last of them start counting after it, less what was hidden from them among the removed (deleted,
 * or their own); members who join later start there too.
 */
async function forgetPruned(
  trx: Transaction<Database>,
  channelId: string,
  cutoff: number,
  removed: { lastSeq: number; lastOrd: number; deleted: number },
): Promise<void> {
  await trx
    .updateTable('channel_members')
    .set((eb) => ({
      hidden_after: eb(
        'hidden_after',
        '-',
        eb
          .selectFrom('messages')
          .select((m) => m.fn.countAll<number>().as('n'))
          .where('messages.channel_id', '=', channelId)
          .where('messages.created_at', '<', cutoff)
          .where('messages.seq', '>', eb.ref('channel_members.read_seq'))
          .where((m) => m.or([m('messages.parent_id', 'is', null), m('messages.also_in_channel', '=', 1)]))
          .where((m) =>
            m.or([
              m('messages.deleted_at', 'is not', null),
              m('messages.author_id', '=', eb.ref('channel_members.user_id')),
            ]),
          ),
      ),
      read_ord: removed.lastOrd,
    }))
    .where('channel_id', '=', channelId)
    .where('read_seq', '<', removed.lastSeq)
    .execute();
  await trx
    .updateTable('channels')
    .set((eb) => ({ deleted_count: eb('deleted_count', '-', removed.deleted) }))
    .where('id', '=', channelId)
    .execute();
  await trx
    .updateTable('channels')
    .set({ pruned_ord: removed.lastOrd })
    .where('id', '=', channelId)
    .where('pruned_ord', '<', removed.lastOrd)
    .execute();
}

/** Group commits aborted by PostgreSQL to break a deadlock are tried this often in all. */
const MAX_COMMIT_ATTEMPTS = 3;

const byChannel = (a: PendingSend, b: PendingSend) =>
  a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0;
