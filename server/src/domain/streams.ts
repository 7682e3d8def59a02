// The seq of a stream (ARCHITECTURE.md §3): every change to a channel — a message created, edited,
// deleted, reacted to or replied to, or the channel's own details — takes the next seq inside the
// transaction that stores it, so seqs are contiguous and a client can spot a gap from seq alone.
import { SwitchboardError } from '@switchboard/protocol';
import type { Kysely, Transaction } from 'kysely';
import { prepared } from '../store/prepared.ts';
import type { Database, MessagesTable } from '../store/schema.ts';

export const ARCHIVED = 'this channel is archived: it is read-only';

/**
 * Takes the channel's next seq. Taking it also serialises the channel's changes: the update locks
 * the channel's row until the transaction ends, so writers on every node take seqs of one stream one
 * after another, gap-free and in commit order. A message change
 * (`messages`) in an archived channel is refused, and the transaction rolls the seq back.
 */
export async function nextSeq(
  trx: Transaction<Database>,
  channelId: string,
  what: 'messages' | 'details' = 'messages',
): Promise<number> {
  const row = await trx
    .updateTable('channels')
    .set((eb) => ({ head_seq: eb('head_seq', '+', 1) }))
    .where('id', '=', channelId)
    .returning(['head_seq', 'archived_at'])
    .executeTakeFirst();
  if (!row) throw new SwitchboardError('not_found', 'no such channel');
  if (what === 'messages' && row.archived_at !== null) throw new SwitchboardError('forbidden', ARCHIVED);
  return Number(row.head_seq);
}

/**
 * `nextSeq` for a new message, which also takes the next place in the channel's list when it shows
 * there (`listed`): the list place is what unread counts are read from (schema.ts).
 */
export async function nextSeqForMessage(
  trx: Transaction<Database>,
  channelId: string,
  listed: boolean,
): Promise<{ seq: number; listedOrd: number }> {
  const row = await bumpForMessage.first(trx, { channelId, listed: listed ? 1 : 0 });
  if (!row) throw new SwitchboardError('not_found', 'no such channel');
  if (row.archived_at !== null) throw new SwitchboardError('forbidden', ARCHIVED);
  return { seq: Number(row.head_seq), listedOrd: Number(row.listed_count) };
}

const bumpForMessage = prepared((db, v: { channelId: string; listed: number }) =>
  db
    .updateTable('channels')
    .set((eb) => ({ head_seq: eb('head_seq', '+', 1), listed_count: eb('listed_count', '+', v.listed) }))
    .where('id', '=', v.channelId)
    .returning(['head_seq', 'listed_count', 'archived_at']),
);

/** Whether a message shows in its channel's list: all but thread replies not also sent to the channel. */
export const isListed = (row: Pick<MessagesTable, 'parent_id' | 'also_in_channel'>): boolean =>
  row.parent_id === null || Number(row.also_in_channel) === 1;

/**
 * Thrown inside a stream change that turns out to change nothing (a reaction already there, a
 * rename to the same name): the transaction rolls back, the seq it took goes unused, and the caller
 * answers with `current`.
 */
export class NoChange<T> extends Error {
  constructor(readonly current: T) {
    super('nothing to change');
  }
}

/**
 * One change in a channel's stream: `work` runs in a transaction after the channel's next seq was
 * taken (which serialises the channel's changes, so what `work` reads is current). Resolves with
 * what `work` returned, or with the NoChange it threw.
 */
export async function streamChange<T, U>(
  db: Kysely<Database>,
  channelId: string,
  what: 'messages' | 'details',
  work: (trx: Transaction<Database>, seq: number) => Promise<T>,
): Promise<T | NoChange<U>> {
  try {
    return await db.transaction().execute(async (trx) => work(trx, await nextSeq(trx, channelId, what)));
  } catch (err) {
    if (err instanceof NoChange) return err as NoChange<U>;
    throw err;
  }
}
