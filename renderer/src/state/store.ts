// Everything the UI shows, kept from the session core's events. React reads it through
// useSyncExternalStore. Each event is published as it arrives. The one batching stage is on the
// core's side of the port (client/src/std/batch.ts), paced by this page: the port client hands over
// what arrived at the start of the next paint and only then asks for more (nextPaint), so a burst of
// thousands of incoming messages costs one render per frame at most.
import { MessageView, type DisplayMessage } from '@switchboard/client/browser';
import {
  DEFAULT_SERVER_LIMITS,
  type ChannelSummary,
  type Preferences,
  type Presence,
  type ServerLimits,
  type User,
  type UserWithPresence,
} from '@switchboard/protocol';
import type { ConnectionState, SessionClient, SessionSnapshot } from '../session/types.ts';

export type { UserWithPresence };

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
  views: Readonly<Record<string, ChannelMessages>>;
  /** channelId → userId → when that typing indicator expires (ms since epoch). */
  typing: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** What the user saved (unset keys take defaults, see settings/preferences.ts). */
  preferences: Preferences;
  limits: ServerLimits;
}

/** How long a typing indicator stays without a fresh `typing` event. */
export const TYPING_TTL_MS = 6_000;

/** A channel's messages as the core told them, with the state of loading older pages. */
class ChannelBuffer {
  readonly view = new MessageView();
  hasOlder = false;
  loadingOlder = false;

  snapshot(): ChannelMessages {
    return { messages: this.view.list(), hasOlder: this.hasOlder, loadingOlder: this.loadingOlder };
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
};

export class SessionStore {
  private state: UiState = initialState;
  private readonly listeners = new Set<() => void>();
  private readonly buffers = new Map<string, ChannelBuffer>();
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
      c.on('messages', ({ channelId, messages, removed, reset }) =>
        this.applyMessages(channelId, messages, removed ?? [], reset === true),
      ),
      c.on('typing', ({ channelId, userId }) => this.applyTyping(channelId, userId)),
      c.on('presence', ({ userId, status }) => this.applyPresence(userId, status)),
      c.on('preferences', (preferences) => this.patch({ preferences })),
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
    if (another) this.buffers.clear();
    this.patch({
      ...(another ? { views: {}, typing: {} } : {}),
      ready: true,
      serverUrl: s.serverUrl,
      user: s.user,
      connection: s.connection,
      channels: s.channels,
      users: new Map(s.users.map((u) => [u.id, u])),
      preferences: s.preferences,
      limits: s.limits,
    });
  }

  private applyMessages(
    channelId: string,
    messages: DisplayMessage[],
    removed: string[],
    reset: boolean,
  ): void {
    const buffer = this.buffer(channelId);
    if (reset) buffer.view.clear();
    buffer.view.remove(removed);
    buffer.view.upsert(messages);
    const changes: Partial<UiState> = { views: { ...this.state.views, [channelId]: buffer.snapshot() } };
    // Someone whose message just arrived has stopped typing it.
    const typing = this.state.typing[channelId];
    if (typing && messages.some((m) => m.authorId in typing)) {
      const rest = Object.fromEntries(
        Object.entries(typing).filter(([userId]) => !messages.some((m) => m.authorId === userId)),
      );
      changes.typing = { ...this.state.typing, [channelId]: rest };
    }
    this.patch(changes);
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
