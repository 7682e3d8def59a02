// Everything the UI shows, kept from the session core's events. React reads it through
// useSyncExternalStore; changes are published at most once per frame, so a burst of thousands of
// incoming messages costs a handful of renders rather than one per message.
import {
  DEFAULT_SERVER_LIMITS,
  type ChannelSummary,
  type Preferences,
  type Presence,
  type ServerLimits,
  type User,
} from '@switchboard/protocol';
import type { ConnectionState, DisplayMessage, SessionClient, SessionSnapshot } from '../session/types.ts';

export type UserWithPresence = User & { presence: Presence };

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

/**
 * A message's identity across its life: an outbox entry (id = clientId, seq 0) and its stored copy
 * share author and clientId, so the stored copy takes the entry's place.
 */
export const messageKey = (m: DisplayMessage): string => `${m.authorId}/${m.clientId}`;

export function compareMessages(a: DisplayMessage, b: DisplayMessage): number {
  const aSent = a.delivery === 'sent';
  const bSent = b.delivery === 'sent';
  if (aSent && bSent) return a.seq - b.seq;
  if (aSent !== bSent) return aSent ? -1 : 1;
  return a.ts - b.ts;
}

class ViewBuffer {
  readonly byKey = new Map<string, DisplayMessage>();
  hasOlder = false;
  loadingOlder = false;

  upsert(messages: readonly DisplayMessage[]): void {
    for (const m of messages) {
      const key = messageKey(m);
      const known = this.byKey.get(key);
      // A stale copy (e.g. from the cache after a live edit) never replaces a newer change.
      if (known && known.delivery === 'sent' && m.delivery === 'sent' && m.changeSeq < known.changeSeq)
        continue;
      this.byKey.set(key, m);
    }
  }

  /** Drops entries by message id (an outbox entry's id is its clientId). */
  remove(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const gone = new Set(ids);
    for (const [key, m] of this.byKey) if (gone.has(m.id)) this.byKey.delete(key);
  }

  snapshot(): ChannelMessages {
    return {
      messages: [...this.byKey.values()].sort(compareMessages),
      hasOlder: this.hasOlder,
      loadingOlder: this.loadingOlder,
    };
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
  private readonly buffers = new Map<string, ViewBuffer>();
  private readonly dirtyViews = new Set<string>();
  private pending: Partial<UiState> = {};
  private flushScheduled = false;
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
    buffer.upsert(result.messages);
    buffer.hasOlder = result.hasOlder;
    this.markDirty(channelId);
  }

  /** Loads the page before the oldest loaded message; resolves with its oldest seq, or null if none. */
  async loadOlder(channelId: string): Promise<number | null> {
    const buffer = this.buffer(channelId);
    if (buffer.loadingOlder || !buffer.hasOlder) return null;
    buffer.loadingOlder = true;
    this.markDirty(channelId);
    try {
      const result = await this.client.request('loadOlder', { channelId });
      buffer.upsert(result.messages);
      buffer.hasOlder = result.hasOlder;
      return result.messages.length > 0 ? Math.min(...result.messages.map((m) => m.seq)) : null;
    } finally {
      buffer.loadingOlder = false;
      this.markDirty(channelId);
    }
  }

  private buffer(channelId: string): ViewBuffer {
    let buffer = this.buffers.get(channelId);
    if (!buffer) {
      buffer = new ViewBuffer();
      this.buffers.set(channelId, buffer);
    }
    return buffer;
  }

  private applySnapshot(s: SessionSnapshot): void {
    if (s.user?.id !== this.current('user')?.id) {
      // Another account: nothing of the previous one may stay on screen.
      this.buffers.clear();
      this.pending.views = {};
      this.pending.typing = {};
    }
    this.patch({
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
    if (reset) buffer.byKey.clear();
    buffer.remove(removed);
    buffer.upsert(messages);
    this.markDirty(channelId);
    // Someone whose message just arrived has stopped typing it.
    const typing = this.current('typing')[channelId];
    if (typing && messages.some((m) => m.authorId in typing)) {
      const rest = Object.fromEntries(
        Object.entries(typing).filter(([userId]) => !messages.some((m) => m.authorId === userId)),
      );
      this.patch({ typing: { ...this.current('typing'), [channelId]: rest } });
    }
  }

  /** The latest value of a field, counting changes not yet published. */
  private current<K extends keyof UiState>(key: K): UiState[K] {
    return key in this.pending ? (this.pending[key] as UiState[K]) : this.state[key];
  }

  private applyPresence(userId: string, status: Presence): void {
    const users = this.current('users');
    const known = users.get(userId);
    if (!known || known.presence === status) return;
    this.patch({ users: new Map(users).set(userId, { ...known, presence: status }) });
  }

  private applyTyping(channelId: string, userId: string): void {
    if (userId === this.current('user')?.id) return;
    const typing = this.current('typing');
    this.patch({
      typing: { ...typing, [channelId]: { ...typing[channelId], [userId]: Date.now() + TYPING_TTL_MS } },
    });
    this.scheduleTypingPrune();
  }

  private scheduleTypingPrune(): void {
    clearTimeout(this.typingTimer);
    const typing = this.current('typing');
    const expiries = Object.values(typing).flatMap((byUser) => Object.values(byUser));
    if (expiries.length === 0) return;
    const wait = Math.max(0, Math.min(...expiries) - Date.now()) + 50;
    this.typingTimer = setTimeout(() => {
      const now = Date.now();
      const next: Record<string, Record<string, number>> = {};
      for (const [channelId, byUser] of Object.entries(this.current('typing'))) {
        const live = Object.entries(byUser).filter(([, until]) => until > now);
        if (live.length > 0) next[channelId] = Object.fromEntries(live);
      }
      this.patch({ typing: next });
      this.scheduleTypingPrune();
    }, wait);
  }

  private markDirty(channelId: string): void {
    this.dirtyViews.add(channelId);
    this.scheduleFlush();
  }

  private patch(changes: Partial<UiState>): void {
    Object.assign(this.pending, changes);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A frame when the page is painting; a short timer when it is hidden and frames do not run.
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.flush();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible')
      requestAnimationFrame(run);
    setTimeout(run, 50);
  }

  private flush(): void {
    this.flushScheduled = false;
    const next: UiState = { ...this.state, ...this.pending };
    this.pending = {};
    if (this.dirtyViews.size > 0) {
      const views = { ...next.views };
      for (const channelId of this.dirtyViews) {
        const buffer = this.buffers.get(channelId);
        if (buffer) views[channelId] = buffer.snapshot();
      }
      this.dirtyViews.clear();
      next.views = views;
    }
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
