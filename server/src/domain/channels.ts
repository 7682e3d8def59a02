// Public and private channels, direct conversations, membership and read state.
import {
  newId,
  SwitchboardError,
  type Channel,
  type ChannelSummary,
  type CreateChannelRequest,
  type ReadState,
  type User,
} from '@switchboard/protocol';
import type { Store } from '../store/database.ts';
import type { ChannelsTable } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import { isUniqueViolation } from './accounts.ts';
import type { Notifier } from './notifier.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;

function toChannel(row: ChannelsTable): Channel {
  const channel: Channel = {
    id: row.id,
    name: row.name,
    kind: row.kind,
    topic: row.topic,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    headSeq: Number(row.head_seq),
  };
  if (row.direct_key) channel.memberIds = row.direct_key.split(':');
  return channel;
}

export class Channels {
  private readonly clock: Clock;

  constructor(
    private readonly db: Store,
    private readonly notifier: Notifier,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  async create(actor: Actor, input: CreateChannelRequest): Promise<ChannelSummary> {
    const now = this.clock();
    const row: ChannelsTable = {
      id: newId(),
      name: input.name,
      kind: input.visibility,
      topic: input.topic ?? '',
      created_by: actor.id,
      created_at: now,
      head_seq: 0,
      pruned_seq: 0,
      direct_key: null,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('channels').values(row).execute();
        await trx
          .insertInto('channel_members')
          .values({ channel_id: row.id, user_id: actor.id, joined_at: now, read_seq: 0 })
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new SwitchboardError('conflict', `a channel named "${input.name}" already exists`);
      throw err;
    }
    return this.announceMembership(actor.id, row.id);
  }

  async get(channelId: string): Promise<ChannelsTable> {
    const row = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', channelId)
      .executeTakeFirst();
    if (!row) throw new SwitchboardError('not_found', 'no such channel');
    return row;
  }

  async isMember(userId: string, channelId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Public channels are readable by every signed-in user; private and direct ones by members only. */
  async requireReadable(actor: Actor, channelId: string): Promise<ChannelsTable> {
    const channel = await this.get(channelId);
    if (channel.kind !== 'public' && !(await this.isMember(actor.id, channelId))) {
      // Same answer as a missing channel: do not reveal that a private channel exists.
      throw new SwitchboardError('not_found', 'no such channel');
    }
    return channel;
  }

  async requireMember(actor: Actor, channelId: string): Promise<ChannelsTable> {
    const channel = await this.requireReadable(actor, channelId);
    if (!(await this.isMember(actor.id, channelId))) {
      throw new SwitchboardError('forbidden', 'join the channel first');
    }
    return channel;
  }

  /** Channels a user may see: every public channel plus the private and direct ones they are in. */
  async listVisible(actor: Actor): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('kind', '=', 'public'),
          eb(
            'id',
            'in',
            eb.selectFrom('channel_members').select('channel_id').where('user_id', '=', actor.id),
          ),
        ]),
      )
      .orderBy('name')
      .execute();
    return rows.map(toChannel);
  }

  /** The ids of the members of a channel the actor can read. */
  async members(actor: Actor, channelId: string): Promise<string[]> {
    await this.requireReadable(actor, channelId);
    const rows = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .orderBy('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Every channel a user is in, with their unread and mention counts. */
  async summariesFor(userId: string): Promise<ChannelSummary[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
      .selectAll('channels')
      .select('channel_members.read_seq')
      .where('channel_members.user_id', '=', userId)
      .orderBy('channels.name')
      .execute();
    return Promise.all(rows.map((row) => this.summarize(userId, row, Number(row.read_seq))));
  }

  async summaryFor(userId: string, channelId: string): Promise<ChannelSummary> {
    const channel = await this.get(channelId);
    return this.summarize(userId, channel, await this.readSeqOf(userId, channelId));
  }

  async join(actor: Actor, channelId: string): Promise<ChannelSummary> {
    const channel = await this.requireReadable(actor, channelId);
    if (channel.kind !== 'public')
      throw new SwitchboardError('forbidden', 'private channels are joined by invitation');
    await this.addMember(channelId, actor.id);
    return this.announceMembership(actor.id, channelId);
  }

  /** A member adds someone to a channel (the way into a private one). */
  async invite(actor: Actor, channelId: string, userId: string): Promise<void> {
    const channel = await this.requireMember(actor, channelId);
    if (channel.kind === 'direct')
      throw new SwitchboardError('forbidden', 'direct conversations have exactly two members');
    const target = await this.db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .where('deactivated_at', 'is', null)
      .executeTakeFirst();
    if (!target) throw new SwitchboardError('not_found', 'no such user');
    await this.addMember(channelId, userId);
    await this.announceMembership(userId, channelId);
  }

  async leave(actor: Actor, channelId: string): Promise<void> {
    const channel = await this.requireMember(actor, channelId);
    if (channel.kind === 'direct')
      throw new SwitchboardError('forbidden', 'you cannot leave a direct conversation');
    await this.db
      .deleteFrom('channel_members')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', actor.id)
      .execute();
    this.notifier.unsubscribe(actor.id, channelId);
    this.notifier.toUser(actor.id, 'channel.left', { channelId });
  }

  /** The one direct conversation between two users, created on first use. */
  async openDirect(actor: Actor, otherUserId: string): Promise<ChannelSummary> {
    if (otherUserId === actor.id)
      throw new SwitchboardError('bad_request', 'a direct conversation needs another user');
    const other = await this.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', '=', otherUserId)
      .executeTakeFirst();
    if (!other) throw new SwitchboardError('not_found', 'no such user');
    const directKey = [actor.id, other.id].sort().join(':');
    const existing = await this.db
      .selectFrom('channels')
      .select('id')
      .where('direct_key', '=', directKey)
      .executeTakeFirst();
    if (existing) return this.summaryFor(actor.id, existing.id);

    const now = this.clock();
    const id = newId();
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('channels')
          .values({
            id,
            name: `dm-${id}`,
            kind: 'direct',
            topic: '',
            created_by: actor.id,
            created_at: now,
            head_seq: 0,
            pruned_seq: 0,
            direct_key: directKey,
          })
          .execute();
        await trx
          .insertInto('channel_members')
          .values(
            [actor.id, other.id].map((user_id) => ({ channel_id: id, user_id, joined_at: now, read_seq: 0 })),
          )
          .execute();
      });
    } catch (err) {
      // Both sides opened it at once: the other insert won, use that one.
      if (isUniqueViolation(err)) return this.openDirect(actor, otherUserId);
      throw err;
    }
    await this.announceMembership(other.id, id);
    return this.announceMembership(actor.id, id);
  }

  /** Moves a member's read cursor forward (never back) and tells all their devices. */
  async markRead(actor: Actor, channelId: string, seq: number): Promise<ReadState> {
    const channel = await this.requireMember(actor, channelId);
    const target = Math.min(seq, Number(channel.head_seq));
    await this.db
      .updateTable('channel_members')
      .set({ read_seq: target })
      .where('channel_id', '=', channelId)
      .where('user_id', '=', actor.id)
      .where('read_seq', '<', target)
      .execute();
    const state = await this.readState(actor.id, channelId, await this.readSeqOf(actor.id, channelId));
    this.notifier.toUser(actor.id, 'read.state', state);
    return state;
  }

  private async readSeqOf(userId: string, channelId: string): Promise<number> {
    const row = await this.db
      .selectFrom('channel_members')
      .select('read_seq')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? Number(row.read_seq) : 0;
  }

  private async readState(userId: string, channelId: string, readSeq: number): Promise<ReadState> {
    const unread = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channelId)
      .where('seq', '>', readSeq)
      .where('deleted_at', 'is', null)
      .where('author_id', '<>', userId)
      .executeTakeFirstOrThrow();
    const mentions = await this.db
      .selectFrom('mentions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('channel_id', '=', channelId)
      .where('seq', '>', readSeq)
      .executeTakeFirstOrThrow();
    return { channelId, readSeq, unreadCount: Number(unread.n), mentionCount: Number(mentions.n) };
  }

  private async summarize(userId: string, row: ChannelsTable, readSeq: number): Promise<ChannelSummary> {
    const state = await this.readState(userId, row.id, readSeq);
    return { ...toChannel(row), readSeq, unreadCount: state.unreadCount, mentionCount: state.mentionCount };
  }

  private async addMember(channelId: string, userId: string): Promise<void> {
    await this.db
      .insertInto('channel_members')
      .values({ channel_id: channelId, user_id: userId, joined_at: this.clock(), read_seq: 0 })
      .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
      .execute();
  }

  private async announceMembership(userId: string, channelId: string): Promise<ChannelSummary> {
    const summary = await this.summaryFor(userId, channelId);
    this.notifier.subscribe(userId, channelId);
    this.notifier.toUser(userId, 'channel.joined', summary);
    return summary;
  }
}
