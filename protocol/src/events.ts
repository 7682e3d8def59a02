// The Socket.IO protocol of the apps, as one table per direction: every client → server event with
// the schema of its payload and of the data its ack carries, every server → client event with the
// schema of its payload. The event maps socket.io types its sockets with are derived from these
// tables, so a call site with a wrong event name or payload does not compile, and both ends parse
// with the same schemas. Documented for other-language clients in docs/protocol.md.
import { z } from 'zod';
import { ErrorBody } from './errors.ts';
import {
  BrowseChannelsPage,
  Channel,
  ChannelSummary,
  Hello,
  HistoryPage,
  Message,
  Presence,
  ReadState,
  SearchPage,
  SendAck,
  StreamEvent,
  SyncResponse,
  ThreadPage,
  ThreadsPage,
  ThreadState,
  User,
  UserWithPresence,
} from './models.ts';
import {
  BrowseChannelsRequest,
  ChannelRef,
  CreateChannelRequest,
  EditMessageRequest,
  Empty,
  HistoryRequest,
  MarkReadRequest,
  MemberRequest,
  MessageRef,
  OpenDirectRequest,
  Preferences,
  ProfileRequest,
  SearchRequest,
  SendMessageRequest,
  SyncRequest,
  TypingRequest,
  UpdateChannelRequest,
  ThreadRequest,
  ThreadReadRequest,
  ThreadListRequest,
  ReactionRequest,
} from './schemas.ts';
import {
  FollowedTopic,
  TopicMessage,
  TopicMessagesPage,
  TopicMessagesRequest,
  TopicMuteRequest,
  TopicReadRequest,
  TopicRef,
} from './topics.ts';

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type Ack<T> = (result: Result<T>) => void;

const ChannelId = z.object({ channelId: z.string() });

const event = <Req extends z.ZodType, Data extends z.ZodType>(request: Req, ack: Data) => ({ request, ack });

/** Every client → server event: its payload's schema and the schema of the data in a successful ack. */
export const ClientEvents = {
  /** Sent after every (re)connect: where this client is in each stream it knows. */
  sync: event(SyncRequest, SyncResponse),
  'message.send': event(SendMessageRequest, SendAck),
  'message.edit': event(EditMessageRequest, Message),
  'message.delete': event(MessageRef, Message),
  'channel.history': event(HistoryRequest, HistoryPage),
  'channel.create': event(CreateChannelRequest, ChannelSummary),
  'channel.join': event(ChannelRef, ChannelSummary),
  'channel.leave': event(ChannelRef, ChannelId),
  'channel.invite': event(MemberRequest, z.object({ channelId: z.string(), userId: z.string() })),
  'channel.members': event(ChannelRef, z.object({ userIds: z.array(z.string()) })),
  'channel.list': event(Empty, z.object({ channels: z.array(Channel) })),
  /** Public channels by name, a page at a time, optionally filtered by a search of names and topics. */
  'channel.browse': event(BrowseChannelsRequest, BrowseChannelsPage),
  'direct.open': event(OpenDirectRequest, ChannelSummary),
  'read.mark': event(MarkReadRequest, ReadState),
  'user.list': event(Empty, z.object({ users: z.array(UserWithPresence) })),
  'preferences.get': event(Empty, Preferences),
  /** Replaces your preferences; keys left out go back to the app's defaults. */
  'preferences.set': event(Preferences, Preferences),
  /** Volatile: the ack is optional, and clients usually send it without one. */
  typing: event(TypingRequest, z.null()),
  /** Sets your display name; everyone hears `user.changed`. */
  'profile.set': event(ProfileRequest, User),
  /** Messages the caller can read that match, newest first (REST: GET /api/v1/search). */
  search: event(SearchRequest, SearchPage),
  // Channel details, threads and reactions
  /** Rename, topic, purpose, archive: a change in the channel's stream. */
  'channel.update': event(UpdateChannelRequest, Channel),
  /** A thread's root and a page of its replies. */
  'message.thread': event(ThreadRequest, ThreadPage),
  /** Threads you follow, the latest reply first, with your unread counts. */
  'thread.list': event(ThreadListRequest, ThreadsPage),
  /** Moves your read position in a thread forward. */
  'thread.read': event(ThreadReadRequest, ThreadState),
  /** Idempotent: adding a reaction you already made changes nothing. */
  'reaction.add': event(ReactionRequest, Message),
  /** Idempotent: removing a reaction you did not make changes nothing. */
  'reaction.remove': event(ReactionRequest, Message),
  // Topics (the publish API's streams) the user follows
  /** Your followed topics with each one's head, read position and whether you may still read it. */
  'topic.list': event(Empty, z.object({ topics: z.array(FollowedTopic) })),
  /** Follows a topic you may read (idempotent); your other devices hear `topic.state`. */
  'topic.follow': event(TopicRef, FollowedTopic),
  /** Idempotent; your other devices hear `topic.unfollowed`. */
  'topic.unfollow': event(TopicRef, TopicRef),
  /** A topic's messages after a seq (catch-up) or before one (older messages), a page at a time. */
  'topic.messages': event(TopicMessagesRequest, TopicMessagesPage),
  /** Mutes or unmutes a followed topic: no notifications, not in the badge; your devices hear `topic.state`. */
  'topic.mute': event(TopicMuteRequest, FollowedTopic),
  /** Moves your read position in a followed topic forward; your devices hear `topic.state`. */
  'topic.read': event(TopicReadRequest, FollowedTopic),
} as const;

export type ClientEventName = keyof typeof ClientEvents;
/** What a client sends with event `E`. */
export type ClientEventPayload<E extends ClientEventName> = z.input<(typeof ClientEvents)[E]['request']>;
/** What the ack of client event `E` carries when it succeeds. */
export type AckData<E extends ClientEventName> = z.infer<(typeof ClientEvents)[E]['ack']>;

export type ClientToServerEvents = {
  [E in ClientEventName]: E extends 'typing'
    ? (req: ClientEventPayload<E>, ack?: Ack<AckData<E>>) => void
    : (req: ClientEventPayload<E>, ack: Ack<AckData<E>>) => void;
};

export const CLIENT_EVENTS = Object.keys(ClientEvents) as ClientEventName[];

/** Every server → client event: the schema of its payload. */
export const ServerEvents = {
  hello: Hello,
  'stream.event': StreamEvent,
  'channel.joined': ChannelSummary,
  'channel.left': ChannelId,
  'read.state': ReadState,
  /** Your preferences changed (on any of your devices). */
  preferences: Preferences,
  typing: z.object({ channelId: z.string(), userId: z.string() }),
  /** Users who came online or went offline since the last batch (sent at most every ~0.5 s). */
  presence: z.object({ changes: z.array(z.object({ userId: z.string(), status: Presence })) }),
  /** The server is going away; reconnect after `reconnectAfterMs` (already jittered). */
  'server.shutdown': z.object({ reconnectAfterMs: z.number() }),
  /**
   * Live events may have been missed (the server's link to its other nodes broke and is back):
   * catch up every stream with `sync`, as after a reconnect.
   */
  'server.resync': z.object({}),
  /** Someone's account changed (display name, admin, deactivated) or was created: sent to everyone. */
  'user.changed': User,
  // Threads
  /** Your read state in a thread you follow moved (on any of your devices). */
  'thread.state': ThreadState,
  // Topics
  /** A new message in a topic you follow and may read (its `seq` says where it goes: gaps are fetched). */
  'topic.message': TopicMessage,
  /** You followed a topic, muted or unmuted it, or your read position in one moved (on any of your devices). */
  'topic.state': FollowedTopic,
  'topic.unfollowed': TopicRef,
} as const;

export type ServerEventName = keyof typeof ServerEvents;
/** The payload of server event `E`. */
export type ServerEventPayload<E extends ServerEventName> = z.infer<(typeof ServerEvents)[E]>;

export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerEventPayload<E>) => void;
};

/** What a client puts in the Socket.IO handshake `auth` field. */
export interface HandshakeAuth {
  token: string;
  protocolVersion: number;
}
