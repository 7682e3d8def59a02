// Shapes the server sends. One concept, one name: these are used unchanged by server, client and UI.

export interface User {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  createdAt: number;
  /** Deactivated users cannot sign in; their messages stay in history. */
  deactivated: boolean;
}

export type ChannelKind = 'public' | 'private' | 'direct';

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  topic: string;
  createdBy: string | null;
  createdAt: number;
  /** Highest seq committed in this stream. */
  headSeq: number;
  /** Direct conversations only: the two participants. */
  memberIds?: string[];
}

/** A channel as one member sees it: with that member's read state. */
export interface ChannelSummary extends Channel {
  readSeq: number;
  /** Unread messages by others, counted up to UNREAD_COUNT_CAP. */
  unreadCount: number;
  /** True when more messages are unread than `unreadCount` says ("999+"); servers before 0.2 leave it out. */
  unreadCapped?: boolean;
  mentionCount: number;
}

/** A public channel as `channel.browse` lists it: whether the caller has joined it. */
export interface BrowsedChannel extends Channel {
  joined: boolean;
}

/** One page of `channel.browse`; `nextCursor` asks for the next page, null after the last. */
export interface BrowseChannelsPage {
  channels: BrowsedChannel[];
  nextCursor: string | null;
}

export interface Message {
  id: string;
  channelId: string;
  /** Seq at which the message was created; its place in the stream. */
  seq: number;
  /** Seq of the latest change to it (create, edit or delete). */
  changeSeq: number;
  authorId: string;
  clientId: string;
  text: string;
  mentions: string[];
  ts: number;
  editedAt: number | null;
  deletedAt: number | null;
}

export type StreamEventKind = 'created' | 'edited' | 'deleted';

/** One committed change in a stream. `seq` is contiguous per stream: a gap means a missed event. */
export interface StreamEvent {
  channelId: string;
  seq: number;
  kind: StreamEventKind;
  message: Message;
}

export interface ReadState {
  channelId: string;
  readSeq: number;
  unreadCount: number;
  /** As in ChannelSummary. */
  unreadCapped?: boolean;
  mentionCount: number;
}

export interface SendAck {
  id: string;
  seq: number;
  ts: number;
  /** True when this clientId had already been stored: nothing new was written. */
  duplicate: boolean;
  message: Message;
}

/**
 * Catch-up for one stream. `status: 'reset'` means the cursor is older than what the server keeps
 * (retention) or from another epoch: drop local state for this stream and load from `headSeq`.
 */
export interface StreamCatchUp {
  channelId: string;
  status: 'ok' | 'reset';
  /** The latest state of every message changed after the cursor, in changeSeq order. */
  messages: Message[];
  /** The cursor to send next time: the highest change seq covered by this page. */
  cursor: number;
  headSeq: number;
  hasMore: boolean;
}

export interface SyncResponse {
  epoch: string;
  channels: ChannelSummary[];
  streams: StreamCatchUp[];
}

/** The limits a server enforces, as configured: announced in `hello`. */
export interface ServerLimits {
  maxPayloadBytes: number;
  maxMessageLength: number;
}

export interface Hello {
  protocolVersion: number;
  serverVersion: string;
  epoch: string;
  user: User;
  limits: ServerLimits;
}

export type Presence = 'online' | 'offline';
