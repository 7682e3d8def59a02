// The contract between the UI and the session core, spoken over a MessagePort (desktop utility
// process, browser Worker/SharedWorker, or a MessageChannel in Node tests). The UI never touches
// the network: everything it shows arrives as one of these events, everything it does is a request.
// Both ends validate every message with these schemas.
import { z } from 'zod';
import {
  ChannelShape,
  ChannelSummaryShape,
  ERROR_CODES,
  MessageShape,
  Preferences,
  PresenceShape,
  ServerLimitsShape,
  UserShape,
  type Channel,
  type ChannelSummary,
  type ErrorBody,
  type ErrorCode,
  type Message,
  type Presence,
  type ServerLimits,
  type User,
} from '@switchboard/protocol';

/** Connection state with a reason a person can read. */
export type ConnectionState =
  | { status: 'signed-out' }
  | { status: 'connecting' }
  /**
   * `catchingUp`: what was missed while away (or in a gap) is still being fetched, so conversations
   * may be incomplete; after a failed attempt it says when the next is due and why. Absent once
   * caught up: every client can tell when it has caught up (ARCHITECTURE.md §3).
   */
  | { status: 'online'; catchingUp?: { retryAt?: number; reason?: string } }
  | { status: 'reconnecting'; retryAt: number; attempt: number; reason: string }
  | { status: 'offline'; reason: string }
  | { status: 'incompatible'; reason: string; serverTooOld: boolean };

/**
 * A message as the UI shows it: a stored one, or one of ours still in the outbox. An outbox entry
 * has `id` = its `clientId`, `seq` = `changeSeq` = 0 and `ts` = when it was queued; the UI lists
 * outbox entries after the stored messages, in the order they were queued. When it is stored, a
 * `messages` event carries the stored copy and lists the entry's id in `removed`.
 */
export type DisplayMessage = Message & { delivery: 'sent' | 'pending' | 'failed'; failure?: ErrorBody };

export interface SessionSnapshot {
  serverUrl: string | null;
  user: User | null;
  connection: ConnectionState;
  channels: ChannelSummary[];
  users: (User & { presence: Presence })[];
  /** The signed-in user's preferences as they saved them (`{}` signed out); unset keys take defaults. */
  preferences: Preferences;
  /** The server's limits (from its last `hello`; the protocol defaults until one arrives). */
  limits: ServerLimits;
}

/** Requests the UI sends, by method: params schema and result type. */
export const Requests = {
  getSnapshot: z.strictObject({}),
  setServer: z.strictObject({ serverUrl: z.url() }),
  authStatus: z.strictObject({}),
  signIn: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
  setupAdmin: z.strictObject({
    setupCode: z.string().min(1).max(256),
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
  }),
  register: z.strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    invite: z.string().min(1).max(256).optional(),
  }),
  signOut: z.strictObject({}),
  reconnectNow: z.strictObject({}),
  openChannel: z.strictObject({ channelId: z.string().min(1).max(64) }),
  loadOlder: z.strictObject({ channelId: z.string().min(1).max(64) }),
  send: z.strictObject({ channelId: z.string().min(1).max(64), text: z.string().min(1).max(100_000) }),
  retrySend: z.strictObject({ clientId: z.string().min(1).max(64) }),
  discardSend: z.strictObject({ clientId: z.string().min(1).max(64) }),
  edit: z.strictObject({ messageId: z.string().min(1).max(64), text: z.string().min(1).max(100_000) }),
  delete: z.strictObject({ messageId: z.string().min(1).max(64) }),
  markRead: z.strictObject({ channelId: z.string().min(1).max(64), seq: z.number().int().min(0) }),
  typing: z.strictObject({ channelId: z.string().min(1).max(64) }),
  createChannel: z.strictObject({
    name: z.string().min(1).max(64),
    visibility: z.enum(['public', 'private']),
  }),
  joinChannel: z.strictObject({ channelId: z.string().min(1).max(64) }),
  leaveChannel: z.strictObject({ channelId: z.string().min(1).max(64) }),
  inviteToChannel: z.strictObject({
    channelId: z.string().min(1).max(64),
    userId: z.string().min(1).max(64),
  }),
  channelMembers: z.strictObject({ channelId: z.string().min(1).max(64) }),
  openDirect: z.strictObject({ userId: z.string().min(1).max(64) }),
  listPublicChannels: z.strictObject({}),
  /** Changes the keys given and keeps the rest. */
  setPreferences: Preferences,
} as const;

export type RequestMethod = keyof typeof Requests;
export type RequestParams<M extends RequestMethod> = z.input<(typeof Requests)[M]>;

export interface RequestResults {
  getSnapshot: SessionSnapshot;
  setServer: null;
  authStatus: { setupRequired: boolean; registration: 'closed' | 'invite' | 'open'; version: string };
  signIn: User;
  setupAdmin: User;
  /** Creates an account (with an invite code where the server asks for one) and signs it in. */
  register: User;
  signOut: null;
  reconnectNow: null;
  /** The newest page, from the local cache at once and then refreshed by `messages` events. */
  openChannel: { messages: DisplayMessage[]; hasOlder: boolean };
  loadOlder: { messages: DisplayMessage[]; hasOlder: boolean };
  /** The clientId of the queued message; it shows as pending until acknowledged. */
  send: { clientId: string };
  retrySend: null;
  discardSend: null;
  edit: Message;
  delete: Message;
  markRead: null;
  typing: null;
  createChannel: ChannelSummary;
  joinChannel: ChannelSummary;
  leaveChannel: null;
  /** Adds someone to a channel you are in; they receive it live. */
  inviteToChannel: null;
  /** Who is in a channel you can read, as the server has it now. */
  channelMembers: { userIds: string[] };
  openDirect: ChannelSummary;
  /** Channels you may join (no read state: you may not be a member). */
  listPublicChannels: { channels: Channel[] };
  /**
   * The preferences after the change. They apply at once on this device; offline, they are sent
   * when the connection is back.
   */
  setPreferences: Preferences;
}

/** Events the core pushes to every attached UI. */
export interface SessionEvents {
  snapshot: SessionSnapshot;
  connection: ConnectionState;
  channels: ChannelSummary[];
  /**
   * Upserts for one channel (new, edited, deleted, pending, failed) in display order, each message at
   * most once and only when it changed. `removed`: ids to drop (an outbox entry that was stored or
   * discarded). `reset`: replace everything shown for the channel with `messages`.
   */
  messages: { channelId: string; messages: DisplayMessage[]; removed?: string[]; reset?: boolean };
  typing: { channelId: string; userId: string };
  presence: { userId: string; status: Presence };
  /** The user's preferences changed, here or on another of their devices. */
  preferences: Preferences;
}

export type SessionEventName = keyof SessionEvents;

/** What the UI holds: the session core itself (Node, tests) or a SessionClient proxy over a port. */
export interface SessionApi {
  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]>;
  /** Returns a function that removes the handler. */
  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void;
}

/**
 * Wire frames on the port. Request ids start at 1: a frame too broken to answer by its own id gets
 * an error response with id 0. `bye` is the UI's last frame (a tab closing): the core stops serving
 * that port.
 */
export const Frame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('request'),
    id: z.number().int().min(0),
    method: z.string().max(64),
    params: z.unknown(),
  }),
  z.strictObject({
    type: z.literal('response'),
    id: z.number().int().min(0),
    ok: z.boolean(),
    data: z.unknown().optional(),
    error: z.strictObject({ code: z.string(), message: z.string() }).passthrough().optional(),
  }),
  z.strictObject({ type: z.literal('event'), name: z.string().max(64), payload: z.unknown() }),
  z.strictObject({ type: z.literal('bye') }),
]);
export type Frame = z.infer<typeof Frame>;

// --- Event payload schemas: the UI side validates every event it receives with these. ---------------

const ErrorBodyShape = z.object({
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  retryAfter: z.number().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
}) satisfies z.ZodType<ErrorBody>;

const DisplayMessageShape = MessageShape.extend({
  delivery: z.enum(['sent', 'pending', 'failed']),
  failure: ErrorBodyShape.optional(),
}) satisfies z.ZodType<DisplayMessage>;

// The server's shapes (messages, channels, users) are the protocol's, shared with the server side.
export { ChannelSummaryShape, MessageShape, UserShape };

const ConnectionStateShape = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-out') }),
  z.object({ status: z.literal('connecting') }),
  z.object({
    status: z.literal('online'),
    catchingUp: z.object({ retryAt: z.number().optional(), reason: z.string().optional() }).optional(),
  }),
  z.object({
    status: z.literal('reconnecting'),
    retryAt: z.number(),
    attempt: z.number().int(),
    reason: z.string(),
  }),
  z.object({ status: z.literal('offline'), reason: z.string() }),
  z.object({ status: z.literal('incompatible'), reason: z.string(), serverTooOld: z.boolean() }),
]) satisfies z.ZodType<ConnectionState>;

export const LimitsShape = ServerLimitsShape;

const SnapshotShape = z.object({
  serverUrl: z.string().nullable(),
  user: UserShape.nullable(),
  connection: ConnectionStateShape,
  channels: z.array(ChannelSummaryShape),
  users: z.array(UserShape.extend({ presence: PresenceShape })),
  preferences: Preferences,
  limits: LimitsShape,
}) satisfies z.ZodType<SessionSnapshot>;

/** Events the core pushes, by name: payload schema. */
export const Events = {
  snapshot: SnapshotShape,
  connection: ConnectionStateShape,
  channels: z.array(ChannelSummaryShape),
  messages: z.object({
    channelId: z.string(),
    messages: z.array(DisplayMessageShape),
    removed: z.array(z.string()).optional(),
    reset: z.boolean().optional(),
  }),
  typing: z.object({ channelId: z.string(), userId: z.string() }),
  presence: z.object({ userId: z.string(), status: PresenceShape }),
  preferences: Preferences,
} as const satisfies { [E in SessionEventName]: z.ZodType<SessionEvents[E]> };

export const EVENT_NAMES = Object.keys(Events) as SessionEventName[];

const MessagePage = z.object({ messages: z.array(DisplayMessageShape), hasOlder: z.boolean() });

/** The result of every request, by method: the UI side checks each answer with these. */
export const Results = {
  getSnapshot: SnapshotShape,
  setServer: z.null(),
  authStatus: z.object({
    setupRequired: z.boolean(),
    registration: z.enum(['closed', 'invite', 'open']),
    version: z.string(),
  }),
  signIn: UserShape,
  setupAdmin: UserShape,
  register: UserShape,
  signOut: z.null(),
  reconnectNow: z.null(),
  openChannel: MessagePage,
  loadOlder: MessagePage,
  send: z.object({ clientId: z.string() }),
  retrySend: z.null(),
  discardSend: z.null(),
  edit: MessageShape,
  delete: MessageShape,
  markRead: z.null(),
  typing: z.null(),
  createChannel: ChannelSummaryShape,
  joinChannel: ChannelSummaryShape,
  leaveChannel: z.null(),
  inviteToChannel: z.null(),
  channelMembers: z.object({ userIds: z.array(z.string()) }),
  openDirect: ChannelSummaryShape,
  listPublicChannels: z.object({ channels: z.array(ChannelShape) }),
  setPreferences: Preferences,
} as const satisfies { [M in RequestMethod]: z.ZodType<RequestResults[M]> };

export function isRequestMethod(name: string): name is RequestMethod {
  return Object.hasOwn(Requests, name);
}

export function isEventName(name: string): name is SessionEventName {
  return Object.hasOwn(Events, name);
}
