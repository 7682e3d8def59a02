// Public and private channels, direct conversations, membership and read state.
import {
  idSlug,
  newId,
  slugFromName,
  SwitchboardError,
  UNREAD_COUNT_CAP,
  type BrowseChannelsPage,
  type BrowseChannelsRequest,
  type Channel,
  type ChannelSummary,
  type CreateChannelRequest,
  type ReadState,
  type UpdateChannelRequest,
  type User,
} from '@switchboard/protocol';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { Store } from '../store/database.ts';
import { containsIgnoringCase, dialectOf, lockMembership, serializePerUser } from '../store/dialect.ts';
import { prepared } from '../store/prepared.ts';
import type { ChannelMembersTable, ChannelsTable, Database } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import { isUniqueViolation } from './accounts.ts';
import type { Notifier } from './notifier.ts';
import { ARCHIVED, NoChange, streamChange } from './streams.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;

export function toChannel(row: ChannelsTable): Channel {
  const channel: Channel = {
    id: row.id,
    name: row.name,
    kind: row.kind,
    topic: row.topic,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    headSeq: Number(row.head_seq),
    displayName: row.display_name,
    purpose: row.purpose,
    archivedAt: row.archived_at === null ? null : Number(row.archived_at),
    changeSeq: Number(row.change_seq),
  };
  if (row.direct_key) channel.memberIds = row.direct_key.split(':');
  return channel;
}

const channelById = prepared((db, v: { channelId: string }) =>
  db.selectFrom('channels').selectAll().where('id', '=', v.channelId),
);

const memberRow = prepared((db, v: { channelId: string; userId: string }) =>
  db
    .selectFrom('channel_members')
    .select('user_id')
    .where('channel_id', '=', v.channelId)
    .where('user_id', '=', v.userId),
);

/**
 * Messages that show in the channel's list, and so count as its unread: all but thread replies that
 * were not also sent to the channel (those count in their thread, threads.ts).
 */
const inChannelList = (eb: ExpressionBuilder<Database, 'messages'>) =>
  eb.or([eb('messages.parent_id', 'is', null), eb('messages.also_in_channel', '=', 1)]);

/** What a new channel's row says of itself; the rest (no messages, no changes, not archived) is the same for all. */
type NewChannel = Pick<ChannelsTable, 'id' | 'name' | 'kind' | 'created_by' | 'created_at' | 'display_name'> &
  Partial<Pick<ChannelsTable, 'topic' | 'purpose' | 'direct_key'>>;

/** The row of a channel nothing has been written in or changed yet. */
const newChannelRow = (channel: NewChannel): ChannelsTable => ({
  topic: '',
  purpose: '',
  direct_key: null,
  head_seq: 0,
  pruned_seq: 0,
  listed_count: 0,
  deleted_count: 0,
  pruned_ord: 0,
  archived_at: null,
  change_seq: 0,
  ...channel,
});

/** Where a member's reading stands (see ChannelMembersTable). */
type ReadCursor = Pick<ChannelMembersTable, 'read_seq' | 'read_ord' | 'hidden_after'>;

/** A member of a channel nothing has been written in yet. */
const NOTHING_READ: ReadCursor = { read_seq: 0, read_ord: 0, hidden_after: 0 };

/** Unread and mention counts from the counters: no history is read. */
function readStateOf(row: Pick<ChannelsTable, 'listed_count'> & ReadCursor, mentionCount: number) {
  const unread = Math.max(0, Number(row.listed_count) - Number(row.read_ord) - Number(row.hidden_after));
  return {
    readSeq: Number(row.read_seq),
    unreadCount: Math.min(unread, UNREAD_COUNT_CAP),
    unreadCapped: unread > UNREAD_COUNT_CAP,
    mentionCount,
  };
}

const pickReadState = ({ readSeq, unreadCount, unreadCapped, mentionCount }: ChannelSummary) => ({
  readSeq,
  unreadCount,
  unreadCapped,
  mentionCount,
});

const readCursor = prepared((db, v: { channelId: string; userId: string }) =>
  db
    .selectFrom('channel_members')
    .select(['read_seq', 'read_ord', 'hidden_after'])
    .where('channel_id', '=', v.channelId)
    .where('user_id', '=', v.userId),
);

const mentionsAfter = prepared((db, v: { userId: string; channelId: string; readSeq: number }) =>
  db
    .selectFrom('mentions')
    .innerJoin('messages', 'messages.id', 'mentions.message_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mentions.user_id', '=', v.userId)
    .where('mentions.channel_id', '=', v.channelId)
    .where('mentions.seq', '>', v.readSeq)
    .where(inChannelList),
);

/**
 * Moves a read cursor forward to `target`: `read_ord` becomes the list position there, and what was
 * hidden between the old cursor and the new one (deleted, or the member's own) no longer counts. At
 * the head nothing lies after the cursor; elsewhere that costs the messages just read, once.
 */
const moveReadCursor = prepared(
  (db, v: { channelId: string; userId: string; target: number; atHead: number }) =>
    db
      .updateTable('channel_members')
      .set((eb) => ({
        read_ord: eb.fn.coalesce(
          eb
            .selectFrom('messages')
            .select('listed_ord')
            .where('channel_id', '=', v.channelId)
            .where('seq', '<=', v.target)
            .orderBy('seq', 'desc')
            .limit(1),
          eb.ref('read_ord'),
        ),
        hidden_after: eb
          .case()
          .when(eb.val(v.atHead), '=', 1)
          .then(0)
          .else(
            eb(
              'hidden_after',
              '-',
              eb
                .selectFrom('messages')
                .select((m) => m.fn.countAll<number>().as('n'))
                .where('messages.channel_id', '=', v.channelId)
                .where('messages.seq', '>', eb.ref('channel_members.read_seq'))
                .where('messages.seq', '<=', v.target)
                .where(inChannelList)
                .where((m) =>
                  m.or([m('messages.deleted_at', 'is not', null), m('messages.author_id', '=', v.userId)]),
                ),
            ),
          )
          .end(),
        read_seq: v.target,
      }))
      .where('channel_id', '=', v.channelId)
      .where('user_id', '=', v.userId)
      .where('read_seq', '<', v.target),
);

const channelIdsOfMember = prepared((db, v: { userId: string }) =>
  db.selectFrom('channel_members').select('channel_id').where('user_id', '=', v.userId),
);

/** Channels, each with `member`: the user's id if they are in it, else null. */
const channelsWithMembership = (db: Kysely<Database>, userId: string) =>
  db
    .selectFrom('channels')
    .leftJoin('channel_members', (join) =>
      join.onRef('channel_members.channel_id', '=', 'channels.id').on('channel_members.user_id', '=', userId),
    )
    .selectAll('channels')
    .select('channel_members.user_id as member');

const channelWithMembership = prepared((db, v: { channelId: string; userId: string }) =>
  channelsWithMembership(db, v.userId).where('channels.id', '=', v.channelId),
);

/**
 * The first of `base`, `base-2`, `base-3`, … that no channel has as its slug. Read in the transaction
 * that inserts, so the unique index only ever refuses a slug someone chose themselves.
 */
async function freeSlug(trx: Transaction<Database>, base: string): Promise<string> {
  const rows = await trx
    .selectFrom('channels')
    .select('name')
    .where('kind', '<>', 'direct')
    .where((eb) => eb.or([eb('name', '=', base), eb('name', 'like', `${base}-%`)]))
    .execute();
  const taken = new Set(rows.map((r) => r.name));
  let n = 1;
  while (taken.has(n === 1 ? base : `${base}-${n}`)) n += 1;
  return n === 1 ? base : `${base}-${n}`;
}

export interface ChannelsOptions {
  /** Channels one user may create; admins are not limited. */
  maxChannelsPerUser: number;
  clock?: Clock;
}

export const DEFAULT_BROWSE_PAGE = 50;

/** Where the id of the channel every new account joins is kept, once it has been made. */
const DEFAULT_CHANNEL_KEY = 'default_channel';

export class Channels {
  private readonly clock: Clock;

  constructor(
    private readonly db: Store,
    private readonly notifier: Notifier,
    private readonly options: ChannelsOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async create(actor: Actor, input: CreateChannelRequest): Promise<ChannelSummary> {
    const now = this.clock();
    const id = newId();
    const displayName = input.displayName ?? input.name!;
    const row = newChannelRow({
      id,
      name: input.name ?? '',
      kind: input.visibility,
      topic: input.topic ?? '',
      created_by: actor.id,
      created_at: now,
      display_name: displayName,
      purpose: input.purpose ?? '',
    });
    try {
      await this.db.transaction().execute(async (trx) => {
        if (!actor.isAdmin) {
          // Counted in the transaction that inserts, so parallel requests cannot slip past the limit.
          await serializePerUser(trx, actor.id);
          const made = await trx
            .selectFrom('channels')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('created_by', '=', actor.id)
            .where('kind', '<>', 'direct')
            .executeTakeFirstOrThrow();
          const limit = this.options.maxChannelsPerUser;
          if (Number(made.n) >= limit) {
            throw new SwitchboardError(
              'forbidden',
              `you have created ${limit} channels, the most this server allows: ask an admin`,
              { details: { limit } },
            );
          }
        }
        // A slug someone chose is theirs or a conflict; a derived one takes the next free suffix.
        row.name ||= await freeSlug(trx, slugFromName(displayName) ?? idSlug(id));
        await trx.insertInto('channels').values(row).execute();
        await trx
          .insertInto('channel_members')
          .values({ channel_id: row.id, user_id: actor.id, joined_at: now, ...NOTHING_READ })
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new SwitchboardError('conflict', `a channel named "${row.name}" already exists`);
      throw err;
    }
    return this.announceMembership(actor.id, row.id);
  }

  async get(channelId: string): Promise<ChannelsTable> {
    const row = await channelById.first(this.db, { channelId });
    if (!row) throw new SwitchboardError('not_found', 'no such channel');
    return row;
  }

  async isMember(userId: string, channelId: string): Promise<boolean> {
    return (await memberRow.first(this.db, { channelId, userId })) !== undefined;
  }

  /** Public channels are readable by every signed-in user; private and direct ones by members only. */
  async requireReadable(actor: Actor, channelId: string): Promise<ChannelsTable> {
    return (await this.access(actor, channelId)).channel;
  }

  async requireMember(actor: Actor, channelId: string): Promise<ChannelsTable> {
    const { channel, member } = await this.access(actor, channelId);
    if (!member) throw new SwitchboardError('forbidden', 'join the channel first');
    return channel;
  }

  /** The channel and whether the actor is in it, in one query (every send asks). */
  private async access(
    actor: Actor,
    channelId: string,
  ): Promise<{ channel: ChannelsTable; member: boolean }> {
    const row = await channelWithMembership.first(this.db, { channelId, userId: actor.id });
    // A private channel gets the same answer as a missing one: do not reveal that it exists.
    if (!row || (row.kind !== 'public' && row.member === null))
      throw new SwitchboardError('not_found', 'no such channel');
    const { member, ...channel } = row;
    return { channel, member: member !== null };
  }

  /** A member, in a channel that is not archived: what writing to its stream takes. */
  async requireWritable(actor: Actor, channelId: string): Promise<ChannelsTable> {
    const channel = await this.requireMember(actor, channelId);
    if (channel.archived_at !== null) throw new SwitchboardError('forbidden', ARCHIVED);
    return channel;
  }

  /**
   * Renames, re-describes, archives or restores a channel: one change in its stream, sent to its
   * members as a `channel` stream event. Members set the topic and purpose; renaming and archiving
   * are for its creator and admins, who alone may change anything once it is archived. A request
   * that changes nothing stores nothing.
   */
  async update(actor: Actor, req: UpdateChannelRequest): Promise<Channel> {
    const channel = await this.requireMember(actor, req.channelId);
    if (channel.kind === 'direct')
      throw new SwitchboardError(
        'forbidden',
        'a direct conversation has no name, topic or purpose to change',
      );
    const manages = actor.isAdmin || channel.created_by === actor.id;
    if (!manages && (req.displayName ?? req.name ?? req.archived) !== undefined) {
      throw new SwitchboardError(
        'forbidden',
        'only the person who created the channel or an admin may rename, archive or restore it',
      );
    }
    try {
      const changed = await streamChange(this.db, req.channelId, 'details', async (trx, seq) => {
        const current = await trx
          .selectFrom('channels')
          .selectAll()
          .where('id', '=', req.channelId)
          .executeTakeFirstOrThrow();
        if (!manages && current.archived_at !== null) throw new SwitchboardError('forbidden', ARCHIVED);
        const next: ChannelsTable = {
          ...current,
          display_name: req.displayName ?? current.display_name,
          name: req.name ?? current.name,
          topic: req.topic ?? current.topic,
          purpose: req.purpose ?? current.purpose,
          archived_at:
            req.archived === undefined
              ? current.archived_at
              : req.archived
                ? (current.archived_at ?? this.clock())
                : null,
        };
        const fields = ['display_name', 'name', 'topic', 'purpose', 'archived_at'] as const;
        if (fields.every((key) => next[key] === current[key])) throw new NoChange(current);
        await trx
          .updateTable('channels')
          .set({
            display_name: next.display_name,
            name: next.name,
            topic: next.topic,
            purpose: next.purpose,
            archived_at: next.archived_at,
            change_seq: seq,
          })
          .where('id', '=', req.channelId)
          .execute();
        return toChannel({ ...next, head_seq: seq, change_seq: seq });
      });
      if (changed instanceof NoChange) return toChannel(changed.current as ChannelsTable);
      this.notifier.toChannel(changed.id, 'stream.event', {
        channelId: changed.id,
        seq: changed.changeSeq,
        kind: 'channel',
        channel: changed,
      });
      return changed;
    } catch (err) {
      if (isUniqueViolation(err))
        throw new SwitchboardError('conflict', `a channel named "${req.name}" already exists`);
      throw err;
    }
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

  /**
   * One channel as the actor sees it, found by id: with their read state if they are a member, as a
   * plain Channel if it is a public one they have not joined.
   */
  async view(actor: Actor, channelId: string): Promise<Channel | ChannelSummary> {
    const channel = await this.requireReadable(actor, channelId);
    const member = await readCursor.first(this.db, { channelId, userId: actor.id });
    return member ? this.summarize(actor.id, { ...channel, ...member }) : toChannel(channel);
  }

  /**
   * A page of public channels by name whose name, display name or topic contains `query`
   * (case-insensitive for ASCII), each saying whether the actor has joined it. The cursor is the last
   * name of the page: names are unique among public channels.
   */
  async browse(actor: Actor, req: BrowseChannelsRequest): Promise<BrowseChannelsPage> {
    const limit = req.limit ?? DEFAULT_BROWSE_PAGE;
    let query = channelsWithMembership(this.db, actor.id)
      .where('channels.kind', '=', 'public')
      .orderBy('channels.name')
      .limit(limit + 1);
    if (req.cursor !== undefined) query = query.where('channels.name', '>', req.cursor);
    const text = req.query;
    if (text) {
      query = query.where((eb) =>
        eb.or([
          containsIgnoringCase(this.db, eb.ref('channels.name'), text),
          containsIgnoringCase(this.db, eb.ref('channels.display_name'), text),
          containsIgnoringCase(this.db, eb.ref('channels.topic'), text),
        ]),
      );
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    return {
      channels: page.map(({ member, ...row }) => ({ ...toChannel(row), joined: member !== null })),
      nextCursor: rows.length > limit ? page[page.length - 1]!.name : null,
    };
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

  /**
   * Every channel a user is in, with their unread and mention counts: two queries however many
   * channels, and unread counts read from counters, not counted from history.
   */
  async summariesFor(userId: string): Promise<ChannelSummary[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
      .selectAll('channels')
      .select(['channel_members.read_seq', 'channel_members.read_ord', 'channel_members.hidden_after'])
      .where('channel_members.user_id', '=', userId)
      .orderBy('channels.name')
      .execute();
    const mentions = await this.db
      .selectFrom('mentions')
      .innerJoin('channel_members', (join) =>
        join
          .onRef('channel_members.channel_id', '=', 'mentions.channel_id')
          .onRef('channel_members.user_id', '=', 'mentions.user_id'),
      )
      .innerJoin('messages', 'messages.id', 'mentions.message_id')
      .select(['mentions.channel_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('mentions.user_id', '=', userId)
      .whereRef('mentions.seq', '>', 'channel_members.read_seq')
      .where(inChannelList)
      .groupBy('mentions.channel_id')
      .execute();
    const mentionCounts = new Map(mentions.map((m) => [m.channel_id, Number(m.n)]));
    return rows.map((row) => ({ ...toChannel(row), ...readStateOf(row, mentionCounts.get(row.id) ?? 0) }));
  }

  /** The ids of the channels a user is in (what a new connection subscribes to). */
  async idsOfMember(userId: string): Promise<string[]> {
    return (await channelIdsOfMember.rows(this.db, { userId })).map((r) => r.channel_id);
  }

  async summaryFor(userId: string, channelId: string): Promise<ChannelSummary> {
    const channel = await this.get(channelId);
    const cursor = (await readCursor.first(this.db, { channelId, userId })) ?? NOTHING_READ;
    return this.summarize(userId, { ...channel, ...cursor });
  }

  async join(actor: Actor, channelId: string): Promise<ChannelSummary> {
    const channel = await this.requireReadable(actor, channelId);
    if (channel.kind !== 'public')
      throw new SwitchboardError('forbidden', 'private channels are joined by invitation');
    await this.addMember(channelId, actor.id);
    return this.announceMembership(actor.id, channelId);
  }

  /**
   * Makes the channel every new account joins, once in the life of a server (its first start with a
   * name configured): a public channel named `name`, which everyone who already has an account joins
   * too — the first admin may have been made with the CLI before the server ever ran. An existing
   * public channel of that name is taken as it is. Returns its id, or null when there is none.
   */
  private async makeDefaultChannel(name: string): Promise<string | null> {
    const made = await this.defaultChannelId();
    if (made !== null || name === '') return made;
    const now = this.clock();
    const id = await this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('channels')
        .select(['id', 'kind'])
        .where('name', '=', name)
        .where('kind', '<>', 'direct')
        .executeTakeFirst();
      if (existing?.kind === 'private') return null;
      let channelId = existing?.id;
      if (!channelId) {
        channelId = newId();
        await trx
          .insertInto('channels')
          .values(
            newChannelRow({
              id: channelId,
              name,
              kind: 'public',
              created_by: null,
              created_at: now,
              // Its slug is also its display name, as for every channel made before display names.
              display_name: name,
            }),
          )
          .execute();
        await trx
          .insertInto('channel_members')
          .columns(['channel_id', 'user_id', 'joined_at', 'read_seq'])
          .expression((eb) =>
            eb
              .selectFrom('users')
              .select([
                eb.val(channelId!).as('channel_id'),
                'id',
                eb.val(now).as('joined_at'),
                eb.val(0).as('read_seq'),
              ])
              .where('deactivated_at', 'is', null),
          )
          .execute();
      }
      await trx.insertInto('server_meta').values({ key: DEFAULT_CHANNEL_KEY, value: channelId }).execute();
      return channelId;
    });
    return id;
  }

  /** The default channel, made now unless it exists; nodes starting at once agree on one. */
  async ensureDefaultChannel(name: string): Promise<string | null> {
    try {
      return await this.makeDefaultChannel(name);
    } catch (err) {
      // Another node starting at the same moment made it first.
      if (isUniqueViolation(err)) return this.defaultChannelId();
      throw err;
    }
  }

  /** A new account joins the server's default channel, if it has one. */
  async welcome(userId: string): Promise<void> {
    const channelId = await this.defaultChannelId();
    if (channelId === null) return;
    const channel = await this.db
      .selectFrom('channels')
      .select('id')
      .where('id', '=', channelId)
      .executeTakeFirst();
    if (!channel) return;
    await this.addMember(channelId, userId);
    await this.announceMembership(userId, channelId);
  }

  private async defaultChannelId(): Promise<string | null> {
    const row = await this.db
      .selectFrom('server_meta')
      .select('value')
      .where('key', '=', DEFAULT_CHANNEL_KEY)
      .executeTakeFirst();
    return row?.value ?? null;
  }

  /**
   * A member adds someone to a channel (the way into a private one). Returns false when they were a
   * member already.
   */
  async invite(actor: Actor, channelId: string, userId: string): Promise<boolean> {
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
    if (!(await this.addMember(channelId, userId))) return false;
    await this.announceMembership(userId, channelId);
    return true;
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
          .values(
            newChannelRow({
              id,
              name: `dm-${id}`,
              kind: 'direct',
              created_by: actor.id,
              created_at: now,
              direct_key: directKey,
              display_name: `dm-${id}`,
            }),
          )
          .execute();
        await trx
          .insertInto('channel_members')
          .values(
            [actor.id, other.id].map((user_id) => ({
              channel_id: id,
              user_id,
              joined_at: now,
              ...NOTHING_READ,
            })),
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
    const headSeq = Number(channel.head_seq);
    const target = Math.min(seq, headSeq);
    const cursor =
      (await this.db.transaction().execute(async (trx) => {
        // Without the lock, on PostgreSQL a delete committing meanwhile was counted twice.
        await lockMembership(trx, channelId, actor.id);
        await moveReadCursor.execute(trx, {
          channelId,
          userId: actor.id,
          target,
          atHead: target >= headSeq ? 1 : 0,
        });
        return readCursor.first(trx, { channelId, userId: actor.id });
      })) ?? NOTHING_READ;
    const summary = await this.summarize(actor.id, { ...channel, ...cursor });
    const readState: ReadState = { channelId, ...pickReadState(summary) };
    this.notifier.toUser(actor.id, 'read.state', readState);
    return readState;
  }

  private async summarize(userId: string, row: ChannelsTable & ReadCursor): Promise<ChannelSummary> {
    const mentions = await mentionsAfter.first(this.db, { userId, channelId: row.id, readSeq: row.read_seq });
    return { ...toChannel(row), ...readStateOf(row, Number(mentions?.n ?? 0)) };
  }

  /**
   * Adds a member whose read cursor is at the start of the channel's history: everything there is
   * unread except what was deleted and what they wrote themselves (someone who left and came back).
   * Returns whether they were added (false: a member already).
   */
  private async addMember(channelId: string, userId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Deletes and sends in this channel wait for this (they lock the row) so the count stays exact.
      let query = trx
        .selectFrom('channels')
        .select(['pruned_ord', 'deleted_count'])
        .where('id', '=', channelId);
      if (dialectOf(trx) === 'postgres') query = query.forUpdate();
      const channel = await query.executeTakeFirstOrThrow();
      const own = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('author_id', '=', userId)
        .where('channel_id', '=', channelId)
        .where('deleted_at', 'is', null)
        .where(inChannelList)
        .executeTakeFirstOrThrow();
      const added = await trx
        .insertInto('channel_members')
        .values({
          channel_id: channelId,
          user_id: userId,
          joined_at: this.clock(),
          read_seq: 0,
          read_ord: Number(channel.pruned_ord),
          hidden_after: Number(channel.deleted_count) + Number(own.n),
        })
        .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(added.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  private async announceMembership(userId: string, channelId: string): Promise<ChannelSummary> {
    const summary = await this.summaryFor(userId, channelId);
    this.notifier.subscribe(userId, channelId);
    this.notifier.toUser(userId, 'channel.joined', summary);
    return summary;
  }
}
