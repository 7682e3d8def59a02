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
});
export type Message = z.infer<typeof Message>;

export const StreamEventKind = z.enum(['created', 'edited', 'deleted']);
export type StreamEventKind = z.infer<typeof StreamEventKind>;

/** One committed change in a stream. `seq` is contiguous per stream: a gap means a missed event. */
export const StreamEvent = z.object({
  channelId: z.string(),
  seq: Count,
  kind: StreamEventKind,
  message: Message,
});
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

export const HistoryPage = z.object({ messages: z.array(Message), hasMore: z.boolean() });
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
