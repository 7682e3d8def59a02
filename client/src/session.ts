// The session core: one signed-in account's connection, streams, outbox and cache, behind the
// request/event contract of contract.ts. The UI reaches it over a port (port.ts); Node code may
// hold it directly.
import { z } from 'zod';
import {
  DEFAULT_SERVER_LIMITS,
  newId,
  SwitchboardError,
  type Channel,
  type ChannelSummary,
  type Hello,
  type Message,
  type Preferences,
  type Presence,
  type ReadState,
  type SendAck,
  type ServerLimits,
  type StreamEvent,
  type User,
} from '@switchboard/protocol';
import { EventBatcher } from './batch.ts';
import { CACHE_LIMIT, HistoryCache } from './cache.ts';
import { Connection, systemClock, type Clock, type SocketFactory } from './connection.ts';
import {
  Results,
  UserShape,
  type ConnectionState,
  type DisplayMessage,
  type RequestMethod,
  type RequestParams,
  type RequestResults,
  type SessionApi,
  type SessionEventName,
  type SessionEvents,
  type SessionSnapshot,
} from './contract.ts';
import { Emitter } from './emitter.ts';
import { describeError, silentLogger, type Logger } from './log.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { normalizeServerUrl, restCall } from './rest.ts';
import { deletePrefix, type KeyValueStorage } from './storage.ts';
import { Stream } from './stream.ts';
import { Synchronizer, type CatchUpState, type SyncHost } from './sync.ts';

export interface SessionOptions {
  storage: KeyValueStorage;
  /** Overrides the stored server address (a web client served by a server uses its own origin). */
  serverUrl?: string;
  /** Transport and time, injectable for tests. */
  createSocket?: SocketFactory;
  clock?: Clock;
  random?: () => number;
  protocolVersion?: number;
  /** Hears what the core drops or cannot do (invalid server data, storage failures); silent if left out. */
  logger?: Logger;
}

const SESSION_KEY = 'session';
const OLDER_PAGE = 50;
/** Room left in a packet for everything but the message text. */
const PACKET_OVERHEAD_BYTES = 1_024;

const SessionRecord = z.object({
  serverUrl: z.string().nullable(),
  token: z.string().nullable(),
  user: UserShape.nullable(),
});
type SessionRecord = z.infer<typeof SessionRecord>;
const SignedIn = z.object({ token: z.string().min(1), user: UserShape });

/** Everything that exists only while an account is signed in. */
interface Account {
  user: User;
  token: string;
  connection: Connection;
  cache: HistoryCache;
  outbox: Outbox;
  sync: Synchronizer;
}

type Handlers = { [M in RequestMethod]: (params: RequestParams<M>) => Promise<RequestResults[M]> };

/** Parses a REST answer; a server that answers otherwise is not one this app can talk to. */
function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (!parsed.success)
    throw new SwitchboardError('unavailable', 'the server sent an answer this app does not understand');
  return parsed.data;
}

const userPrefix = (userId: string) => `user/${userId}/`;
const sent = (m: Message): DisplayMessage => ({ ...m, delivery: 'sent' });
type PreferenceKey = keyof Preferences;
const samePreferences = (a: Preferences, b: Preferences): boolean =>
  (Object.keys({ ...a, ...b }) as PreferenceKey[]).every((key) => a[key] === b[key]);
const sameLimits = (a: ServerLimits, b: ServerLimits): boolean =>
  a.maxMessageLength === b.maxMessageLength && a.maxPayloadBytes === b.maxPayloadBytes;

export class SessionCore implements SessionApi {
  private readonly events = new Emitter<SessionEvents>();
  private readonly batch: EventBatcher;
  private readonly clock: Clock;
  private readonly log: Logger;
  private serverUrl: string | null = null;
  private account: Account | null = null;
  private connectionState: ConnectionState = { status: 'signed-out' };
  /** How far catch-up has got; shown as a nuance of the `online` state. */
  private catchUpState: CatchUpState = { catchingUp: false };
  private networkAvailable = true;
  private epoch: string | null = null;
  private limits = DEFAULT_SERVER_LIMITS;
  private preferences: Preferences = {};
  /**
   * Keys changed here that the server has not stored yet: what it says about them is older. They are
   * sent on every connect until stored; the other keys follow the server.
   */
  private pendingPreferences = new Set<PreferenceKey>();
  /** One `preferences.set` at a time, so the server stores them in the order they were made. */
  private preferencesPush: Promise<void> = Promise.resolve();
  private channels = new Map<string, ChannelSummary>();
  /** When each channel last changed locally, counted in `channelChanges`. */
  private readonly channelStamps = new Map<string, number>();
  private channelChanges = 0;
  private users = new Map<string, User & { presence: Presence }>();
  private readonly streams = new Map<string, Stream>();
  private refreshingUsers = false;

  private constructor(private readonly options: SessionOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.batch = new EventBatcher(
      {
        messages: (payload) => this.events.emit('messages', payload),
        channels: () => this.events.emit('channels', this.channelList()),
      },
      this.clock,
    );
  }

  /** Opens the session stored in `options.storage`, reconnecting if it was signed in. */
  static async open(options: SessionOptions): Promise<SessionCore> {
    const core = new SessionCore(options);
    await core.restore();
    return core;
  }

  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void {
    return this.events.on(name, handler);
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]> {
    const handler = this.handlers[method] as (p: RequestParams<M>) => Promise<RequestResults[M]>;
    return handler(params);
  }

  /** The platform's view of the network (browser online/offline events, OS power events). */
  setNetworkAvailable(available: boolean): void {
    this.networkAvailable = available;
    this.account?.connection.setNetworkAvailable(available);
  }

  /** Stops everything and releases the storage; pending messages stay in the outbox. */
  async close(): Promise<void> {
    await this.endAccount(false);
    this.events.clear();
    await this.options.storage.close();
  }

  private readonly handlers: Handlers = {
    getSnapshot: async () => this.snapshot(),
    setServer: async ({ serverUrl }) => {
      const url = normalizeServerUrl(serverUrl);
      if (url === this.serverUrl) return null;
      await this.signOut();
      await this.switchServer(url);
      this.events.emit('snapshot', this.snapshot());
      return null;
    },
    authStatus: async () =>
      parseAnswer(Results.authStatus, await restCall(this.requireServer(), 'GET', '/api/v1/auth/status')),
    signIn: async (params) =>
      this.beginAccount(await restCall(this.requireServer(), 'POST', '/api/v1/auth/login', { json: params })),
    setupAdmin: async (params) =>
      this.beginAccount(await restCall(this.requireServer(), 'POST', '/api/v1/auth/setup', { json: params })),
    register: async (params) =>
      this.beginAccount(
        await restCall(this.requireServer(), 'POST', '/api/v1/auth/register', { json: params }),
      ),
    signOut: async () => {
      await this.signOut();
      return null;
    },
    reconnectNow: async () => {
      this.account?.connection.reconnectNow();
      this.account?.sync.retryNow();
      return null;
    },
    openChannel: async ({ channelId }) => this.openChannel(channelId),
    loadOlder: async ({ channelId }) => this.loadOlder(channelId),
    send: async ({ channelId, text }) => {
      const account = this.requireAccount();
      this.requireChannel(channelId);
      this.checkLength(text);
      const entry = await account.outbox.add({
        clientId: newId(),
        channelId,
        text,
        queuedAt: this.clock.now(),
      });
      this.batch.upsert(channelId, [this.queuedView(entry)]);
      return { clientId: entry.clientId };
    },
    retrySend: async ({ clientId }) => {
      const entry = await this.requireAccount().outbox.retry(clientId);
      this.batch.upsert(entry.channelId, [this.queuedView(entry)]);
      return null;
    },
    discardSend: async ({ clientId }) => {
      const entry = await this.requireAccount().outbox.discard(clientId);
      this.batch.remove(entry.channelId, [clientId]);
      return null;
    },
    edit: async (params) => {
      this.checkLength(params.text);
      const message = await this.call<Message>('message.edit', params);
      this.applyStored(message, 'edited');
      return message;
    },
    delete: async (params) => {
      const message = await this.call<Message>('message.delete', params);
      this.applyStored(message, 'deleted');
      return message;
    },
    markRead: async (params) => {
      this.applyReadState(await this.call<ReadState>('read.mark', params));
      return null;
    },
    typing: async (params) => {
      this.requireAccount().connection.emitVolatile('typing', params);
      return null;
    },
    createChannel: async (params) =>
      this.upsertChannel(await this.call<ChannelSummary>('channel.create', params)),
    joinChannel: async (params) =>
      this.upsertChannel(await this.call<ChannelSummary>('channel.join', params)),
    leaveChannel: async (params) => {
      await this.call('channel.leave', params);
      this.forgetChannel(params.channelId);
      return null;
    },
    inviteToChannel: async (params) => {
      await this.call('channel.invite', params);
      return null;
    },
    channelMembers: async (params) => this.call<{ userIds: string[] }>('channel.members', params),
    openDirect: async (params) => this.upsertChannel(await this.call<ChannelSummary>('direct.open', params)),
    listPublicChannels: async () => {
      const { channels } = await this.call<{ channels: Channel[] }>('channel.list', {});
      return { channels: channels.filter((c) => c.kind === 'public') };
    },
    setPreferences: async (changes) => this.changePreferences(changes),
  };

  // --- account lifecycle ---------------------------------------------------------------------

  private async restore(): Promise<void> {
    if (this.options.serverUrl !== undefined) {
      const url = normalizeServerUrl(this.options.serverUrl);
      if (url !== (await this.readRecord()).serverUrl) await this.switchServer(url);
    }
    const record = await this.readRecord();
    this.serverUrl = record.serverUrl;
    if (record.token && record.user) await this.startAccount(record.token, record.user);
  }

  /** Tokens and history belong to one server: moving to another forgets the last account's. */
  private async switchServer(url: string): Promise<void> {
    const { user } = await this.readRecord();
    if (user) await deletePrefix(this.options.storage, userPrefix(user.id));
    this.serverUrl = url;
    await this.saveRecord({ serverUrl: url, token: null, user: null });
  }

  private async beginAccount(answer: unknown): Promise<User> {
    const { token, user } = parseAnswer(SignedIn, answer);
    const previous = this.account?.user ?? (await this.readRecord()).user;
    await this.endAccount(false);
    // Another account's history and outbox have no business on this device any more.
    if (previous && previous.id !== user.id)
      await deletePrefix(this.options.storage, userPrefix(previous.id));
    await this.saveRecord({ serverUrl: this.serverUrl, token, user });
    await this.startAccount(token, user);
    return user;
  }

  private async startAccount(token: string, user: User): Promise<void> {
    const storage = this.options.storage;
    const prefix = userPrefix(user.id);
    const cache = new HistoryCache(storage, prefix, this.clock);
    const meta = await cache.loadMeta();
    this.epoch = meta.epoch;
    this.limits = meta.limits;
    this.preferences = meta.preferences;
    this.pendingPreferences = new Set(meta.pendingPreferences);
    this.channels = new Map(meta.channels.map((c) => [c.id, c]));
    this.users = new Map(meta.users.map((u) => [u.id, { ...u, presence: 'offline' as Presence }]));
    for (const [id, saved] of await cache.loadStreams()) this.streams.set(id, new Stream(id, saved));

    const outbox = await Outbox.open(
      storage,
      `${prefix}outbox/`,
      {
        delivered: (entry, ack) => this.onDelivered(entry, ack),
        changed: (entry) => this.batch.upsert(entry.channelId, [this.queuedView(entry)]),
        removed: (entry) => this.batch.remove(entry.channelId, [entry.clientId]),
      },
      { clock: this.clock, logger: this.log },
    );
    const connection = new Connection({
      url: this.requireServer(),
      token,
      protocolVersion: this.options.protocolVersion,
      createSocket: this.options.createSocket,
      clock: this.clock,
      random: this.options.random,
      logger: this.log,
    });
    const sync = new Synchronizer(this.syncHost(), {
      clock: this.clock,
      random: this.options.random,
      logger: this.log,
    });
    const account: Account = { user, token, connection, cache, outbox, sync };
    this.account = account;

    connection.on('state', (state) => {
      if (state.status !== 'online') {
        outbox.pause();
        sync.pause();
      }
      this.showConnection(state);
    });
    connection.on('online', (hello) => this.onOnline(account, hello));
    connection.on('unauthorized', () =>
      this.onUnauthorized(account).catch((err: unknown) =>
        this.log.error('could not record that the session was signed out', { error: describeError(err) }),
      ),
    );
    connection.onServer('stream.event', (event) => this.onStreamEvent(event));
    connection.onServer('channel.joined', (summary) => this.upsertChannel(summary));
    connection.onServer('channel.left', ({ channelId }) => this.forgetChannel(channelId));
    connection.onServer('read.state', (state) => this.applyReadState(state));
    connection.onServer('preferences', (preferences) => this.applyPreferences(this.withPending(preferences)));
    connection.onServer('typing', (event) => {
      if (event.userId !== account.user.id) this.events.emit('typing', event);
    });
    connection.onServer('presence', (event) => {
      for (const change of event.changes) this.onPresence(change.userId, change.status);
    });
    connection.setNetworkAvailable(this.networkAvailable);
    connection.start();
    this.events.emit('snapshot', this.snapshot());
  }

  /** Tears down the signed-in account; `wipe` also forgets its history and outbox on this device. */
  private async endAccount(wipe: boolean): Promise<void> {
    const account = this.account;
    if (!account) return;
    this.account = null;
    account.connection.stop();
    account.sync.stop();
    this.catchUpState = { catchingUp: false };
    this.batch.clear();
    await account.outbox.close();
    await (wipe ? account.cache.clear() : account.cache.flush());
    this.channels = new Map();
    this.channelStamps.clear();
    this.users = new Map();
    this.streams.clear();
    this.epoch = null;
    this.limits = DEFAULT_SERVER_LIMITS;
    this.preferences = {};
    this.pendingPreferences = new Set();
    this.connectionState = { status: 'signed-out' };
    this.events.emit('connection', this.connectionState);
    this.events.emit('snapshot', this.snapshot());
  }

  private async signOut(): Promise<void> {
    const account = this.account;
    if (!account || !this.serverUrl) return;
    // Revoking the token is a courtesy to the server; signing out works offline too.
    await restCall(this.serverUrl, 'POST', '/api/v1/auth/logout', { token: account.token }).catch(() => {});
    await this.endAccount(true);
    await this.saveRecord({ serverUrl: this.serverUrl, token: null, user: null });
  }

  private async onUnauthorized(account: Account): Promise<void> {
    if (this.account !== account) return;
    // Keep history and outbox: signing in again as the same user picks them up.
    await this.endAccount(false);
    await this.saveRecord({ serverUrl: this.serverUrl, token: null, user: account.user });
  }

  private onOnline(account: Account, hello: Hello): void {
    if (this.account !== account) return;
    account.user = hello.user;
    if (!sameLimits(this.limits, hello.limits)) {
      this.limits = hello.limits;
      this.saveMeta();
      this.events.emit('snapshot', this.snapshot());
    }
    account.outbox.resume((entry) => {
      this.checkLength(entry.text);
      return account.connection.request<SendAck>('message.send', {
        channelId: entry.channelId,
        clientId: entry.clientId,
        text: entry.text,
      });
    });
    void account.sync.catchUpAll();
    void this.refreshUsers();
    void this.syncPreferences(account);
  }

  // --- streams -------------------------------------------------------------------------------

  private syncHost(): SyncHost {
    return {
      request: (event, payload) => this.call(event, payload),
      epoch: () => this.epoch,
      epochSeen: async (epoch) => {
        if (epoch === this.epoch) return;
        this.epoch = epoch;
        this.saveMeta();
      },
      streams: () => this.streams.values(),
      stream: (channelId) => this.streams.get(channelId),
      channelMark: () => this.channelChanges,
      channelsSynced: (channels, mark) => {
        // Changes made while the answer was on its way (a channel created, left, read) are newer.
        const changedSince = (id: string) => (this.channelStamps.get(id) ?? 0) > mark;
        const merged = new Map<string, ChannelSummary>();
        for (const c of channels) {
          const local = changedSince(c.id) ? this.channels.get(c.id) : c;
          if (local) merged.set(c.id, local);
        }
        for (const [id, local] of this.channels)
          if (!merged.has(id) && changedSince(id)) merged.set(id, local);
        this.channels = merged;
        for (const id of [...this.streams.keys()]) if (!this.channels.has(id)) this.forgetStream(id);
        this.batch.channelList();
        this.saveMeta();
      },
      applied: (stream, changed, reset) => this.applied(stream, changed, reset),
      online: () => this.account?.connection.state.status === 'online',
      progress: (state) => {
        this.catchUpState = state;
        if (this.connectionState.status === 'online') this.showConnection({ status: 'online' });
      },
    };
  }

  /** Publishes the connection's state; `online` carries how far catch-up has got. */
  private showConnection(state: ConnectionState): void {
    const { catchingUp, retryAt, reason } = this.catchUpState;
    this.connectionState =
      state.status === 'online' && catchingUp
        ? { status: 'online', catchingUp: retryAt === undefined ? {} : { retryAt, reason: reason ?? '' } }
        : state;
    this.events.emit('connection', this.connectionState);
  }

  private applied(stream: Stream, changed: Message[], reset: boolean): void {
    const account = this.account;
    if (!account || this.streams.get(stream.channelId) !== stream) return;
    const channelId = stream.channelId;
    // A stored copy of one of our queued messages settles it, even if its ack never arrived.
    const settled = changed
      .filter((m) => m.authorId === account.user.id && account.outbox.has(m.clientId))
      .map((m) => m.clientId);
    for (const clientId of settled) void account.outbox.settle(clientId);
    if (reset) this.batch.reset(channelId, this.view(channelId, stream));
    else {
      this.batch.upsert(channelId, changed.map(sent));
      this.batch.remove(channelId, settled);
    }
    account.cache.saveStream(channelId, () => stream.snapshot(CACHE_LIMIT));
  }

  private onStreamEvent(event: StreamEvent): void {
    this.countChange(event);
    const stream = this.streams.get(event.channelId);
    if (!stream) return;
    this.applied(stream, stream.applyLive(event), false);
    if (stream.hasGap) void this.account?.sync.catchUp(event.channelId);
  }

  /** A stored message we got as an answer (send ack, edit, delete): a change like a live one. */
  private applyStored(message: Message, kind: StreamEvent['kind']): void {
    this.onStreamEvent({ channelId: message.channelId, seq: message.changeSeq, kind, message });
  }

  private onDelivered(entry: OutboxEntry, ack: SendAck): void {
    this.batch.remove(entry.channelId, [entry.clientId]);
    this.applyStored(ack.message, 'created');
  }

  private async openChannel(channelId: string): Promise<RequestResults['openChannel']> {
    const account = this.requireAccount();
    this.requireChannel(channelId);
    let stream = this.streams.get(channelId);
    if (!stream) this.streams.set(channelId, (stream = new Stream(channelId)));
    if (stream.cursor === null && this.connectionState.status === 'online') {
      // Offline or failing, the channel shows what the cache has and fills in by `messages` events
      // once connected or once a retry gets through.
      await account.sync.catchUp(channelId);
    }
    return { messages: this.view(channelId, stream), hasOlder: stream.hasOlder };
  }

  private async loadOlder(channelId: string): Promise<RequestResults['loadOlder']> {
    const stream = this.streams.get(channelId);
    if (!stream || stream.cursor === null)
      throw new SwitchboardError('bad_request', 'open the channel first');
    if (!stream.hasOlder) return { messages: [], hasOlder: false };
    const generation = stream.generation;
    const before = stream.oldestSeq ?? Number.MAX_SAFE_INTEGER;
    const page = await this.call<{ messages: Message[]; hasMore: boolean }>('channel.history', {
      channelId,
      before,
      limit: OLDER_PAGE,
    });
    // A reset while the page was on its way: the page belongs to a state that no longer exists.
    if (this.streams.get(channelId) !== stream || stream.generation !== generation)
      return { messages: [], hasOlder: stream.hasOlder };
    return { messages: stream.addOlder(page.messages, page.hasMore).map(sent), hasOlder: stream.hasOlder };
  }

  private view(channelId: string, stream: Stream): DisplayMessage[] {
    const queued = this.account?.outbox.list(channelId) ?? [];
    return [...stream.list().map(sent), ...queued.map((e) => this.queuedView(e))];
  }

  private queuedView(entry: OutboxEntry): DisplayMessage {
    const view: DisplayMessage = {
      id: entry.clientId,
      channelId: entry.channelId,
      seq: 0,
      changeSeq: 0,
      authorId: this.account?.user.id ?? '',
      clientId: entry.clientId,
      text: entry.text,
      mentions: [],
      ts: entry.queuedAt,
      editedAt: null,
      deletedAt: null,
      delivery: entry.state,
    };
    if (entry.failure) view.failure = entry.failure;
    return view;
  }

  private forgetStream(channelId: string): void {
    if (!this.streams.delete(channelId)) return;
    void this.account?.cache.deleteStream(channelId).catch(() => {});
  }

  // --- channels, read state, users -----------------------------------------------------------

  private upsertChannel(summary: ChannelSummary): ChannelSummary {
    this.channels.set(summary.id, summary);
    this.channelStamps.set(summary.id, ++this.channelChanges);
    this.batch.channelList();
    this.saveMeta();
    return summary;
  }

  private forgetChannel(channelId: string): void {
    this.channels.delete(channelId);
    this.channelStamps.set(channelId, ++this.channelChanges);
    this.forgetStream(channelId);
    this.batch.channelList();
    this.saveMeta();
  }

  private applyReadState(state: ReadState): void {
    const channel = this.channels.get(state.channelId);
    if (!channel) return;
    this.upsertChannel({
      ...channel,
      readSeq: state.readSeq,
      unreadCount: state.unreadCount,
      mentionCount: state.mentionCount,
    });
  }

  /** Keeps unread and mention counts current between syncs, which bring the server's exact counts. */
  private countChange(event: StreamEvent): void {
    const channel = this.channels.get(event.channelId);
    const me = this.account?.user.id;
    if (!channel || !me || event.seq <= channel.headSeq) return;
    const m = event.message;
    const next = { ...channel, headSeq: event.seq };
    if (event.kind === 'created' && m.authorId === me) {
      // The server counts writing in a channel as having read it.
      Object.assign(next, { readSeq: m.seq, unreadCount: 0, mentionCount: 0 });
    } else if (m.authorId !== me && m.seq > channel.readSeq) {
      if (event.kind === 'created') {
        next.unreadCount += 1;
        if (m.mentions.includes(me)) next.mentionCount += 1;
      } else if (event.kind === 'deleted') {
        // The deleted copy has no mentions left: whether it had one, only the copy we held can say.
        const before = this.streams.get(event.channelId)?.get(m.id);
        next.unreadCount = Math.max(0, next.unreadCount - 1);
        if (before?.mentions.includes(me)) next.mentionCount = Math.max(0, next.mentionCount - 1);
      }
    }
    this.upsertChannel(next);
  }

  private async refreshUsers(): Promise<void> {
    if (this.refreshingUsers) return;
    this.refreshingUsers = true;
    try {
      const { users } = await this.call<{ users: (User & { presence: Presence })[] }>('user.list', {});
      this.users = new Map(users.map((u) => [u.id, u]));
      this.saveMeta();
      this.events.emit('snapshot', this.snapshot());
    } catch {
      // The next connect asks again.
    } finally {
      this.refreshingUsers = false;
    }
  }

  private onPresence(userId: string, status: Presence): void {
    const user = this.users.get(userId);
    if (!user) return void this.refreshUsers();
    this.users.set(userId, { ...user, presence: status });
    this.events.emit('presence', { userId, status });
  }

  // --- preferences ---------------------------------------------------------------------------

  /** Applies a change here at once, then stores it on the server: now, or once connected. */
  private async changePreferences(changes: Preferences): Promise<Preferences> {
    const account = this.requireAccount();
    for (const key of Object.keys(changes) as PreferenceKey[]) this.pendingPreferences.add(key);
    this.applyPreferences({ ...this.preferences, ...changes });
    if (this.connectionState.status === 'online') await this.pushPreferences(account);
    return this.preferences;
  }

  /** After a connect: what the server has (changed elsewhere meanwhile), with our own changes on top. */
  private async syncPreferences(account: Account): Promise<void> {
    try {
      const stored = await this.call<Preferences>('preferences.get', {});
      if (this.account !== account) return;
      this.applyPreferences(this.withPending(stored));
    } catch {
      return; // The next connect asks again.
    }
    await this.pushPreferences(account);
  }

  private pushPreferences(account: Account): Promise<void> {
    this.preferencesPush = this.preferencesPush.then(async () => {
      if (this.account !== account || this.pendingPreferences.size === 0) return;
      const sent = this.preferences;
      try {
        const stored = await this.call<Preferences>('preferences.set', sent);
        if (this.account !== account) return;
        // A key changed again while this was on its way stays pending: the next push sends it.
        for (const key of this.pendingPreferences)
          if (this.preferences[key] === sent[key]) this.pendingPreferences.delete(key);
        this.applyPreferences(this.withPending(stored));
      } catch {
        // Still pending: the next connect sends it again.
      }
    });
    return this.preferencesPush;
  }

  /** What the server says, except for keys changed here that it has not stored yet. */
  private withPending(server: Preferences): Preferences {
    const ours = [...this.pendingPreferences].map((key) => [key, this.preferences[key]]);
    return { ...server, ...(Object.fromEntries(ours) as Preferences) };
  }

  private applyPreferences(preferences: Preferences): void {
    if (samePreferences(preferences, this.preferences)) return;
    this.preferences = preferences;
    this.saveMeta();
    this.events.emit('preferences', preferences);
  }

  // --- helpers -------------------------------------------------------------------------------

  private snapshot(): SessionSnapshot {
    return {
      serverUrl: this.serverUrl,
      user: this.account?.user ?? null,
      connection: this.connectionState,
      channels: this.channelList(),
      users: [...this.users.values()].sort((a, b) => a.username.localeCompare(b.username)),
      preferences: this.preferences,
      limits: this.limits,
    };
  }

  private channelList(): ChannelSummary[] {
    return [...this.channels.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private saveMeta(): void {
    this.account?.cache.saveMeta(() => ({
      epoch: this.epoch,
      channels: this.channelList(),
      users: [...this.users.values()].map(({ presence: _presence, ...user }) => user),
      limits: this.limits,
      preferences: this.preferences,
      pendingPreferences: [...this.pendingPreferences],
    }));
  }

  private call<T>(event: Parameters<Connection['request']>[0], payload: unknown): Promise<T> {
    return this.requireAccount().connection.request<T>(event, payload);
  }

  private checkLength(text: string): void {
    const { maxMessageLength, maxPayloadBytes } = this.limits;
    if (text.length > maxMessageLength) {
      throw new SwitchboardError(
        'payload_too_large',
        `message is ${text.length} characters; this server allows ${maxMessageLength}`,
      );
    }
    if (new TextEncoder().encode(text).length > maxPayloadBytes - PACKET_OVERHEAD_BYTES) {
      throw new SwitchboardError('payload_too_large', 'message is too large for this server');
    }
  }

  private requireServer(): string {
    if (!this.serverUrl) throw new SwitchboardError('bad_request', 'set the server address first');
    return this.serverUrl;
  }

  private requireAccount(): Account {
    if (!this.account) throw new SwitchboardError('unauthorized', 'sign in first');
    return this.account;
  }

  private requireChannel(channelId: string): void {
    if (!this.channels.has(channelId)) throw new SwitchboardError('forbidden', 'join the channel first');
  }

  private async readRecord(): Promise<SessionRecord> {
    const parsed = SessionRecord.safeParse(await this.options.storage.get(SESSION_KEY));
    return parsed.success ? parsed.data : { serverUrl: null, token: null, user: null };
  }

  private saveRecord(record: SessionRecord): Promise<void> {
    return this.options.storage.set(SESSION_KEY, record);
  }
}
