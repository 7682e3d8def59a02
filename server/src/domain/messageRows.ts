// Stored message rows as the protocol's Message: one place that reads a message's mentions, files
// and reactions beside its row, for every answer that carries messages (history, catch-up, threads,
// search, acks).
import {
  MAX_REACTION_USER_IDS,
  SwitchboardError,
  type FileInfo,
  type Message,
  type Notice,
  type Reaction,
} from '@switchboard/protocol';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MessagesTable } from '../store/schema.ts';
import { filesOf } from './files.ts';

export type Db = Kysely<Database> | Transaction<Database>;

/** A row with what is read beside it; left out, the message has none. */
export type MessageRow = MessagesTable & { mentions?: string[]; files?: FileInfo[]; reactions?: Reaction[] };

/** The stored row of a message, or `not_found` (with `missing` as the message) when there is none. */
export async function findMessage(db: Db, id: string, missing = 'no such message'): Promise<MessagesTable> {
  const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new SwitchboardError('not_found', missing);
  return row;
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    channelId: row.channel_id,
    seq: Number(row.seq),
    changeSeq: Number(row.change_seq),
    authorId: row.author_id,
    clientId: row.client_id,
    text: row.text,
    mentions: row.mentions ?? [],
    ts: Number(row.created_at),
    editedAt: row.edited_at === null ? null : Number(row.edited_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    files: row.files ?? [],
    parentId: row.parent_id,
    alsoInChannel: row.also_in_channel === 1,
    replyCount: Number(row.reply_count),
    lastReplyAt: row.last_reply_at === null ? null : Number(row.last_reply_at),
    replierIds: row.replier_ids === '' ? [] : row.replier_ids.split(' '),
    reactions: row.reactions ?? [],
    kind: row.kind,
    notice: row.notice === null ? null : (JSON.parse(row.notice) as Notice),
  };
}

/** The messages of `rows`, each with its mentions, files and reactions, in the order given. */
export async function hydrate(db: Db, rows: readonly MessagesTable[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const mentionRows = await db
    .selectFrom('mentions')
    .select(['message_id', 'user_id'])
    .where('message_id', 'in', ids)
    .execute();
  const mentions = new Map<string, string[]>();
  for (const m of mentionRows) mentions.set(m.message_id, [...(mentions.get(m.message_id) ?? []), m.user_id]);
  const files = await filesOf(db, ids);
  const reactions = await reactionsOf(db, ids);
  return rows.map((row) =>
    toMessage({
      ...row,
      mentions: mentions.get(row.id) ?? [],
      files: files.get(row.id) ?? [],
      reactions: reactions.get(row.id) ?? [],
    }),
  );
}

/** Each message's reactions, every emoji in the order it was first used, with who used it first. */
async function reactionsOf(db: Db, messageIds: string[]): Promise<Map<string, Reaction[]>> {
  const rows = await db
    .selectFrom('reactions')
    .select(['message_id', 'emoji', 'user_id'])
    .where('message_id', 'in', messageIds)
    .orderBy('created_at')
    // Reactions within one millisecond: in the order they were stored (each took the channel's seq).
    .orderBy(sql`rowid`)
    .execute();
  const byMessage = new Map<string, Map<string, Reaction>>();
  for (const { message_id, emoji, user_id } of rows) {
    let byEmoji = byMessage.get(message_id);
    if (!byEmoji) byMessage.set(message_id, (byEmoji = new Map()));
    let reaction = byEmoji.get(emoji);
    if (!reaction) byEmoji.set(emoji, (reaction = { emoji, count: 0, userIds: [] }));
    reaction.count += 1;
    if (reaction.userIds.length < MAX_REACTION_USER_IDS) reaction.userIds.push(user_id);
  }
  return new Map([...byMessage].map(([id, byEmoji]) => [id, [...byEmoji.values()]]));
}
