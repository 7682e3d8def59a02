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

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
