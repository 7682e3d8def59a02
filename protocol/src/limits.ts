// Defaults shared by server and clients; a server may be configured tighter or looser and
// announces its effective limits in the `hello` event.
import type { ServerLimits } from './models.ts';

export const PROTOCOL_VERSION = 1;
/** Oldest client protocol version this code base still accepts. */
export const MIN_PROTOCOL_VERSION = 1;

export const DEFAULT_LIMITS = {
  /** Largest HTTP body or Socket.IO packet, in bytes. */
  maxPayloadBytes: 64 * 1024,
  /** Longest message text, in characters (UTF-16 code units). */
  maxMessageLength: 8000,
  maxConnectionsPerUser: 20,
  /** Largest page of history or catch-up. */
  maxPageSize: 200,
} as const;

/**
 * Cursors in one `sync`. A thousand cursors of real channel ids (UUIDs, seqs up to 2^53) take under
 * 57 KB of JSON, so the largest sync fits in the default 64 KiB body or packet; a client in more
 * channels sends them over several calls.
 */
export const MAX_SYNC_CURSORS = 1_000;

/** What a server with the default settings announces in `hello`: a client's guess until it hears one. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxPayloadBytes: DEFAULT_LIMITS.maxPayloadBytes,
  maxMessageLength: DEFAULT_LIMITS.maxMessageLength,
};

/**
 * Unread counts stop here: counting further would mean reading a channel's whole unread history on
 * every connect. A summary at the cap says `unreadCapped: true` ("999+").
 */
export const UNREAD_COUNT_CAP = 999;

/** Files one message may carry. */
export const MAX_FILES_PER_MESSAGE = 10;

/** Shortest password a new account may have. */
export const MIN_PASSWORD_LENGTH = 8;

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Room a `message.send` packet needs besides the text: ids, field names, framing. */
const PACKET_OVERHEAD_BYTES = 1_024;

/** Bytes `text` takes in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD, as encoders write it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Why a server with `limits` would refuse message text `text`, or null when it takes it. */
export function messageTextTooLarge(text: string, limits: ServerLimits): string | null {
  if (text.length > limits.maxMessageLength)
    return `message is ${text.length} characters; this server allows ${limits.maxMessageLength}`;
  if (utf8Length(text) > limits.maxPayloadBytes - PACKET_OVERHEAD_BYTES)
    return 'message is too large for this server';
  return null;
}

// Threads and reactions
/** Repliers a thread's root names in `replierIds`, newest first. */
export const MAX_REPLIER_IDS = 5;
/** People a reaction lists in `userIds` (the first to react); its `count` counts them all. */
export const MAX_REACTION_USER_IDS = 100;
/** Different emoji on one message: a message's reactions stay a bounded size. */
export const MAX_REACTION_EMOJI = 50;
