// The local copy of recent history, so a reopened app shows conversations at once and then syncs.
// Per stream it keeps the newest messages together with the stream's cursor in one record, so the
// two always agree; saves are coalesced, since a busy channel changes many times a second.
import { z } from 'zod';
import {
  DEFAULT_SERVER_LIMITS,
  Preferences,
  type ChannelSummary,
  type ServerLimits,
  type User,
} from '@switchboard/protocol';
import { systemClock, type Clock } from './connection.ts';
import { ChannelSummaryShape, LimitsShape, MessageShape, UserShape } from './contract.ts';
import { deletePrefix, type KeyValueStorage } from './storage.ts';
import type { StreamSnapshot } from './stream.ts';

/** Messages kept per channel. */
export const CACHE_LIMIT = 200;
const SAVE_DELAY_MS = 250;

const StreamSnapshotShape = z.object({
  cursor: z.number().int().min(0).nullable(),
  hasOlder: z.boolean(),
  messages: z.array(MessageShape).max(CACHE_LIMIT),
});

const MetaShape = z.object({
  epoch: z.string().nullable(),
  channels: z.array(ChannelSummaryShape),
  users: z.array(UserShape),
  limits: LimitsShape,
  preferences: Preferences,
  pendingPreferences: z.array(Preferences.keyof()),
});

/** What the app shows besides messages, so a reopened app looks right before it connects. */
export interface CachedMeta {
  epoch: string | null;
  channels: ChannelSummary[];
  users: User[];
  /** The server's limits as its last `hello` gave them. */
  limits: ServerLimits;
  preferences: Preferences;
  /** Keys of `preferences` changed here that the server has not stored yet. */
  pendingPreferences: (keyof Preferences)[];
}

const EMPTY_META: CachedMeta = {
  epoch: null,
  channels: [],
  users: [],
  limits: DEFAULT_SERVER_LIMITS,
  preferences: {},
  pendingPreferences: [],
};

export class HistoryCache {
  private readonly pendingStreams = new Map<string, () => StreamSnapshot>();
  private pendingMeta: (() => CachedMeta) | null = null;
  private timer: unknown = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: KeyValueStorage,
    /** Keys are kept per user: another account on this device never sees this one's history. */
    private readonly prefix: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async loadMeta(): Promise<CachedMeta> {
    const parsed = MetaShape.safeParse(await this.storage.get(this.metaKey));
    return parsed.success ? parsed.data : EMPTY_META;
  }

  /** Every cached stream; unreadable records are dropped (the stream is simply loaded again). */
  async loadStreams(): Promise<Map<string, StreamSnapshot>> {
    const streams = new Map<string, StreamSnapshot>();
    for (const key of await this.storage.keys(this.streamPrefix)) {
      const parsed = StreamSnapshotShape.safeParse(await this.storage.get(key));
      if (parsed.success) streams.set(key.slice(this.streamPrefix.length), parsed.data);
      else await this.storage.delete(key);
    }
    return streams;
  }

  /** Schedules a save; `snapshot` is read when the save happens, so it is always the latest state. */
  saveStream(channelId: string, snapshot: () => StreamSnapshot): void {
    this.pendingStreams.set(channelId, snapshot);
    this.schedule();
  }

  saveMeta(meta: () => CachedMeta): void {
    this.pendingMeta = meta;
    this.schedule();
  }

  async deleteStream(channelId: string): Promise<void> {
    this.pendingStreams.delete(channelId);
    await this.writing;
    await this.storage.delete(this.streamPrefix + channelId);
  }

  /** Writes everything scheduled now. */
  flush(): Promise<void> {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const streams = [...this.pendingStreams].map(([id, snapshot]) => [id, snapshot()] as const);
    const meta = this.pendingMeta?.();
    this.pendingStreams.clear();
    this.pendingMeta = null;
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        for (const [id, snapshot] of streams) await this.storage.set(this.streamPrefix + id, snapshot);
        if (meta) await this.storage.set(this.metaKey, meta);
      });
    return this.writing;
  }

  /** Forgets everything (sign-out). */
  async clear(): Promise<void> {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pendingStreams.clear();
    this.pendingMeta = null;
    await this.writing.catch(() => {});
    await deletePrefix(this.storage, this.prefix);
  }

  private get metaKey(): string {
    return `${this.prefix}meta`;
  }

  private get streamPrefix(): string {
    return `${this.prefix}stream/`;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => {});
    }, SAVE_DELAY_MS);
  }
}
