// The counters unread counts are read from (schema.ts, ChannelMembersTable): added by a migration,
// and set from the history that is there. The domain keeps them up to date from then on.
import { sql, type Kysely } from 'kysely';

export async function addUnreadCounters(db: Kysely<unknown>): Promise<void> {
  for (const column of ['listed_count', 'deleted_count', 'pruned_ord'])
    await db.schema
      .alterTable('channels')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  for (const column of ['read_ord', 'hidden_after'])
    await db.schema
      .alterTable('channel_members')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  await db.schema
    .alterTable('messages')
    .addColumn('listed_ord', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await countUnreadFromHistory(db);
}

/**
 * Sets every counter from the stored history: messages are numbered from 1 in each channel (what
 * retention removed earlier is not counted anywhere), and each member's cursor is placed among them.
 * Reads all history once: for the migration (and tests that check the counters kept since).
 */
/** In the channel's list: all but thread replies not also sent to the channel (domain/streams.ts). */
const listed = sql`(messages.parent_id is null or messages.also_in_channel = 1)`;

export async function countUnreadFromHistory<DB>(db: Kysely<DB>): Promise<void> {
  // A message not in the list (a reply only in its thread) gets the place of the listed one before it.
  await sql`update messages set listed_ord = numbered.ord
    from (select id, sum(case when ${listed} then 1 else 0 end)
      over (partition by channel_id order by seq rows unbounded preceding) as ord from messages) as numbered
    where messages.id = numbered.id`.execute(db);
  await sql`update channels set
    listed_count = (select count(*) from messages where messages.channel_id = channels.id and ${listed}),
    deleted_count = (select count(*) from messages
      where messages.channel_id = channels.id and messages.deleted_at is not null and ${listed}),
    pruned_ord = 0`.execute(db);
  await sql`update channel_members set
    read_ord = coalesce((select listed_ord from messages
      where messages.channel_id = channel_members.channel_id and messages.seq <= channel_members.read_seq
      order by messages.seq desc limit 1), 0),
    hidden_after = (select count(*) from messages
      where messages.channel_id = channel_members.channel_id and messages.seq > channel_members.read_seq
      and ${listed}
      and (messages.deleted_at is not null or messages.author_id = channel_members.user_id))`.execute(db);
}
