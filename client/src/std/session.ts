// The session core: one signed-in account's connection, streams, outbox and cache, behind the
// request/event contract of contract.ts. The UI reaches it over a port (port.ts); Node code may
// hold it directly. This file is the wiring: each job lives in its own module under session/ —
// the sign-in record (account.ts), channels and counts (channels.ts), people and presence
// (users.ts), message views (messages.ts), preferences (preferences.ts), open threads
// (threadViews.ts), followed threads (followedThreads.ts) and followed topics (topics.ts) — and here they are put together, given
// the account's connection, and answer the requests.
import {
  dayBounds,
  DEFAULT_SERVER_LIMITS,
  formatSearchQuery,
  messageTextTooLarge,
  newId,
  parseSearchQuery,
  SwitchboardError,
  type AckData,
  type ClientEventName,
  type ClientEventPayload,
  type Hello,
  type ServerLimits,
  type ChannelSummary,
  type User,
} from '@switchboard/protocol';
import type { z } from 'zod';
import { HistoryCache } from './cache.ts';
import { Connection, systemClock, type Clock, type SocketFactory } from './connection.ts';
import {
  Requests,
  type ConnectionState,
  type RequestMethod,
  type RequestParams,
  type RequestResults,
  type SessionApi,
  type SessionEventName,
  type SessionEvents,
  type SessionSnapshot,
} from './contract.ts';
import { sentMessage } from './display.ts';
import { Emitter } from './emitter.ts';
import { validationError } from './errors.ts';
import { describeError, silentLogger, type Logger } from './log.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { normalizeServerUrl } from './rest.ts';
import { AccountRecord, userPrefix, type SignedIn, type SignInMethod } from './session/account.ts';
import { Channels } from './session/channels.ts';
import { FileTransfers } from './session/files.ts';
import { FOLLOWED_THREADS_PAGE, FollowedThreads } from './session/followedThreads.ts';
import { AccountManagement } from './session/manage.ts';
import { MessageViews } from './session/messages.ts';
import { Notifications } from './session/notifications.ts';
import { PreferenceSync } from './session/preferences.ts';
import { ThreadViews } from './session/threadViews.ts';
import { FollowedTopics } from './session/topics.ts';
import { Users } from './session/users.ts';
import type { KeyValueStorage } from './storage.ts';
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

/** Everything that exists only while an account is signed in. */
interface Account {
  user: User;
  token: string;
  connection: Connection;
  cache: HistoryCache;
  outbox: Outbox;
  sync: Synchronizer;
}

/** Messages shown around a search result. */
const AROUND_PAGE = 50;

type Handlers = { [M in RequestMethod]: (params: RequestParams<M>) => Promise<RequestResults[M]> };

const sameLimits = (a: ServerLimits, b: ServerLimits): boolean =>
  a.maxMessageLength === b.maxMessageLength &&
  a.maxPayloadBytes === b.maxPayloadBytes &&
  a.maxFileBytes === b.maxFileBytes;

export class SessionCore implements SessionApi {
  private readonly events = new Emitter<SessionEvents>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly record: AccountRecord;
  private readonly channels: Channels;
  private readonly users: Users;
  private readonly preferences: PreferenceSync;
  private readonly views: MessageViews;
  private readonly notifications: Notifications;
  private readonly manage: AccountManagement;
  private readonly transfers: FileTransfers;
  private readonly threadViews: ThreadViews;
  private readonly followed: FollowedThreads;
  private readonly topics: FollowedTopics;
  private account: Account | null = null;
  private connectionState: ConnectionState = { status: 'signed-out' };
  /** Settles when no move to another server address is under way (see relocate). */
  private relocating: Promise<void> = Promise.resolve();
  /** How far catch-up has got; shown as a nuance of the `online` state. */
  private catchUpState: CatchUpState = { catchingUp: false };
  private networkAvailable = true;
  private epoch: string | null = null;
  private limits = DEFAULT_SERVER_LIMITS;

  private constructor(private readonly options: SessionOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.record = new AccountRecord(options.storage, this.log);
    this.channels = new Channels({
      changed: () => {
        this.events.emit('channels', this.channels.list());
        this.saveMeta();
        this.notifications.readStateChanged();
      },
      forgotten: (channelId) => {
        this.views.forget(channelId);
        this.followed.forgetChannel(channelId);
      },
    });
    this.users = new Users({
      fetch: async () => (await this.call('user.list', {})).users,
      listed: () => {
        this.saveMeta();
        this.events.emit('snapshot', this.snapshot());
      },
      presence: (userId, status) => this.events.emit('presence', { userId, status }),
      self: (user) => {
        if (this.account?.user.id === user.id) this.account.user = user;
      },
    });
    this.manage = new AccountManagement({
      session: () => ({ serverUrl: this.record.requireServer(), token: this.requireAccount().token }),
    });
    this.preferences = new PreferenceSync({
      get: () => this.call('preferences.get', {}),
      set: (preferences) => this.call('preferences.set', preferences),
      changed: (preferences) => {
        this.saveMeta();
        this.events.emit('preferences', preferences);
      },
    });
    this.transfers = new FileTransfers({
      server: () => ({ url: this.record.requireServer(), token: this.requireAccount().token }),
      maxFileBytes: () => this.limits.maxFileBytes,
      tell: (progress) => this.events.emit('upload', progress),
    });
    this.views = new MessageViews({
      account: () => this.account && { userId: this.account.user.id, ...this.account },
      online: () => this.connectionState.status === 'online',
      history: (request) => this.call('channel.history', request),
      counted: (event, before) => {
        if (!this.account) return;
        this.channels.countChange(event, this.account.user.id, before);
        this.followed.countChange(event, this.account.user.id, before);
      },
      messageChanged: (message) => this.threadViews.apply([message]),
      tell: (change) => this.events.emit('messages', change),
    });
    this.notifications = new Notifications({
      me: () => this.account?.user.id ?? null,
      channel: (channelId) => this.channels.get(channelId),
      channels: () => this.channels.list(),
      userName: (userId) => this.users.get(userId)?.displayName ?? null,
      preferences: () => this.preferences.preferences,
      now: () => this.clock.now(),
      show: (notification) => this.events.emit('notification', notification),
      cleared: (channelId) => this.events.emit('notificationCleared', { channelId }),
    });
    this.threadViews = new ThreadViews({
      account: () => {
        const account = this.account;
        return account && { userId: account.user.id, queued: () => account.outbox.list() };
      },
      fetch: (request) => this.call('message.thread', request),
      tell: (change) => this.events.emit('thread', change),
    });
    this.followed = new FollowedThreads({
      fetch: () => this.call('thread.list', { limit: FOLLOWED_THREADS_PAGE }),
      markRead: (messageId, seq) => this.call('thread.read', { messageId, seq }),
      changed: () => {
        this.events.emit('threads', this.followed.list());
        this.saveMeta();
      },
    });
    this.topics = new FollowedTopics({
      list: () => this.call('topic.list', {}),
      follow: (topic) => this.call('topic.follow', { topic }),
      unfollow: (topic) => this.call('topic.unfollow', { topic }),
      page: (topic, after) => this.call('topic.messages', { topic, after }),
      olderPage: (topic, before) => this.call('topic.messages', { topic, before }),
      markRead: (topic, seq) => this.call('topic.read', { topic, seq }),
      mute: (topic, muted) => this.call('topic.mute', { topic, muted }),
      changed: () => {
        this.events.emit('topics', this.topics.summaries());
        this.saveMeta();
      },
      received: (topic, messages, gap) => this.events.emit('topicMessages', { topic, messages, gap }),
      news: (state, messages) => this.notifications.topicMessages(state, messages),
      read: (topic, readSeq) => this.notifications.topicRead(topic, readSeq),
    });
  }

  /** Opens the session stored in `options.storage`, reconnecting if it was signed in. */
  static async open(options: SessionOptions): Promise<SessionCore> {
    const core = new SessionCore(options);
    const signedIn = await core.record.restore(options.serverUrl);
    if (signedIn) await core.startAccount(signedIn);
    return core;
  }

  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void {
    return this.events.on(name, handler);
  }

  /**
   * Every request enters here, from a port or a direct call, and is checked once, here: its params
   * against the method's schema (`validation_failed`), and message text against the server's limits
   * (`payload_too_large`) — the client's one check of the text; the server makes the other.
   */
  async request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]> {
    // A request during a move would see the account torn down and not yet started again.
    await this.relocating;
    const schema: z.ZodType = Requests[method];
    const parsed = schema.safeParse(params);
    if (!parsed.success) throw validationError(method, 'params', parsed.error);
    if (method === 'send' || method === 'edit') {
      const tooLarge = messageTextTooLarge((parsed.data as { text: string }).text, this.limits);
      if (tooLarge) throw new SwitchboardError('payload_too_large', tooLarge);
    }
    const handler = this.handlers[method] as (p: RequestParams<M>) => Promise<RequestResults[M]>;
    return handler(parsed.data as RequestParams<M>);
  }

  /** The platform's view of the network (browser online/offline events, OS power events). */
  setNetworkAvailable(available: boolean): void {
    this.networkAvailable = available;
    this.account?.connection.setNetworkAvailable(available);
  }

  /** The platform's word on whether any of its windows has the focus (the desktop's main process). */
  setWindowFocused(focused: boolean): void {
    this.notifications.setWindowFocused(focused);
  }

  /**
   * The server this session talks to is now at `to` (it was at `from`): the account, its history and
   * its outbox stay, and the connection goes to the new address. Nothing happens if the session
   * talks to another server. For a server the platform runs itself (the desktop's local server).
   */
  async relocate(from: string, to: string): Promise<boolean> {
    if (this.record.serverUrl !== normalizeServerUrl(from)) return false;
    const moved = this.relocating.then(async () => {
      const account = this.account;
      if (account) await this.endAccount(false, true);
      await this.record.relocate(normalizeServerUrl(to));
      if (account) await this.startAccount({ token: account.token, user: account.user });
      else this.events.emit('snapshot', this.snapshot());
    });
    this.relocating = moved.catch(() => undefined);
    await moved;
    return true;
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
      if (url === this.record.serverUrl) return null;
      await this.signOut();
      await this.record.moveTo(url);
      this.events.emit('snapshot', this.snapshot());
      return null;
    },
    authStatus: () => this.record.authStatus(),
    signIn: (params) => this.signIn('signIn', params),
    setupAdmin: (params) => this.signIn('setupAdmin', params),
    register: (params) => this.signIn('register', params),
    signOut: async () => {
      await this.signOut();
      return null;
    },
    reconnectNow: async () => {
      this.account?.connection.reconnectNow();
      this.account?.sync.retryNow();
      return null;
    },
    openChannel: async ({ channelId }) => {
      this.requireAccount();
      this.requireChannel(channelId);
      return this.views.open(channelId);
    },
    loadOlder: async ({ channelId }) => this.views.loadOlder(channelId),
    send: async ({ channelId, text, files, clientId, parentId, alsoInChannel }) => {
      const account = this.requireAccount();
      this.requireChannel(channelId);
      const entry = await account.outbox.add({
        clientId: clientId ?? newId(),
        channelId,
        text,
        files: files ?? [],
        queuedAt: this.clock.now(),
        ...(parentId === undefined ? {} : { parentId, alsoInChannel: alsoInChannel === true }),
      });
      this.queued(entry);
      return { clientId: entry.clientId };
    },
    retrySend: async ({ clientId }) => {
      this.queued(await this.requireAccount().outbox.retry(clientId));
      return null;
    },
    discardSend: async ({ clientId }) => {
      this.unqueued(await this.requireAccount().outbox.discard(clientId));
      return null;
    },
    edit: async (params) => {
      const message = await this.call('message.edit', params);
      this.views.applyStored(message, 'edited');
      return message;
    },
    delete: async (params) => {
      const message = await this.call('message.delete', params);
      this.views.applyStored(message, 'deleted');
      return message;
    },
    markRead: async (params) => {
      this.channels.applyReadState(await this.call('read.mark', params));
      return null;
    },
    typing: async (params) => {
      this.requireAccount().connection.emitVolatile('typing', params);
      return null;
    },
    createChannel: async (params) => this.joined(await this.call('channel.create', params)),
    joinChannel: async (params) => this.joined(await this.call('channel.join', params)),
    leaveChannel: async (params) => {
      await this.call('channel.leave', params);
      this.channels.forget(params.channelId);
      return null;
    },
    inviteToChannel: async (params) => {
      await this.call('channel.invite', params);
      return null;
    },
    channelMembers: (params) => this.call('channel.members', params),
    openDirect: async (params) => this.joined(await this.call('direct.open', params)),
    browseChannels: (params) => this.call('channel.browse', params),
    listPublicChannels: async () => {
      const { channels } = await this.call('channel.list', {});
      return { channels: channels.filter((c) => c.kind === 'public') };
    },
    setPreferences: (changes) => {
      this.requireAccount();
      return this.preferences.change(changes, this.connectionState.status === 'online');
    },
    setFocus: async (onScreen) => {
      this.notifications.setFocus(onScreen);
      return null;
    },
    setFollowing: async ({ channelId, following }) => {
      this.requireAccount();
      this.views.follow(channelId, following);
      return null;
    },
    resetPassword: (params) => this.signIn('resetPassword', params),
    setDisplayName: async (params) => {
      const user = await this.manage.request('setDisplayName', params);
      this.users.changed(user);
      return user;
    },
    changePassword: (params) => this.manage.request('changePassword', params),
    listSessions: (params) => this.manage.request('listSessions', params),
    endSession: (params) => this.manage.request('endSession', params),
    endOtherSessions: (params) => this.manage.request('endOtherSessions', params),
    listPeople: (params) => this.manage.request('listPeople', params),
    updatePerson: async (params) => {
      const user = await this.manage.request('updatePerson', params);
      this.users.changed(user);
      return user;
    },
    resetLink: (params) => this.manage.request('resetLink', params),
    listInvites: (params) => this.manage.request('listInvites', params),
    createInvite: (params) => this.manage.request('createInvite', params),
    revokeInvite: (params) => this.manage.request('revokeInvite', params),
    getRegistration: (params) => this.manage.request('getRegistration', params),
    setRegistration: (params) => this.manage.request('setRegistration', params),
    // --- search ---
    search: async ({ q, cursor }) => {
      const parsed = parseSearchQuery(q);
      // The days typed are the user's: their bounds are taken here, in the user's time zone.
      const days = dayBounds(parsed, ({ year, month, day }) => new Date(year, month - 1, day).getTime());
      const rest = formatSearchQuery({ ...parsed, before: undefined, after: undefined });
      return this.call('search', { q: rest, ...days, ...(cursor === undefined ? {} : { cursor }) });
    },
    // --- files ---
    uploadStart: async (params) => {
      this.requireChannel(params.channelId);
      return this.transfers.start(params);
    },
    uploadChunk: async ({ uploadId, bytes }) => {
      this.transfers.chunk(uploadId, bytes);
      return null;
    },
    uploadFinish: ({ uploadId }) => this.transfers.finish(uploadId),
    uploadCancel: async ({ uploadId }) => {
      this.transfers.cancel(uploadId);
      return null;
    },
    fileBytes: ({ fileId }) => this.transfers.bytes(fileId),
    openAround: async ({ channelId, seq }) => {
      const page = await this.call('channel.history', { channelId, around: seq, limit: AROUND_PAGE });
      return {
        messages: page.messages.map(sentMessage),
        hasOlder: page.hasMore,
        hasNewer: page.hasNewer ?? false,
      };
    },
    updateChannel: async (params) => {
      const channel = await this.call('channel.update', params);
      this.channels.applyDetails(channel);
      return channel;
    },
    openThread: async ({ messageId }) => {
      this.requireAccount();
      return this.threadViews.open(messageId);
    },
    loadOlderReplies: async ({ messageId }) => this.threadViews.loadOlder(messageId),
    closeThread: async ({ messageId }) => {
      this.threadViews.close(messageId);
      return null;
    },
    markThreadRead: async ({ messageId, seq }) => {
      await this.followed.markRead(messageId, seq);
      return null;
    },
    listThreads: async () => {
      this.requireAccount();
      await this.followed.refresh();
      return this.followed.list();
    },
    followTopic: async ({ topic }) => {
      this.requireAccount();
      return this.topics.follow(topic);
    },
    unfollowTopic: async ({ topic }) => {
      await this.topics.unfollow(topic);
      return null;
    },
    openTopic: async ({ topic }) => this.topics.open(topic),
    loadOlderTopicMessages: ({ topic, before }) => this.topics.loadOlder(topic, before),
    muteTopic: async ({ topic, muted }) => {
      await this.topics.setMuted(topic, muted);
      return null;
    },
    markTopicRead: async ({ topic, seq }) => {
      await this.topics.markRead(topic, seq);
      return null;
    },
    setReaction: async ({ messageId, emoji, reacted }) => {
      const message = await this.call(reacted ? 'reaction.add' : 'reaction.remove', { messageId, emoji });
      this.views.applyStored(message, 'reactions');
      return message;
    },
  };

  // --- account lifecycle ---------------------------------------------------------------------

  private async signIn<M extends SignInMethod>(method: M, params: RequestParams<M>): Promise<User> {
    const signedIn = await this.record.signIn(method, params);
    const previous = this.account?.user ?? (await this.record.lastUser());
    await this.endAccount(false);
    await this.record.signedIn(signedIn, previous);
    await this.startAccount(signedIn);
    return signedIn.user;
  }

  private async startAccount({ token, user }: SignedIn): Promise<void> {
    const storage = this.options.storage;
    const prefix = userPrefix(user.id);
    const cache = new HistoryCache(storage, prefix, { clock: this.clock, logger: this.log });
    const meta = await cache.loadMeta();
    this.epoch = meta.epoch;
    this.limits = meta.limits;
    this.preferences.load(meta.preferences, meta.pendingPreferences);
    this.channels.load(meta.channels);
    this.notifications.load(meta.channels);
    this.users.load(meta.users);
    this.followed.load(meta.threads);
    this.topics.load(meta.topics);
    this.views.load(await cache.loadStreams());

    const outbox = await Outbox.open(
      storage,
      `${prefix}outbox/`,
      {
        delivered: (entry, ack) => this.views.delivered(entry, ack),
        changed: (entry) => this.queued(entry),
        removed: (entry) => this.unqueued(entry),
      },
      { clock: this.clock, logger: this.log },
    );
    const connection = new Connection({
      url: this.record.requireServer(),
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
    connection.onServer('stream.event', (event) => {
      this.views.onStreamEvent(event);
      this.notifications.live(event);
    });
    connection.onServer('channel.joined', (summary) => this.joined(summary));
    connection.onServer('channel.left', ({ channelId }) => this.channels.forget(channelId));
    connection.onServer('read.state', (state) => this.channels.applyReadState(state));
    connection.onServer('thread.state', (state) => this.followed.applyState(state));
    connection.onServer('preferences', (preferences) => this.preferences.fromServer(preferences));
    connection.onServer('topic.message', (message) => this.topics.live(message));
    connection.onServer('topic.state', (state) => this.topics.applyState(state));
    connection.onServer('topic.unfollowed', ({ topic }) => this.topics.removed(topic));
    connection.onServer('typing', (event) => {
      if (event.userId !== account.user.id) this.events.emit('typing', event);
    });
    connection.onServer('presence', (event) => {
      for (const change of event.changes) this.users.onPresence(change.userId, change.status);
    });
    // The server may have missed telling us of changes (its link to its other nodes broke).
    connection.onServer('server.resync', () => {
      void account.sync.catchUpAll();
      this.syncTopics();
      void this.users.refresh();
    });
    connection.onServer('user.changed', (user) => this.users.changed(user));
    connection.setNetworkAvailable(this.networkAvailable);
    connection.start();
    this.events.emit('snapshot', this.snapshot());
  }

  /**
   * Tears down the signed-in account; `wipe` also forgets its history and outbox on this device.
   * `quiet`: the UI is not told (the same account starts again at once).
   */
  private async endAccount(wipe: boolean, quiet = false): Promise<void> {
    const account = this.account;
    if (!account) return;
    this.account = null;
    account.connection.stop();
    account.sync.stop();
    this.transfers.clear();
    this.catchUpState = { catchingUp: false };
    await account.outbox.close();
    await (wipe ? account.cache.clear() : account.cache.flush());
    this.channels.clear();
    this.users.clear();
    this.views.clear();
    this.notifications.clear();
    this.threadViews.clear();
    this.followed.clear();
    this.topics.clear();
    this.preferences.clear();
    this.epoch = null;
    this.limits = DEFAULT_SERVER_LIMITS;
    this.connectionState = { status: 'signed-out' };
    if (quiet) return;
    this.events.emit('connection', this.connectionState);
    this.events.emit('snapshot', this.snapshot());
  }

  private async signOut(): Promise<void> {
    const account = this.account;
    if (!account || !this.record.serverUrl) return;
    await this.record.revoke(account.token);
    await this.endAccount(true);
    await this.record.signedOut(null);
  }

  private async onUnauthorized(account: Account): Promise<void> {
    if (this.account !== account) return;
    // Keep history and outbox: signing in again as the same user picks them up.
    await this.endAccount(false);
    await this.record.signedOut(account.user);
  }

  private onOnline(account: Account, hello: Hello): void {
    if (this.account !== account) return;
    account.user = hello.user;
    // Messages queued under other limits are sent as they are: what this server refuses fails then,
    // with its reason, like any other refusal (outbox.ts).
    if (!sameLimits(this.limits, hello.limits)) {
      this.limits = hello.limits;
      this.saveMeta();
      this.events.emit('snapshot', this.snapshot());
    }
    account.outbox.resume((entry) =>
      account.connection.request('message.send', {
        channelId: entry.channelId,
        clientId: entry.clientId,
        text: entry.text,
        // Only with files: a server without files refuses the field.
        ...(entry.files.length > 0 ? { fileIds: entry.files.map((f) => f.id) } : {}),
        ...(entry.parentId === undefined
          ? {}
          : { parentId: entry.parentId, alsoInChannel: entry.alsoInChannel === true }),
      }),
    );
    void account.sync.catchUpAll();
    this.syncTopics();
    void this.users.refresh();
    void this.preferences.connected();
  }

  /** Followed topics catch up by their cursors; a failure waits for the next connect or resync. */
  private syncTopics(): void {
    this.topics
      .synced()
      .catch((err: unknown) =>
        this.log.warn('could not catch up followed topics', { error: describeError(err) }),
      );
  }

  private syncHost(): SyncHost {
    return {
      request: (event, payload) => this.call(event, payload),
      epoch: () => this.epoch,
      epochSeen: async (epoch) => {
        if (epoch === this.epoch) return;
        this.epoch = epoch;
        this.saveMeta();
      },
      streams: () => this.views.all(),
      stream: (channelId) => this.views.stream(channelId),
      channelMark: () => this.channels.mark(),
      channelsSynced: (channels, mark) => {
        this.channels.synced(channels, mark);
        this.views.retain((channelId) => this.channels.has(channelId));
      },
      applied: (stream, changed, reset) => {
        this.views.applied(stream, changed, reset);
        this.notifications.caughtUp(changed);
        if (reset) this.threadViews.reload(stream.channelId);
      },
      received: (page) => {
        if (page.channel) this.channels.applyDetails(page.channel);
        this.threadViews.apply(page.messages);
      },
      online: () => this.account?.connection.state.status === 'online',
      progress: (state) => {
        if (state.catchingUp) this.notifications.catchUpStarted();
        else this.notifications.catchUpFinished();
        // Caught up: the followed threads' counts, exactly as the server has them now.
        if (!state.catchingUp && this.catchUpState.catchingUp) void this.followed.refresh();
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
        ? { status: 'online', catchingUp: retryAt === undefined ? {} : { retryAt, reason } }
        : state;
    this.events.emit('connection', this.connectionState);
  }

  // --- helpers -------------------------------------------------------------------------------

  /** A channel the user is now in: its history so far is not news. */
  private joined(summary: ChannelSummary): ChannelSummary {
    this.notifications.joined(summary);
    return this.channels.upsert(summary);
  }

  private snapshot(): SessionSnapshot {
    return {
      serverUrl: this.record.serverUrl,
      user: this.account?.user ?? null,
      connection: this.connectionState,
      channels: this.channels.list(),
      users: this.users.list(),
      preferences: this.preferences.preferences,
      limits: this.limits,
      threads: this.followed.list(),
      topics: this.topics.summaries(),
    };
  }

  private saveMeta(): void {
    this.account?.cache.saveMeta(() => ({
      epoch: this.epoch,
      channels: this.channels.list(),
      users: this.users.saved(),
      limits: this.limits,
      preferences: this.preferences.preferences,
      pendingPreferences: this.preferences.pendingKeys,
      threads: this.followed.list(),
      topics: this.topics.saved(),
    }));
  }

  /** One of our messages was queued, failed, or is pending again: shown in its channel and thread. */
  private queued(entry: OutboxEntry): void {
    this.views.queued(entry);
    this.threadViews.queued(entry);
  }

  /** One of our queued messages went without being stored here (discarded, or sent by another session). */
  private unqueued(entry: OutboxEntry): void {
    this.views.unqueued(entry);
    this.threadViews.unqueued(entry);
  }

  /** A request to the server over the account's connection, typed by the protocol's event table. */
  private call<E extends ClientEventName>(event: E, payload: ClientEventPayload<E>): Promise<AckData<E>> {
    return this.requireAccount().connection.request(event, payload);
  }

  private requireAccount(): Account {
    if (!this.account) throw new SwitchboardError('unauthorized', 'sign in first');
    return this.account;
  }

  private requireChannel(channelId: string): void {
    if (!this.channels.has(channelId)) throw new SwitchboardError('forbidden', 'join the channel first');
  }
}
