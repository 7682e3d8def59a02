// Reactions: one person's emoji on one message, each add or remove a stream change of the message
// (ARCHITECTURE.md §3). Idempotent, so a retried request is harmless: adding a reaction that is
// there, or removing one that is not, changes nothing and takes no seq. Only emoji of the set the
// UI renders (protocol/src/emoji.ts) are accepted, stored in the set's one spelling.
import { canonicalEmoji } from '@switchboard/protocol/emoji';
import { MAX_REACTION_EMOJI, SwitchboardError, type Message, type User } from '@switchboard/protocol';
import type { Store } from '../store/database.ts';
import type { MessagesTable } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Channels } from './channels.ts';
import { findMessage, hydrate } from './messageRows.ts';
import type { Messages } from './messages.ts';
import { NoChange, streamChange } from './streams.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;

export class Reactions {
  private readonly clock: Clock;

  constructor(
    private readonly db: Store,
    private readonly channels: Channels,
    private readonly messages: Messages,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  /** Adds (`on`) or removes the actor's reaction `emoji` on a message; answers with the message. */
  async set(actor: Actor, messageId: string, emoji: string, on: boolean): Promise<Message> {
    const stored = canonicalEmoji(emoji);
    if (stored === null)
      throw new SwitchboardError(
        'validation_failed',
        `emoji: "${emoji.slice(0, 64)}" is not an emoji this server knows`,
      );
    const row = await findMessage(this.db, messageId);
    // Reacting writes to the channel's stream: members only, and not once it is archived.
    await this.channels.requireWritable(actor, row.channel_id);

    const changed = await streamChange<Message, MessagesTable>(
      this.db,
      row.channel_id,
      'messages',
      async (trx, seq) => {
        // Read again after taking the seq: a delete or the same reaction may have committed since.
        const current = await findMessage(trx, messageId);
        if (current.deleted_at !== null) throw new SwitchboardError('conflict', 'the message was deleted');
        const mine = await trx
          .selectFrom('reactions')
          .select('user_id')
          .where('message_id', '=', messageId)
          .where('emoji', '=', stored)
          .where('user_id', '=', actor.id)
          .executeTakeFirst();
        if ((mine !== undefined) === on) throw new NoChange(current);
        if (on) {
          const used = await trx
            .selectFrom('reactions')
            .select('emoji')
            .distinct()
            .where('message_id', '=', messageId)
            .execute();
          if (used.length >= MAX_REACTION_EMOJI && !used.some((r) => r.emoji === stored))
            throw new SwitchboardError(
              'conflict',
              `a message takes at most ${MAX_REACTION_EMOJI} different emoji: react with one already there`,
            );
          await trx
            .insertInto('reactions')
            .values({ message_id: messageId, emoji: stored, user_id: actor.id, created_at: this.clock() })
            .execute();
        } else {
          await trx
            .deleteFrom('reactions')
            .where('message_id', '=', messageId)
            .where('emoji', '=', stored)
            .where('user_id', '=', actor.id)
            .execute();
        }
        await trx.updateTable('messages').set({ change_seq: seq }).where('id', '=', messageId).execute();
        const [message] = await hydrate(trx, [{ ...current, change_seq: seq }]);
        return message!;
      },
    );
    if (changed instanceof NoChange) {
      const [message] = await hydrate(this.db, [changed.current]);
      return message!;
    }
    this.messages.publish({ kind: 'reactions', message: changed });
    return changed;
  }
}
