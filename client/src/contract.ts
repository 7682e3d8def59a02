// The contract between the UI and the session core, spoken over a MessagePort (desktop utility
// process, browser Worker/SharedWorker, or a MessageChannel in Node tests). The UI never touches
// the network: everything it shows arrives as one of these events, everything it does is a request.
// Both ends validate every message with these schemas.
import { z } from 'zod';
import type { ChannelSummary, ErrorBody, Message, Presence, User } from '@switchboard/protocol';

/** Connection state with a reason a person can read. */
export type ConnectionState =
  | { status: 'signed-out' }
  | { status: 'connecting' }
  | { status: 'online' }
  | { status: 'reconnecting'; retryAt: number; attempt: number; reason: string }
  | { status: 'offline'; reason: string }
  | { status: 'incompatible'; reason: string; serverTooOld: boolean };

/** A message as the UI shows it: a stored one, or one of ours still in the outbox. */
export type DisplayMessage = Message & { delivery: 'sent' | 'pending' | 'failed'; failure?: ErrorBody };

export interface SessionSnapshot {
  serverUrl: string | null;
  user: User | null;
  connection: ConnectionState;
  channels: ChannelSummary[];
  users: (User & { presence: Presence })[];
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
  openDirect: z.strictObject({ userId: z.string().min(1).max(64) }),
  listPublicChannels: z.strictObject({}),
} as const;

export type RequestMethod = keyof typeof Requests;
export type RequestParams<M extends RequestMethod> = z.input<(typeof Requests)[M]>;

export interface RequestResults {
  getSnapshot: SessionSnapshot;
  setServer: null;
  authStatus: { setupRequired: boolean; registration: 'closed' | 'invite' | 'open'; version: string };
  signIn: User;
  setupAdmin: User;
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
  openDirect: ChannelSummary;
  listPublicChannels: { channels: ChannelSummary[] };
}

/** Events the core pushes to every attached UI. */
export interface SessionEvents {
  snapshot: SessionSnapshot;
  connection: ConnectionState;
  channels: ChannelSummary[];
  /** Upserts for one channel's open view (new, edited, deleted, pending, failed), in seq order. */
  messages: { channelId: string; messages: DisplayMessage[]; reset?: boolean };
  typing: { channelId: string; userId: string };
  presence: { userId: string; status: Presence };
}

export type SessionEventName = keyof SessionEvents;

/** Wire frames on the port. */
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
]);
export type Frame = z.infer<typeof Frame>;
