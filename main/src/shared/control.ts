// The control channel between main and the session core's utility process (process.parentPort):
// small lifecycle, secret, power and network messages — never chat data, which goes over each
// window's own MessagePort. Both ends parse every message with these schemas; one that does not
// match is logged and ignored, and changes nothing. Notifications are the one exception to "no chat
// data": the core's decided `notification` events come here for main to show natively, with the
// unread totals the tray and badge show, and main sends back what the person did with them (an
// inline reply, mark as read, do not disturb from the tray).
import { z } from 'zod';
import { ClientId, DEFAULT_LIMITS, DoNotDisturb, Id, MessageText, Seq } from '@switchboard/protocol';
import { SessionNotification } from '@switchboard/client';

const ServerUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** A bearer token is an opaque string; this bounds what either side will hold. */
const Token = z.string().min(1).max(4096);

export const ToUtility = z.discriminatedUnion('type', [
  /** First message after every (re)start: where the core keeps its files, and its token. */
  z.strictObject({
    type: z.literal('start'),
    dataDir: z.string().min(1).max(4096),
    logsDir: z.string().min(1).max(4096),
    token: Token.nullable(),
  }),
  /** A window's port (transferred with this message): the core serves it until it closes. */
  z.strictObject({ type: z.literal('attach'), windowId: z.number().int().positive() }),
  z.strictObject({ type: z.literal('power'), event: z.enum(['suspend', 'resume', 'unlock-screen']) }),
  z.strictObject({ type: z.literal('network'), online: z.boolean() }),
  /** Finish writing, close the connection, then exit. */
  z.strictObject({ type: z.literal('shutdown') }),
  // Notifications, tray.
  /** Whether one of the app's windows is shown and has the focus. */
  z.strictObject({ type: z.literal('focus'), focused: z.boolean() }),
  /** An inline reply to a notification: sent once, whatever happens, by its clientId. */
  z.strictObject({
    type: z.literal('reply'),
    channelId: Id,
    text: MessageText.max(DEFAULT_LIMITS.maxPayloadBytes),
    clientId: ClientId,
  }),
  /** "Mark as read" on a notification. */
  z.strictObject({ type: z.literal('mark-read'), channelId: Id, seq: Seq }),
  /** Do not disturb from the tray menu (null: off), stored with the account like any preference. */
  z.strictObject({ type: z.literal('dnd'), dnd: DoNotDisturb.nullable() }),
  // The server on this computer.
  /** It had to take another port: a core signed in there follows it, keeping its account. */
  z.strictObject({ type: z.literal('server-moved'), from: ServerUrl, to: ServerUrl }),
]);
export type ToUtility = z.infer<typeof ToUtility>;

export const FromUtility = z.discriminatedUnion('type', [
  /** The core is open and serving ports. */
  z.strictObject({ type: z.literal('ready') }),
  /** The token the core signed in with (or null after sign-out): main keeps it in safeStorage. */
  z.strictObject({ type: z.literal('token'), token: Token.nullable() }),
  /** The server the core talks to, for About. */
  z.strictObject({
    type: z.literal('server'),
    url: z.string().max(4096).nullable(),
    version: z.string().max(256).nullable(),
  }),
  // Notifications, tray.
  /** Show this natively (the core decided it deserves a notification). */
  z.strictObject({ type: z.literal('notification'), notification: SessionNotification }),
  /** What was notified in this conversation is read: take the notification away. */
  z.strictObject({ type: z.literal('notification-cleared'), channelId: z.string().max(256) }),
  /**
   * For the tray and the badge: unread messages and those for the person (mentions, direct
   * messages) outside muted conversations, and do not disturb (null: off).
   */
  z.strictObject({
    type: z.literal('attention'),
    unread: z.number().int().min(0),
    mentions: z.number().int().min(0),
    dnd: DoNotDisturb.nullable(),
  }),
  /** A control message the utility refused, so main's log says why. */
  z.strictObject({
    type: z.literal('rejected'),
    code: z.string().max(64),
    message: z.string().max(2048),
  }),
]);
export type FromUtility = z.infer<typeof FromUtility>;
