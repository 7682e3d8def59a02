// Socket.IO event map: the apps' protocol. Every client → server event takes a payload and an ack
// callback, and the ack is always a Result. Documented for other-language clients in docs/protocol.md.
import type { ErrorBody } from './errors.ts';
import type {
  BrowseChannelsPage,
  Channel,
  ChannelSummary,
  Hello,
  Message,
  Presence,
  ReadState,
  SendAck,
  StreamEvent,
  SyncResponse,
  User,
} from './models.ts';
import type {
  BrowseChannelsRequest,
  CreateChannelRequest,
  EditMessageRequest,
  HistoryRequest,
  MarkReadRequest,
  Preferences,
  SendMessageRequest,
  SyncRequest,
} from './schemas.ts';

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type Ack<T> = (result: Result<T>) => void;

export interface ClientToServerEvents {
  sync: (req: SyncRequest, ack: Ack<SyncResponse>) => void;
  'message.send': (req: SendMessageRequest, ack: Ack<SendAck>) => void;
  'message.edit': (req: EditMessageRequest, ack: Ack<Message>) => void;
  'message.delete': (req: { messageId: string }, ack: Ack<Message>) => void;
  'channel.history': (req: HistoryRequest, ack: Ack<{ messages: Message[]; hasMore: boolean }>) => void;
  'channel.create': (req: CreateChannelRequest, ack: Ack<ChannelSummary>) => void;
  'channel.join': (req: { channelId: string }, ack: Ack<ChannelSummary>) => void;
  'channel.leave': (req: { channelId: string }, ack: Ack<{ channelId: string }>) => void;
  'channel.invite': (
    req: { channelId: string; userId: string },
    ack: Ack<{ channelId: string; userId: string }>,
  ) => void;
  'channel.members': (req: { channelId: string }, ack: Ack<{ userIds: string[] }>) => void;
  'channel.list': (req: Record<string, never>, ack: Ack<{ channels: Channel[] }>) => void;
  'channel.browse': (req: BrowseChannelsRequest, ack: Ack<BrowseChannelsPage>) => void;
  'direct.open': (req: { userId: string }, ack: Ack<ChannelSummary>) => void;
  'read.mark': (req: MarkReadRequest, ack: Ack<ReadState>) => void;
  'user.list': (req: Record<string, never>, ack: Ack<{ users: (User & { presence: Presence })[] }>) => void;
  'preferences.get': (req: Record<string, never>, ack: Ack<Preferences>) => void;
  /** Replaces your preferences; keys left out go back to the app's defaults. */
  'preferences.set': (req: Preferences, ack: Ack<Preferences>) => void;
  typing: (req: { channelId: string }, ack?: Ack<null>) => void;
}

export interface ServerToClientEvents {
  hello: (hello: Hello) => void;
  'stream.event': (event: StreamEvent) => void;
  'channel.joined': (channel: ChannelSummary) => void;
  'channel.left': (ref: { channelId: string }) => void;
  'read.state': (state: ReadState) => void;
  /** Your preferences changed (on any of your devices). */
  preferences: (preferences: Preferences) => void;
  typing: (ev: { channelId: string; userId: string }) => void;
  /** Users who came online or went offline since the last batch (sent at most every ~0.5 s). */
  presence: (ev: { changes: { userId: string; status: Presence }[] }) => void;
  /** The server is going away; reconnect after `reconnectAfterMs` (already jittered). */
  'server.shutdown': (ev: { reconnectAfterMs: number }) => void;
}

export const CLIENT_EVENTS = [
  'sync',
  'message.send',
  'message.edit',
  'message.delete',
  'channel.history',
  'channel.create',
  'channel.join',
  'channel.leave',
  'channel.invite',
  'channel.members',
  'channel.list',
  'channel.browse',
  'direct.open',
  'read.mark',
  'user.list',
  'preferences.get',
  'preferences.set',
  'typing',
] as const satisfies readonly (keyof ClientToServerEvents)[];

/** What a client puts in the Socket.IO handshake `auth` field. */
export interface HandshakeAuth {
  token: string;
  protocolVersion: number;
}
