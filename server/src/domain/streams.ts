// The seq of a stream (ARCHITECTURE.md §3): every change to a channel — a message created, edited,
// deleted, reacted to or replied to, or the channel's own details — takes the next seq inside the
// transaction that stores it, so seqs are contiguous and a client can spot a gap from seq alone.
import { SwitchboardError } from '@switchboard/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

export const ARCHIVED = 'this channel is archived: it is read-only';

/**
 * Takes the channel's next seq. Taking it also serialises the channel's changes. A message change
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
