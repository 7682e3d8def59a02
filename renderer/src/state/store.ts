// Everything the UI shows, kept from the session core's events, and React's access to it
// (StoreProvider, useStore, useUi: useSyncExternalStore). Each event is published as it arrives (a
// channel's messages once the channel is opened here, see ChannelBuffer.opened). The one batching
// stage is on the core's side of the port (EventBatcher in client/src/std/port.ts), paced by this
// page: the port client hands over what arrived at the start of the next paint and only then asks
// for more (nextPaint), so a burst of thousands of incoming messages costs one render per frame at
// most.
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';
import {
  inChannelList,
  MessageView,
  type DisplayMessage,
  type TopicSummary,
} from '@switchboard/client/browser';
import {
  DEFAULT_SERVER_LIMITS,
  type ChannelSummary,
  type FollowedThread,
  type Preferences,
  type Presence,
  type ServerLimits,
  type User,
  type UserWithPresence,
} from '@switchboard/protocol';
import type { ConnectionState, SessionClient, SessionSnapshot } from '../session/types.ts';

export type { UserWithPresence };

/** A channel's log: its messages but the thread replies kept to their thread (those show in the thread). */
export interface ChannelMessages {
  /** Sent messages in seq order, then our own pending and failed ones in the order they were written. */
  messages: readonly DisplayMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
}

export interface UiState {
  /** False until the core's first snapshot arrives. */
  ready: boolean;
  serverUrl: string | null;
  user: User | null;
  connection: ConnectionState;
  channels: readonly ChannelSummary[];
  users: ReadonlyMap<string, UserWithPresence>;
  /** The channels opened on this page, each from openChannel's answer on (see ChannelBuffer.opened). */
  views: Readonly<Record<string, ChannelMessages>>;
  /** channelId → userId → when that typing indicator expires (ms since epoch). */
  typing: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** What the user saved (unset keys take defaults, see settings/preferences.ts). */
  preferences: Preferences;
  limits: ServerLimits;
  /** Followed threads, the latest reply first, with unread counts. */
  threads: readonly FollowedThread[];
  /** Open threads by root id: the root first, then the replies. */
  threadViews: Readonly<Record<string, ThreadMessages>>;
  /** Followed topics by name, with unread counts. */
  topics: readonly TopicSummary[];
}

export interface ThreadMessages {
  channelId: string;
  /** The root, then its replies in seq order, then ours still queued. */
  messages: readonly DisplayMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
}

/** How long a typing indicator stays without a fresh `typing` event. */
export const TYPING_TTL_MS = 6_000;

/** A channel's messages as the core told them, with the state of loading older pages. */
class ChannelBuffer {
  readonly view = new MessageView();
  hasOlder = false;
  loadingOlder = false;
  /**
   * Whether openChannel has answered, so `hasOlder` is the core's. Until then the channel's messages
   * (the core tells the page it loads as events, which may arrive before the answer) gather unshown:
   * a list opened on them would take the oldest loaded message for the channel's first.
   */
  opened = false;

  snapshot(): ChannelMessages {
    const messages = this.view.list().filter(inChannelList);
    return { messages, hasOlder: this.hasOlder, loadingOlder: this.loadingOlder };
  }
}

/** An open thread's messages (root first) as the core told them. */
class ThreadBuffer extends ChannelBuffer {
  constructor(readonly channelId: string) {
    super();
  }
}

const initialState: UiState = {
  ready: false,
  serverUrl: null,
  user: null,
  connection: { status: 'connecting' },
  channels: [],
  users: new Map(),
  views: {},
  typing: {},
  preferences: {},
  limits: DEFAULT_SERVER_LIMITS,
  threads: [],
  threadViews: {},
  topics: [],
};

export class SessionStore {
  private state: UiState = initialState;
  private readonly listeners = new Set<() => void>();
  private readonly buffers = new Map<string, ChannelBuffer>();
  private readonly threadBuffers = new Map<string, ThreadBuffer>();
  /** Channels whose history this page's reader is reading, as told to the core (follow). */
  private readonly reading = new Set<string>();
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(readonly client: SessionClient) {}

  /** Subscribes to the core and asks for the current snapshot. */
  async start(): Promise<void> {
    const c = this.client;
    this.unsubscribers.push(
      c.on('snapshot', (s) => this.applySnapshot(s)),
      c.on('connection', (connection) => this.patch({ connection })),
      c.on('channels', (channels) => this.patch({ channels })),
      c.on('messages', ({ channelId, messages, removed, reset, hasOlder }) =>
        this.applyMessages(channelId, messages, removed ?? [], reset === true, hasOlder),
      ),
      c.on('typing', ({ channelId, userId }) => this.applyTyping(channelId, userId)),
      c.on('presence', ({ userId, status }) => this.applyPresence(userId, status)),
      c.on('preferences', (preferences) => this.patch({ preferences })),
      c.on('threads', (threads) => this.patch({ threads })),
      c.on('topics', (topics) => this.patch({ topics })),
      c.on('thread', ({ rootId, channelId, messages, removed, reset }) =>
        this.applyThread(rootId, channelId, messages, removed ?? [], reset === true),
      ),
    );
    this.applySnapshot(await c.request('getSnapshot', {}));
  }

  stop(): void {
    for (const off of this.unsubscribers.splice(0)) off();
    clearTimeout(this.typingTimer);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): UiState => this.state;

  /** Shows the newest page at once (from the core's cache); later changes arrive as events. */
  async openChannel(channelId: string): Promise<void> {
    const result = await this.client.request('openChannel', { channelId });
    const buffer = this.buffer(channelId);
    buffer.view.upsert(result.messages);
    buffer.hasOlder = result.hasOlder;
    buffer.opened = true;
    this.publishView(channelId);
  }

  /** Loads the page before the oldest loaded message; resolves with its oldest seq, or null if none. */
  async loadOlder(channelId: string): Promise<number | null> {
    const buffer = this.buffer(channelId);
    if (buffer.loadingOlder || !buffer.hasOlder) return null;
    buffer.loadingOlder = true;
    this.publishView(channelId);
    try {
      const result = await this.client.request('loadOlder', { channelId });
      buffer.view.upsert(result.messages);
      buffer.hasOlder = result.hasOlder;
      return result.messages.length > 0 ? Math.min(...result.messages.map((m) => m.seq)) : null;
    } finally {
      buffer.loadingOlder = false;
      this.publishView(channelId);
    }
  }

  /**
   * Whether the reader is at a channel's newest messages (or has closed it): while they read its
   * history, the core keeps every message loaded; otherwise it lets the oldest go (the `messages`
   * events remove them here too), so a channel left open all day stays the same size.
   */
  follow(channelId: string, following: boolean): void {
    // The core counts the pages reading a channel: tell it each change once.
    if (following ? !this.reading.delete(channelId) : this.reading.has(channelId)) return;
    if (!following) this.reading.add(channelId);
    this.client.request('setFollowing', { channelId, following }).catch(() => undefined);
  }

  /** Opens a thread by any of its messages; resolves with its root's id. Changes arrive as events. */
  async openThread(messageId: string): Promise<string> {
    const result = await this.client.request('openThread', { messageId });
    const buffer = this.threadBuffer(result.rootId, result.root.channelId);
    buffer.view.clear();
    buffer.view.upsert([result.root, ...result.replies]);
    buffer.hasOlder = result.hasOlder;
    this.publishThread(result.rootId);
    return result.rootId;
  }

  closeThread(rootId: string): void {
    if (!this.threadBuffers.delete(rootId)) return;
    const { [rootId]: _closed, ...rest } = this.state.threadViews;
    this.patch({ threadViews: rest });
    this.client.request('closeThread', { messageId: rootId }).catch(() => undefined);
  }

  async loadOlderReplies(rootId: string): Promise<void> {
    const buffer = this.threadBuffers.get(rootId);
    if (!buffer || buffer.loadingOlder || !buffer.hasOlder) return;
    buffer.loadingOlder = true;
    this.publishThread(rootId);
    try {
      const result = await this.client.request('loadOlderReplies', { messageId: rootId });
      buffer.view.upsert(result.messages);
      buffer.hasOlder = result.hasOlder;
    } finally {
      buffer.loadingOlder = false;
      this.publishThread(rootId);
    }
  }

  private threadBuffer(rootId: string, channelId: string): ThreadBuffer {
    let buffer = this.threadBuffers.get(rootId);
    if (!buffer) this.threadBuffers.set(rootId, (buffer = new ThreadBuffer(channelId)));
    return buffer;
  }

  private applyThread(
    rootId: string,
    channelId: string,
    messages: DisplayMessage[],
    removed: string[],
    reset: boolean,
  ): void {
    // Only threads open here: another tab's thread is not this page's to show.
    const buffer = this.threadBuffers.get(rootId);
    if (!buffer || buffer.channelId !== channelId) return;
    if (reset) buffer.view.clear();
    buffer.view.remove(removed);
    buffer.view.upsert(messages);
    this.publishThread(rootId);
  }

  private publishThread(rootId: string): void {
    const buffer = this.threadBuffers.get(rootId);
    if (!buffer) return;
    const { view, hasOlder, loadingOlder, channelId } = buffer;
    this.patch({
      threadViews: {
        ...this.state.threadViews,
        [rootId]: { channelId, messages: view.list(), hasOlder, loadingOlder },
      },
    });
  }

  private buffer(channelId: string): ChannelBuffer {
    let buffer = this.buffers.get(channelId);
    if (!buffer) {
      buffer = new ChannelBuffer();
      this.buffers.set(channelId, buffer);
    }
    return buffer;
  }

  private applySnapshot(s: SessionSnapshot): void {
    // Another account: nothing of the previous one may stay on screen.
    const another = s.user?.id !== this.state.user?.id;
    if (another) {
      this.buffers.clear();
      this.threadBuffers.clear();
      this.reading.clear();
    }
    this.patch({
      ...(another ? { views: {}, typing: {}, threadViews: {} } : {}),
      ready: true,
      serverUrl: s.serverUrl,
      user: s.user,
      connection: s.connection,
      channels: s.channels,
      users: new Map(s.users.map((u) => [u.id, u])),
      preferences: s.preferences,
      limits: s.limits,
      threads: s.threads,
      topics: s.topics,
    });
  }

  private applyMessages(
    channelId: string,
    messages: DisplayMessage[],
    removed: string[],
    reset: boolean,
    hasOlder: boolean | undefined,
  ): void {
    const buffer = this.buffer(channelId);
    if (reset) buffer.view.clear();
    buffer.view.remove(removed);
    buffer.view.upsert(messages);
    if (hasOlder !== undefined) buffer.hasOlder = hasOlder;
    const changes: Partial<UiState> = {};
    if (buffer.opened) changes.views = { ...this.state.views, [channelId]: buffer.snapshot() };
    // Someone whose message just arrived has stopped typing it.
    const typing = this.state.typing[channelId];
    if (typing && messages.some((m) => m.authorId in typing)) {
      const rest = Object.fromEntries(
        Object.entries(typing).filter(([userId]) => !messages.some((m) => m.authorId === userId)),
      );
      changes.typing = { ...this.state.typing, [channelId]: rest };
    }
    if (changes.views || changes.typing) this.patch(changes);
  }

  private applyPresence(userId: string, status: Presence): void {
    const users = this.state.users;
    const known = users.get(userId);
    if (!known || known.presence === status) return;
    this.patch({ users: new Map(users).set(userId, { ...known, presence: status }) });
  }

  private applyTyping(channelId: string, userId: string): void {
    if (userId === this.state.user?.id) return;
    const typing = this.state.typing;
    this.patch({
      typing: { ...typing, [channelId]: { ...typing[channelId], [userId]: Date.now() + TYPING_TTL_MS } },
    });
    this.scheduleTypingPrune();
  }

  private scheduleTypingPrune(): void {
    clearTimeout(this.typingTimer);
    const typing = this.state.typing;
    const expiries = Object.values(typing).flatMap((byUser) => Object.values(byUser));
    if (expiries.length === 0) return;
    const wait = Math.max(0, Math.min(...expiries) - Date.now()) + 50;
    this.typingTimer = setTimeout(() => {
      const now = Date.now();
      const next: Record<string, Record<string, number>> = {};
      for (const [channelId, byUser] of Object.entries(this.state.typing)) {
        const live = Object.entries(byUser).filter(([, until]) => until > now);
        if (live.length > 0) next[channelId] = Object.fromEntries(live);
      }
      this.patch({ typing: next });
      this.scheduleTypingPrune();
    }, wait);
  }

  private publishView(channelId: string): void {
    const buffer = this.buffers.get(channelId);
    if (buffer) this.patch({ views: { ...this.state.views, [channelId]: buffer.snapshot() } });
  }

  private patch(changes: Partial<UiState>): void {
    this.state = { ...this.state, ...changes };
    for (const listener of this.listeners) listener();
  }
}

const StoreContext = createContext<SessionStore | null>(null);

export function StoreProvider({ store, children }: { store: SessionStore; children: ReactNode }) {
  return createElement(StoreContext.Provider, { value: store }, children);
}

export function useStore(): SessionStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside StoreProvider');
  return store;
}

/** Selects part of the UI state; the selector must return a value kept in the state, not a new one. */
export function useUi<T>(select: (state: UiState) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}
