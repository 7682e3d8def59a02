// zod schemas for everything the server sends: the payload of every server → client event and the
// data of every ack. Clients parse what they receive with these (ARCHITECTURE.md §6); the types
// stay in models.ts and events.ts, and `satisfies` keeps both in step. Objects are not strict, so
// a newer server may add fields without breaking older clients.
import { z } from 'zod';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from './events.ts';
import type {
  BrowseChannelsPage,
  Channel,
  ChannelSummary,
  Hello,
  Message,
  Presence,
  ReadState,
  SendAck,
  ServerLimits,
  StreamCatchUp,
  StreamEvent,
  SyncResponse,
  User,
} from './models.ts';
import { Preferences } from './schemas.ts';

const Count = z.number().int().min(0);

export const UserShape = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  createdAt: z.number(),
  deactivated: z.boolean(),
}) satisfies z.ZodType<User>;

export const PresenceShape = z.enum(['online', 'offline']) satisfies z.ZodType<Presence>;

export const ChannelShape = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['public', 'private', 'direct']),
  topic: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  headSeq: Count,
  memberIds: z.array(z.string()).optional(),
}) satisfies z.ZodType<Channel>;

export const ChannelSummaryShape = ChannelShape.extend({
  readSeq: Count,
  unreadCount: Count,
  unreadCapped: z.boolean().optional(),
  mentionCount: Count,
}) satisfies z.ZodType<ChannelSummary>;

export const BrowseChannelsPageShape = z.object({
  channels: z.array(ChannelShape.extend({ joined: z.boolean() })),
  nextCursor: z.string().nullable(),
}) satisfies z.ZodType<BrowseChannelsPage>;

export const MessageShape = z.object({
  id: z.string(),
  channelId: z.string(),
  seq: Count,
  changeSeq: Count,
  authorId: z.string(),
  clientId: z.string(),
  text: z.string(),
  mentions: z.array(z.string()),
  ts: z.number(),
  editedAt: z.number().nullable(),
  deletedAt: z.number().nullable(),
}) satisfies z.ZodType<Message>;

export const StreamEventShape = z.object({
  channelId: z.string(),
  seq: Count,
  kind: z.enum(['created', 'edited', 'deleted']),
  message: MessageShape,
}) satisfies z.ZodType<StreamEvent>;

export const ReadStateShape = z.object({
  channelId: z.string(),
  readSeq: Count,
  unreadCount: Count,
  unreadCapped: z.boolean().optional(),
  mentionCount: Count,
}) satisfies z.ZodType<ReadState>;

export const SendAckShape = z.object({
  id: z.string(),
  seq: Count,
  ts: z.number(),
  duplicate: z.boolean(),
  message: MessageShape,
}) satisfies z.ZodType<SendAck>;

const StreamCatchUpShape = z.object({
  channelId: z.string(),
  status: z.enum(['ok', 'reset']),
  messages: z.array(MessageShape),
  cursor: Count,
  headSeq: Count,
  hasMore: z.boolean(),
}) satisfies z.ZodType<StreamCatchUp>;

export const SyncResponseShape = z.object({
  epoch: z.string(),
  channels: z.array(ChannelSummaryShape),
  streams: z.array(StreamCatchUpShape),
}) satisfies z.ZodType<SyncResponse>;

export const ServerLimitsShape = z.object({
  maxPayloadBytes: z.number().int().min(1),
  maxMessageLength: z.number().int().min(1),
}) satisfies z.ZodType<ServerLimits>;

export const HelloShape = z.object({
  protocolVersion: z.number().int(),
  serverVersion: z.string(),
  epoch: z.string(),
  user: UserShape,
  limits: ServerLimitsShape,
}) satisfies z.ZodType<Hello>;

/** The payload of server event `E`. */
export type ServerEventPayload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/** What the ack of client event `E` carries when it succeeds. */
export type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends
  Ack<infer T> | undefined
  ? T
  : never;

const ChannelRefShape = z.object({ channelId: z.string() });
const TypingShape = z.object({ channelId: z.string(), userId: z.string() });

/** Payload schema of every server → client event, by event name. */
export const ServerEventShapes = {
  hello: HelloShape,
  'stream.event': StreamEventShape,
  'channel.joined': ChannelSummaryShape,
  'channel.left': ChannelRefShape,
  'read.state': ReadStateShape,
  preferences: Preferences,
  typing: TypingShape,
  presence: z.object({ changes: z.array(z.object({ userId: z.string(), status: PresenceShape })) }),
  'server.shutdown': z.object({ reconnectAfterMs: z.number() }),
} as const satisfies { [E in keyof ServerToClientEvents]: z.ZodType<ServerEventPayload<E>> };

/** Schema of the data in every successful ack, by client event name. */
export const AckDataShapes = {
  sync: SyncResponseShape,
  'message.send': SendAckShape,
  'message.edit': MessageShape,
  'message.delete': MessageShape,
  'channel.history': z.object({ messages: z.array(MessageShape), hasMore: z.boolean() }),
  'channel.create': ChannelSummaryShape,
  'channel.join': ChannelSummaryShape,
  'channel.leave': ChannelRefShape,
  'channel.invite': z.object({ channelId: z.string(), userId: z.string() }),
  'channel.members': z.object({ userIds: z.array(z.string()) }),
  'channel.list': z.object({ channels: z.array(ChannelShape) }),
  'channel.browse': BrowseChannelsPageShape,
  'direct.open': ChannelSummaryShape,
  'read.mark': ReadStateShape,
  'user.list': z.object({ users: z.array(UserShape.extend({ presence: PresenceShape })) }),
  'preferences.get': Preferences,
  'preferences.set': Preferences,
  typing: z.null(),
} as const satisfies { [E in keyof ClientToServerEvents]: z.ZodType<AckData<E>> };
