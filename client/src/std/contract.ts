// The contract between the UI and the session core, spoken over a MessagePort (desktop utility
// process, browser Worker/SharedWorker, or a MessageChannel in Node tests). The UI never touches
// the network: everything it shows arrives as one of these events, everything it does is a request.
// Every shape is a zod schema and its type is the schema's `z.infer`; the protocol's schemas are
// reused as they are. The core checks every request's params once, as they enter it (SessionCore.request);
// the UI side checks every event and result it receives.
import { z } from 'zod';
import {
  BrowseChannelsPage,
  BrowseChannelsRequest,
  Channel,
  ChannelRef,
  ChannelSummary,
  ClientId,
  CreateChannelRequest,
  CreatedInvite,
  CreateInviteRequest,
  DeviceSession,
  EditMessageRequest,
  Empty,
  ErrorBody,
  FileInfo,
  Id,
  Invite,
  LoginRequest,
  ManagedUser,
  MAX_FILES_PER_MESSAGE,
  MarkReadRequest,
  MemberRequest,
  Message,
  MessageRef,
  MessageText,
  OpenDirectRequest,
  PasswordChangeRequest,
  Preferences,
  Presence,
  ProfileRequest,
  RegisterRequest,
  RegistrationPolicy,
  RegistrationSetting,
  ResetPasswordRequest,
  SearchPage,
  Seq,
  ServerLimits,
  SetRegistrationRequest,
  SetupRequest,
  Text,
  TypingRequest,
  User,
  UserWithPresence,
  FollowedThread,
  ReactionEmoji,
  ThreadReadRequest,
  ThreadReplyFields,
  UpdateChannelRequest,
  FollowedTopic,
  TopicMessage,
  TopicName,
  TopicPriority,
  TopicMuteRequest,
  TopicReadRequest,
  TopicRef,
} from '@switchboard/protocol';
import { DisplayMessage } from './display.ts';
import { NOTIFY_REASONS } from './notify/rules.ts';

/** Largest chunk of an upload the UI may hand over at once. */
export const UPLOAD_CHUNK_BYTES = 256 * 1024;

const UploadId = z.string().min(1).max(32);

/**
 * Why the connection is down, as a code each UI words in its own language. It names the outage, not
 * the latest attempt: an outage that began with the server saying it was going away stays
 * `server-restarting` until the connection is back, so every client shows the same reason for it.
 */
export const OutageReason = z.enum([
  /** The server announced it was going away (a restart or an upgrade). */
  'server-restarting',
  /** The connection dropped without a word from the server. */
  'connection-lost',
  /** No connection could be made to the server's address. */
  'unreachable',
  /** Connected, but the server never said hello. */
  'no-greeting',
  'too-many-connections',
  'rate-limited',
  /** The server refused the connection for another reason (its message in `detail`). */
  'refused',
  /** The device has no network. */
  'no-network',
  /** Desktop: the app's background process that holds the connection stopped and is starting again. */
  'core-restarting',
]);
export type OutageReason = z.infer<typeof OutageReason>;

/** Connection state with a reason a person can read. */
export const ConnectionState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-out') }),
  z.object({ status: z.literal('connecting') }),
  z.object({
    status: z.literal('online'),
    /**
     * What was missed while away (or in a gap) is still being fetched, so conversations may be
     * incomplete; after a failed attempt it says when the next is due and why (the error code).
     * Absent once caught up: every client can tell when it has caught up (ARCHITECTURE.md §3).
     */
    catchingUp: z
      .object({ retryAt: z.number().optional(), reason: ErrorBody.shape.code.optional() })
      .optional(),
  }),
  z.object({
    status: z.literal('reconnecting'),
    retryAt: z.number(),
    attempt: z.number().int(),
    reason: OutageReason,
    /** The server's own words, for `refused`. */
    detail: z.string().optional(),
  }),
  z.object({ status: z.literal('offline'), reason: z.literal('no-network') }),
  /** `reason`: the server's explanation, in its words. */
  z.object({ status: z.literal('incompatible'), reason: z.string(), serverTooOld: z.boolean() }),
]);
export type ConnectionState = z.infer<typeof ConnectionState>;

/** A followed topic as the UI lists it: the server's state and how many of its messages are unread. */
export const TopicSummary = FollowedTopic.extend({ unreadCount: z.number().int().min(0) });
export type TopicSummary = z.infer<typeof TopicSummary>;

/** The key a followed topic's notifications go by, beside channel ids (a topic name holds no colon). */
export const topicKey = (topic: string): string => `topic:${topic}`;

export const SessionSnapshot = z.object({
  serverUrl: z.string().nullable(),
  user: User.nullable(),
  connection: ConnectionState,
  channels: z.array(ChannelSummary),
  users: z.array(UserWithPresence),
  /** The signed-in user's preferences as they saved them (`{}` signed out); unset keys take defaults. */
  preferences: Preferences,
  /** The server's limits (from its last `hello`; the protocol defaults until one arrives). */
  limits: ServerLimits,
  /** Threads the user follows, the latest reply first, with their unread counts. */
  threads: z.array(FollowedThread),
  /** Topics the user follows, by name, with their unread counts. */
  topics: z.array(TopicSummary).default([]),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshot>;

/**
 * A notification the core decided on (notify/rules.ts), for the app to show: the browser with its
 * Notification API, the desktop natively. A newer one for the same conversation replaces the older.
 */
export const SessionNotification = z.object({
  /** Stable for one message, or for one conversation's catch-up summary. */
  id: z.string(),
  /** The conversation's id, or `topicKey(name)` for a followed topic: a newer one with it replaces the older. */
  channelId: z.string(),
  /** The conversation as people see it: `#ops`, or the other person's name in a direct conversation. */
  conversation: z.string(),
  reason: z.enum(NOTIFY_REASONS),
  /** The message to open at; in a summary, the oldest new one (null when none was loaded). */
  messageId: z.string().nullable(),
  seq: z.number().int().min(0),
  /** The newest seq it stands for (a summary's last message): marking read up to here clears it. */
  lastSeq: z.number().int().min(0),
  /** Who wrote it; null in a summary. */
  author: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The text as one plain line, trimmed; null in a summary, and when previews are off. */
  preview: z.string().nullable(),
  /** The user turned previews off: say only that something arrived, not where or what. */
  hidden: z.boolean(),
  /** After a catch-up, one summary per conversation: how many new messages it stands for. */
  summary: z.boolean(),
  count: z.number().int().min(1),
  /** The user turned notification sounds off. */
  silent: z.boolean(),
  ts: z.number(),
  /**
   * For a followed topic's message (docs/publish.md, "In the apps"): its priority (a summary's
   * highest), and the message's `click` link and tags (a summary has none). 4–5 are urgent.
   */
  topic: z
    .object({
      name: z.string(),
      priority: TopicPriority,
      click: z.string().nullable(),
      tags: z.array(z.string()),
    })
    .optional(),
});
export type SessionNotification = z.infer<typeof SessionNotification>;

/** Requests the UI sends, by method: the schema of their params. */
export const Requests = {
  getSnapshot: Empty,
  setServer: z.strictObject({ serverUrl: z.url() }),
  authStatus: Empty,
  signIn: LoginRequest,
  setupAdmin: SetupRequest,
  register: RegisterRequest,
  signOut: Empty,
  reconnectNow: Empty,
  openChannel: ChannelRef,
  loadOlder: ChannelRef,
  /**
   * The text is also held to the server's limits (SessionCore.request). `files` are uploads (uploadFinish)
   * the message takes; with files the text may be empty. A reply names its `parentId`. `clientId` is
   * for a send that may be repeated (a notification's inline reply): the same id is stored once
   * however often it is sent. Left out, the core makes one.
   */
  send: z
    .strictObject({
      channelId: Id,
      text: Text,
      files: z.array(FileInfo).max(MAX_FILES_PER_MESSAGE).optional(),
      clientId: ClientId.optional(),
      ...ThreadReplyFields,
    })
    .refine((m) => MessageText.safeParse(m.text).success || (m.files?.length ?? 0) > 0, {
      message: 'message text is empty',
      path: ['text'],
    })
    .refine((p) => p.alsoInChannel !== true || p.parentId !== undefined, 'alsoInChannel is for replies'),
  retrySend: z.strictObject({ clientId: ClientId }),
  discardSend: z.strictObject({ clientId: ClientId }),
  edit: EditMessageRequest,
  delete: MessageRef,
  markRead: MarkReadRequest,
  typing: TypingRequest,
  createChannel: CreateChannelRequest,
  joinChannel: ChannelRef,
  leaveChannel: ChannelRef,
  inviteToChannel: MemberRequest,
  channelMembers: ChannelRef,
  openDirect: OpenDirectRequest,
  /** Public channels a page at a time, by name, optionally those whose name or topic has `query`. */
  browseChannels: BrowseChannelsRequest,
  /** Every public channel at once (search names the channels of its results); browse pages instead. */
  listPublicChannels: Empty,
  /** Changes the keys given and keeps the rest. */
  setPreferences: Preferences,
  /**
   * What this UI shows: the conversation on screen (null: none) and whether its window has the
   * focus. Messages there do not notify. The UI that spoke last is the one in front.
   */
  setFocus: z.strictObject({
    channelId: Id.nullable(),
    /** A followed topic's view, when that is on screen instead. */
    topic: TopicName.nullable().optional(),
    focused: z.boolean(),
  }),
  /**
   * This UI's reader left a channel's newest messages to read its history (`following` false), or is
   * back at them, or closed the channel after leaving them (true): say each once. Meanwhile the core
   * keeps every message of the channel it has loaded; otherwise it keeps the newest few hundred and
   * lets the oldest go (`messages` events with `removed` and `hasOlder`).
   */
  setFollowing: z.strictObject({ channelId: Id, following: z.boolean() }),
  // People: the user's profile and devices, and for admins the admin area. Account management goes
  // over REST with this session's token: the server lets only sign-in sessions manage accounts.
  /** Sets a new password with the code of a reset link, and signs in. */
  resetPassword: ResetPasswordRequest,
  setDisplayName: ProfileRequest,
  changePassword: PasswordChangeRequest,
  listSessions: Empty,
  endSession: z.strictObject({ sessionId: Id }),
  endOtherSessions: Empty,
  listPeople: Empty,
  updatePerson: z.strictObject({
    userId: Id,
    isAdmin: z.boolean().optional(),
    deactivated: z.boolean().optional(),
  }),
  resetLink: z.strictObject({ userId: Id }),
  listInvites: Empty,
  createInvite: CreateInviteRequest,
  revokeInvite: z.strictObject({ inviteId: Id }),
  getRegistration: Empty,
  setRegistration: SetRegistrationRequest,
  // --- search ---
  /** The search box's text as typed (search.ts in the protocol); dates are the user's local days. */
  search: z.strictObject({ q: Text.max(500), cursor: Text.min(1).max(64).optional() }),
  /** A page of a channel's history with `seq` in its middle, to show a message in context. */
  openAround: z.strictObject({ channelId: Id, seq: Seq }),
  // --- files ---
  /** Begins an upload of `size` bytes to a channel; the bytes follow in uploadChunk requests. */
  uploadStart: z.strictObject({
    channelId: Id,
    name: Text.min(1).max(255),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    mime: Text.max(255),
  }),
  /** The next bytes, in order, at most UPLOAD_CHUNK_BYTES; send the next once this one is answered. */
  uploadChunk: z.strictObject({
    uploadId: UploadId,
    bytes: z
      .instanceof(ArrayBuffer)
      .refine((b) => b.byteLength <= UPLOAD_CHUNK_BYTES, `chunks are at most ${UPLOAD_CHUNK_BYTES} bytes`),
  }),
  /** All bytes are there: the core uploads them and answers with the stored file. */
  uploadFinish: z.strictObject({ uploadId: UploadId }),
  /** Stops an upload wherever it is. */
  uploadCancel: z.strictObject({ uploadId: UploadId }),
  /** A file's bytes, to show or save. */
  fileBytes: z.strictObject({ fileId: Id }),
  // Channel details, threads and reactions
  updateChannel: UpdateChannelRequest,
  /** A thread by any of its messages; it stays open (its changes come as `thread` events) until closed. */
  openThread: MessageRef,
  loadOlderReplies: MessageRef,
  closeThread: MessageRef,
  /** Marks a thread you follow read up to `seq` (a reply's seq); others' threads have no read state. */
  markThreadRead: ThreadReadRequest,
  listThreads: Empty,
  setReaction: z.strictObject({ messageId: Id, emoji: ReactionEmoji, reacted: z.boolean() }),
  // --- followed topics ---
  /** Follows a topic you may read (the server refuses others with `forbidden`). */
  followTopic: TopicRef,
  unfollowTopic: TopicRef,
  /** A followed topic's messages, kept here and caught up; new ones come as `topicMessages` events. */
  openTopic: TopicRef,
  /** A page of a followed topic's messages older than `before` (the oldest shown), for its view. */
  loadOlderTopicMessages: z.strictObject({ topic: TopicName, before: Seq }),
  /** Mutes or unmutes a followed topic, on every device: no notifications, not in the badge. */
  muteTopic: TopicMuteRequest,
  /** Marks a followed topic read up to `seq`, on every device. */
  markTopicRead: TopicReadRequest,
} as const;

export type RequestMethod = keyof typeof Requests;
export type RequestParams<M extends RequestMethod> = z.input<(typeof Requests)[M]>;

const MessagePage = z.object({ messages: z.array(DisplayMessage), hasOlder: z.boolean() });

/** The result of every request, by method. */
export const Results = {
  getSnapshot: SessionSnapshot,
  setServer: z.null(),
  authStatus: z.object({
    setupRequired: z.boolean(),
    registration: RegistrationPolicy,
    version: z.string(),
  }),
  signIn: User,
  setupAdmin: User,
  /** Creates an account (with an invite code where the server asks for one) and signs it in. */
  register: User,
  signOut: z.null(),
  reconnectNow: z.null(),
  /** The newest page, from the local cache at once and then refreshed by `messages` events. */
  openChannel: MessagePage,
  loadOlder: MessagePage,
  /** The clientId of the queued message; it shows as pending until acknowledged. */
  send: z.object({ clientId: z.string() }),
  retrySend: z.null(),
  discardSend: z.null(),
  edit: Message,
  delete: Message,
  markRead: z.null(),
  typing: z.null(),
  createChannel: ChannelSummary,
  joinChannel: ChannelSummary,
  leaveChannel: z.null(),
  /** Adds someone to a channel you are in; they receive it live. */
  inviteToChannel: z.null(),
  /** Who is in a channel you can read, as the server has it now. */
  channelMembers: z.object({ userIds: z.array(z.string()) }),
  openDirect: ChannelSummary,
  /** Each channel says whether you have joined it; `nextCursor` asks for the next page. */
  browseChannels: BrowseChannelsPage,
  listPublicChannels: z.object({ channels: z.array(Channel) }),
  /**
   * The preferences after the change. They apply at once on this device; offline, they are sent
   * when the connection is back.
   */
  setPreferences: Preferences,
  setFocus: z.null(),
  setFollowing: z.null(),
  resetPassword: User,
  setDisplayName: User,
  /** Every other session of yours ends (and, with revokeAllTokens, every access token); this one stays. */
  changePassword: z.null(),
  listSessions: z.object({ sessions: z.array(DeviceSession) }),
  endSession: z.null(),
  endOtherSessions: z.object({ ended: z.number().int().min(0) }),
  listPeople: z.object({ users: z.array(ManagedUser) }),
  updatePerson: User,
  /** A one-time link that lets the person set a new password (the server's public URL, or this server's address). */
  resetLink: z.object({ url: z.string(), expiresAt: z.number() }),
  listInvites: z.object({ invites: z.array(Invite) }),
  /** The invite with its link (the server's public URL, or this server's address). */
  createInvite: CreatedInvite.extend({ url: z.string() }),
  revokeInvite: z.null(),
  getRegistration: RegistrationSetting,
  setRegistration: RegistrationSetting,
  // --- search ---
  search: SearchPage,
  /** Not kept by the core: the UI shows it until the user returns to the newest messages. */
  openAround: z.object({ messages: z.array(DisplayMessage), hasOlder: z.boolean(), hasNewer: z.boolean() }),
  // --- files ---
  uploadStart: z.object({ uploadId: z.string() }),
  uploadChunk: z.null(),
  uploadFinish: FileInfo,
  uploadCancel: z.null(),
  fileBytes: z.object({ bytes: z.instanceof(ArrayBuffer), mime: z.string() }),
  /** The channel's details after the change. */
  updateChannel: Channel,
  /** The root, its newest replies (and ours still queued), and whether older replies exist. */
  openThread: z.object({
    rootId: z.string(),
    root: DisplayMessage,
    replies: z.array(DisplayMessage),
    hasOlder: z.boolean(),
  }),
  loadOlderReplies: MessagePage,
  closeThread: z.null(),
  markThreadRead: z.null(),
  /** Asks the server again and answers with the followed threads (also told as `threads`). */
  listThreads: z.array(FollowedThread),
  /** The message with its reactions after the change. */
  setReaction: Message,
  followTopic: TopicSummary,
  unfollowTopic: z.null(),
  /** The newest messages kept (TOPIC_KEEP), oldest first; `gap`: retention removed some never seen here. */
  openTopic: z.object({ messages: z.array(TopicMessage), gap: z.boolean() }),
  /** Oldest first; `hasOlder`: there are older ones still. */
  loadOlderTopicMessages: z.object({ messages: z.array(TopicMessage), hasOlder: z.boolean() }),
  muteTopic: z.null(),
  markTopicRead: z.null(),
} as const satisfies { [M in RequestMethod]: z.ZodType };

export type RequestResults = { [M in RequestMethod]: z.infer<(typeof Results)[M]> };

/** Events the core pushes to every attached UI, by name: the schema of their payload. */
export const Events = {
  snapshot: SessionSnapshot,
  connection: ConnectionState,
  channels: z.array(ChannelSummary),
  /**
   * Changes to one channel's shown messages (new, edited, deleted, pending, failed) in display
   * order, each message at most once and only when it changed; a message replaces the one with the
   * same display key (display.ts). `removed`: display keys to drop first (a queued message that was
   * discarded, or delivered by another session; the oldest messages, let go to keep the channel's
   * window bounded). `reset`: replace everything shown with `messages`. `hasOlder`, when told: whether
   * older messages than those kept can be loaded (loadOlder) now.
   */
  messages: z.object({
    channelId: z.string(),
    messages: z.array(DisplayMessage),
    removed: z.array(z.string()).optional(),
    reset: z.boolean().optional(),
    hasOlder: z.boolean().optional(),
  }),
  typing: z.object({ channelId: z.string(), userId: z.string() }),
  presence: z.object({ userId: z.string(), status: Presence }),
  /** The user's preferences changed, here or on another of their devices. */
  preferences: Preferences,
  /** Something deserves the user's attention (notify/rules.ts decided): show it. */
  notification: SessionNotification,
  /** What was notified in this conversation has been read (here or elsewhere): take it away. */
  notificationCleared: z.object({ channelId: z.string() }),
  // --- files ---
  /** How an upload is going: bytes the core has `received` from the UI, then `sending` to the server. */
  upload: z.object({
    uploadId: z.string(),
    channelId: z.string(),
    name: z.string(),
    size: z.number(),
    received: z.number(),
    state: z.enum(['reading', 'sending', 'done', 'failed', 'cancelled']),
  }),
  /**
   * Changes to an open thread's messages (its root and replies), as `messages` does for a channel:
   * by display key, `removed` first, `reset` replacing everything shown.
   */
  thread: z.object({
    rootId: z.string(),
    channelId: z.string(),
    messages: z.array(DisplayMessage),
    removed: z.array(z.string()).optional(),
    reset: z.boolean().optional(),
  }),
  /** The followed threads, whenever the list or a count in it changed. */
  threads: z.array(FollowedThread),
  /** The followed topics, whenever the list or a count in it changed. */
  topics: z.array(TopicSummary),
  /** New messages of a followed topic, in seq order (each once); `gap`: retention removed some before. */
  topicMessages: z.object({ topic: z.string(), messages: z.array(TopicMessage), gap: z.boolean() }),
} as const;

export type SessionEventName = keyof typeof Events;
export type SessionEvents = { [E in SessionEventName]: z.infer<(typeof Events)[E]> };
export const EVENT_NAMES = Object.keys(Events) as SessionEventName[];

/** What the UI holds: the session core itself (Node, tests) or a SessionClient proxy over a port. */
export interface SessionApi {
  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]>;
  /** Returns a function that removes the handler. */
  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void;
}

export function isRequestMethod(name: string): name is RequestMethod {
  return Object.hasOwn(Requests, name);
}

export function isEventName(name: string): name is SessionEventName {
  return Object.hasOwn(Events, name);
}

/**
 * Wire frames on the port. Request ids start at 1: a frame too broken to answer by its own id gets
 * an error response with id 0. `ready` tells the core how many event frames the UI has handled, which paces
 * what the core sends (EventBatcher in port.ts). `bye` is the UI's last frame (a tab closing): the core stops serving
 * that port. Events travel in `events` frames, several at a time when the batcher (port.ts) has
 * gathered them.
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
  /** Events in the order they happened; all of one frame are handled in one go (one render). */
  z.strictObject({
    type: z.literal('events'),
    events: z.array(z.strictObject({ name: z.string().max(64), payload: z.unknown() })).min(1),
  }),
  z.strictObject({ type: z.literal('ready'), frames: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('bye') }),
]);
export type Frame = z.infer<typeof Frame>;
