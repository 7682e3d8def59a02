// Shapes the server sends, written once as zod schemas; each type is the schema's `z.infer`. One
// concept, one name: server, client and UI use them unchanged, and clients parse what they receive
// with them (ARCHITECTURE.md §6). Objects are not strict, so a newer server may add fields without
// breaking older clients.
import { z } from 'zod';

const Count = z.number().int().min(0);

export const User = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  createdAt: z.number(),
  /** Deactivated users cannot sign in; their messages stay in history. */
  deactivated: z.boolean(),
});
export type User = z.infer<typeof User>;

export const Presence = z.enum(['online', 'offline']);
export type Presence = z.infer<typeof Presence>;

export const UserWithPresence = User.extend({ presence: Presence });
export type UserWithPresence = z.infer<typeof UserWithPresence>;

export const ChannelKind = z.enum(['public', 'private', 'direct']);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const Channel = z.object({
  id: z.string(),
  name: z.string(),
  kind: ChannelKind,
  topic: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  /** Highest seq committed in this stream. */
  headSeq: Count,
  /** Direct conversations only: the two participants. */
  memberIds: z.array(z.string()).optional(),
  // Channel details (servers before 0.2 leave these out; the defaults stand in for them).
  /** The name people read, in any script; `name` is its ASCII slug, for links and `in:#name`. */
  displayName: z.string().default(''),
  /** What the channel is for; the topic says what is going on now. */
  purpose: z.string().default(''),
  /** When it was archived: read-only, out of the sidebar, still readable. Null while active. */
  archivedAt: z.number().nullable().default(null),
  /** Seq of the latest change to these details (rename, topic, purpose, archive); 0 if never changed. */
  changeSeq: Count.default(0),
});
export type Channel = z.infer<typeof Channel>;

/** A channel as one member sees it: with that member's read state. */
export const ChannelSummary = Channel.extend({
  readSeq: Count,
  /** Unread messages by others, counted up to UNREAD_COUNT_CAP. */
  unreadCount: Count,
  /** True when more messages are unread than `unreadCount` says ("999+"); servers before 0.2 leave it out. */
  unreadCapped: z.boolean().optional(),
  mentionCount: Count,
});
export type ChannelSummary = z.infer<typeof ChannelSummary>;

/** A public channel as `channel.browse` lists it: whether the caller has joined it. */
export const BrowsedChannel = Channel.extend({ joined: z.boolean() });
export type BrowsedChannel = z.infer<typeof BrowsedChannel>;

/** One page of `channel.browse`; `nextCursor` asks for the next page, null after the last. */
export const BrowseChannelsPage = z.object({
  channels: z.array(BrowsedChannel),
  nextCursor: z.string().nullable(),
});
export type BrowseChannelsPage = z.infer<typeof BrowseChannelsPage>;

/**
 * `text`: written by its author. `notice`: recorded by the server when its author did something in the
 * channel (`notice` says what); `text` then holds an English fallback for clients that do not know the
 * notice's type. Servers before 0.2 leave both fields out: every message is `text`.
 */
export const MessageKind = z.enum(['text', 'notice']);
export type MessageKind = z.infer<typeof MessageKind>;

/**
 * What a notice records, for clients to say in their own words. `member.added`: the author added
 * `userId` to the channel. Other types may come; a client shows the message's `text` for a type it
 * does not know.
 */
export const Notice = z.looseObject({ type: z.string(), userId: z.string().optional() });
export type Notice = z.infer<typeof Notice>;
/** A file as a message carries it (and as an upload answers): `GET /api/v1/files/:id` has its bytes. */
export const FileInfo = z.object({
  id: z.string(),
  name: z.string(),
  size: Count,
  mime: z.string(),
  /** Pixel size of an image shown inline (PNG, JPEG, GIF, WebP), from its header; null otherwise. */
  width: Count.nullable(),
  height: Count.nullable(),
});
export type FileInfo = z.infer<typeof FileInfo>;
/** One emoji on a message: how many reacted with it and (the first MAX_REACTION_USER_IDS of) who. */
export const Reaction = z.object({
  emoji: z.string(),
  count: Count,
  userIds: z.array(z.string()),
});
export type Reaction = z.infer<typeof Reaction>;

export const Message = z.object({
  id: z.string(),
  channelId: z.string(),
  /** Seq at which the message was created; its place in the stream. */
  seq: Count,
  /** Seq of the latest change to it (create, edit or delete). */
  changeSeq: Count,
  authorId: z.string(),
  clientId: z.string(),
  text: z.string(),
  mentions: z.array(z.string()),
  ts: z.number(),
  editedAt: z.number().nullable(),
  deletedAt: z.number().nullable(),
  kind: MessageKind.default('text'),
  notice: Notice.nullable().default(null),
  /** Attached files, in the order sent; [] when none or deleted (a server before 0.2 leaves it out). */
  files: z.array(FileInfo).default([]),
  // Threads (servers before 0.2 leave these out; the defaults stand in for them).
  /** The root message of the thread this message replies to; null for a message of the channel. */
  parentId: z.string().nullable().default(null),
  /** A reply that was also sent to the channel: it shows in the channel's list as well. */
  alsoInChannel: z.boolean().default(false),
  /** On a thread's root: its replies that are not deleted. */
  replyCount: Count.default(0),
  /** On a thread's root: when its newest reply (not deleted) was written. */
  lastReplyAt: z.number().nullable().default(null),
  /** On a thread's root: who wrote its latest replies, newest first, each once, at most MAX_REPLIER_IDS. */
  replierIds: z.array(z.string()).default([]),
  // Reactions
  /** By the time each emoji was first used. */
  reactions: z.array(Reaction).default([]),
});
export type Message = z.infer<typeof Message>;

/**
 * What a stream change changed: a message was `created` (a thread reply too), `edited` or `deleted`;
 * its `reactions` or its `thread` summary (replyCount, lastReplyAt, replierIds) changed; or the
 * `channel`'s details changed.
 */
export const MessageChangeKind = z.enum(['created', 'edited', 'deleted', 'reactions', 'thread']);
export type MessageChangeKind = z.infer<typeof MessageChangeKind>;
export const StreamEventKind = z.enum([...MessageChangeKind.options, 'channel']);
export type StreamEventKind = z.infer<typeof StreamEventKind>;

/** A change to one message; `seq` is its new changeSeq. */
export const MessageStreamEvent = z.object({
  channelId: z.string(),
  seq: Count,
  kind: MessageChangeKind,
  message: Message,
});
export type MessageStreamEvent = z.infer<typeof MessageStreamEvent>;

/** A change to the channel's details; `seq` is its new changeSeq. */
export const ChannelStreamEvent = z.object({
  channelId: z.string(),
  seq: Count,
  kind: z.literal('channel'),
  channel: Channel,
});
export type ChannelStreamEvent = z.infer<typeof ChannelStreamEvent>;

/** One committed change in a stream. `seq` is contiguous per stream: a gap means a missed event. */
export const StreamEvent = z.discriminatedUnion('kind', [MessageStreamEvent, ChannelStreamEvent]);
export type StreamEvent = z.infer<typeof StreamEvent>;

export const ReadState = z.object({
  channelId: z.string(),
  readSeq: Count,
  unreadCount: Count,
  /** As in ChannelSummary. */
  unreadCapped: z.boolean().optional(),
  mentionCount: Count,
});
export type ReadState = z.infer<typeof ReadState>;

export const SendAck = z.object({
  id: z.string(),
  seq: Count,
  ts: z.number(),
  /** True when this clientId had already been stored: nothing new was written. */
  duplicate: z.boolean(),
  message: Message,
});
export type SendAck = z.infer<typeof SendAck>;

/**
 * Catch-up for one stream. `status: 'reset'` means the cursor is older than what the server keeps
 * (retention) or from another epoch: drop local state for this stream and load from `headSeq`.
 */
export const StreamCatchUp = z.object({
  channelId: z.string(),
  status: z.enum(['ok', 'reset']),
  /** The latest state of every message changed after the cursor, in changeSeq order. */
  messages: z.array(Message),
  /** The channel's details when they changed after the cursor (up to `cursor`); null otherwise. */
  channel: Channel.nullable().default(null),
  /** The cursor to send next time: the highest change seq covered by this page. */
  cursor: Count,
  headSeq: Count,
  hasMore: z.boolean(),
});
export type StreamCatchUp = z.infer<typeof StreamCatchUp>;

export const SyncResponse = z.object({
  epoch: z.string(),
  channels: z.array(ChannelSummary),
  streams: z.array(StreamCatchUp),
});
export type SyncResponse = z.infer<typeof SyncResponse>;

/** The limits a server enforces, as configured: announced in `hello`. */
export const ServerLimits = z.object({
  maxPayloadBytes: z.number().int().min(1),
  maxMessageLength: z.number().int().min(1),
  /** Largest file an upload may be (servers before 0.2 leave it out: they take no files). */
  maxFileBytes: z.number().int().min(1).optional(),
});
export type ServerLimits = z.infer<typeof ServerLimits>;

export const Hello = z.object({
  protocolVersion: z.number().int(),
  serverVersion: z.string(),
  epoch: z.string(),
  user: User,
  limits: ServerLimits,
});
export type Hello = z.infer<typeof Hello>;

export const HistoryPage = z.object({
  messages: z.array(Message),
  /** More in the direction paged (older for `before`, `around` and the newest page; newer for `after`). */
  hasMore: z.boolean(),
  /** `around` only: newer messages follow the page. */
  hasNewer: z.boolean().optional(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

// --- People: accounts as admins and their owners manage them ---------------------------------------

/** Who may create an account: nobody (admins add people), holders of an invite, or anyone. */
export const RegistrationPolicy = z.enum(['closed', 'invite', 'open']);
export type RegistrationPolicy = z.infer<typeof RegistrationPolicy>;

/** Who may create an account; `locked` when the server's configuration fixes it (no change at runtime). */
export const RegistrationSetting = z.object({ registration: RegistrationPolicy, locked: z.boolean() });
export type RegistrationSetting = z.infer<typeof RegistrationSetting>;

/** A user as admins see them: when they were last seen (a token of theirs in use), null if never. */
export const ManagedUser = UserWithPresence.extend({ lastSeenAt: z.number().nullable() });
export type ManagedUser = z.infer<typeof ManagedUser>;

/** An invite that can still be used (its code is shown only once, when it is made). */
export const Invite = z.object({
  id: z.string(),
  createdBy: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  usesLeft: z.number().int().min(0),
});
export type Invite = z.infer<typeof Invite>;

/**
 * A one-time code and the link that carries it (`/?invite=CODE`, `/?reset=CODE` on the web client),
 * built from the server's public URL; `url` is null when the server does not know its public URL.
 */
export const IssuedCode = z.object({ code: z.string(), url: z.string().nullable(), expiresAt: z.number() });
export type IssuedCode = z.infer<typeof IssuedCode>;

export const CreatedInvite = IssuedCode.extend({ id: z.string(), usesLeft: z.number().int().min(1) });
export type CreatedInvite = z.infer<typeof CreatedInvite>;

/** A signed-in session of the caller: the device it is on, and whether it is the one asking. */
export const DeviceSession = z.object({
  id: z.string(),
  /** From the client's own label or its User-Agent at sign-in; empty when neither said. */
  device: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
  current: z.boolean(),
});
export type DeviceSession = z.infer<typeof DeviceSession>;
/**
 * One search hit: the message as it is now, and the channel it is in, with the name people read for
 * it (which a reader who has not joined the channel has nothing else to name it by; empty for a
 * direct conversation, which apps name after the other person).
 */
export const SearchResult = z.object({ message: Message, channelId: z.string(), channelName: z.string() });
export type SearchResult = z.infer<typeof SearchResult>;

/** A page of search results, newest first; `nextCursor` asks for the next page, null after the last. */
export const SearchPage = z.object({ results: z.array(SearchResult), nextCursor: z.string().nullable() });
export type SearchPage = z.infer<typeof SearchPage>;
// Threads

/** A thread: its root message and a page of its replies in seq order. */
export const ThreadPage = z.object({ root: Message, replies: z.array(Message), hasMore: z.boolean() });
export type ThreadPage = z.infer<typeof ThreadPage>;

/**
 * A thread one user follows (they wrote its root, replied, or were mentioned in it) and their read
 * state in it. Replies count here, not in the channel's unread count, unless also sent to the channel.
 */
export const ThreadState = z.object({
  /** The root message's id. */
  threadId: z.string(),
  channelId: z.string(),
  /** The seq of the newest reply this user has read. */
  readSeq: Count,
  /** Replies by others after `readSeq`, not deleted, counted up to UNREAD_COUNT_CAP. */
  unreadCount: Count,
  unreadCapped: z.boolean(),
  /** Replies after `readSeq` that mention this user. */
  mentionCount: Count,
  lastReplyAt: z.number().nullable(),
});
export type ThreadState = z.infer<typeof ThreadState>;

export const FollowedThread = ThreadState.extend({ root: Message });
export type FollowedThread = z.infer<typeof FollowedThread>;

/** Followed threads, the latest reply first; `nextCursor` asks for the next page, null after the last. */
export const ThreadsPage = z.object({ threads: z.array(FollowedThread), nextCursor: z.string().nullable() });
export type ThreadsPage = z.infer<typeof ThreadsPage>;
