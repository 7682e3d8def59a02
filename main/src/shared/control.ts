// The control channel between main and the session core's utility process (process.parentPort):
// small lifecycle, secret, power and network messages — never chat data, which goes over each
// window's own MessagePort. Both ends parse every message with these schemas; one that does not
// match is logged and ignored, and changes nothing. Room is left for the notifications issue:
// notification events and unread totals will be further `FromUtility` members.
import { z } from 'zod';

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
  /** A control message the utility refused, so main's log says why. */
  z.strictObject({
    type: z.literal('rejected'),
    code: z.string().max(64),
    message: z.string().max(2048),
  }),
]);
export type FromUtility = z.infer<typeof FromUtility>;
