// The local copy of recent history, so a reopened app shows conversations at once and then syncs.
// Per stream it keeps the newest messages together with the stream's cursor in one record, so the
// two always agree; saves are coalesced, since a busy channel changes many times a second.
import { z } from 'zod';
import {
  ChannelSummary,
  DEFAULT_SERVER_LIMITS,
  FollowedThread,
  Message,
  Preferences,
  ServerLimits,
  User,
} from '@switchboard/protocol';
import { systemClock, type Clock } from './connection.ts';
import { silentLogger, type Logger } from './log.ts';
import { firstVersion, Records } from './records.ts';
import { KeptTopic } from './session/topics.ts';
import { deletePrefix, type KeyValueStorage } from './storage.ts';
import type { StreamSnapshot } from './stream.ts';

/** Messages kept per channel. */
export const CACHE_LIMIT = 200;
const SAVE_DELAY_MS = 250;

const CachedStream = z.object({
  cursor: z.number().int().min(0).nullable(),
  hasOlder: z.boolean(),
  messages: z.array(Message).max(CACHE_LIMIT),
}) satisfies z.ZodType<StreamSnapshot>;

/** What the app shows besides messages, so a reopened app looks right before it connects. */
const CachedMeta = z.object({
  epoch: z.string().nullable(),
  channels: z.array(ChannelSummary),
  users: z.array(User),
  /** The server's limits as its last `hello` gave them. */
  limits: ServerLimits,
  /** The user's preferences, and the keys of them changed here that the server has not stored yet. */
  preferences: Preferences,
  pendingPreferences: z.array(Preferences.keyof()),
  /** The followed threads with their counts (records saved before threads have none). */
  threads: z.array(FollowedThread).default([]),
  /** The followed topics with their cursors and newest messages (records saved before topics have none). */
  topics: z.array(KeptTopic).default([]),
});
export type CachedMeta = z.infer<typeof CachedMeta>;

const STREAM_RECORD = firstVersion<StreamSnapshot>('cached channel', CachedStream);
const META_RECORD = firstVersion('cached channel list', CachedMeta);

const EMPTY_META: CachedMeta = {
  epoch: null,
  channels: [],
  users: [],
  limits: DEFAULT_SERVER_LIMITS,
  preferences: {},
  pendingPreferences: [],
  threads: [],
  topics: [],
};

export class HistoryCache {
  private readonly pendingStreams = new Map<string, () => StreamSnapshot>();
  private pendingMeta: (() => CachedMeta) | null = null;
  private timer: unknown = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly streams: Records<StreamSnapshot>;
  private readonly meta: Records<CachedMeta>;

  constructor(
    private readonly storage: KeyValueStorage,
    /** Keys are kept per user: another account on this device never sees this one's history. */
    private readonly prefix: string,
    options: { clock?: Clock; logger?: Logger } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    const log = options.logger ?? silentLogger;
    this.streams = new Records(storage, STREAM_RECORD, log);
    this.meta = new Records(storage, META_RECORD, log);
  }

  /** The cached lists; an unreadable record is dropped (the next sync brings them again). */
  async loadMeta(): Promise<CachedMeta> {
    return (await this.meta.read(this.metaKey)) ?? EMPTY_META;
  }

  /** Every cached stream; unreadable records are dropped (the stream is simply loaded again). */
  async loadStreams(): Promise<Map<string, StreamSnapshot>> {
    const streams = new Map<string, StreamSnapshot>();
    for (const [key, stream] of await this.streams.readAll(this.streamPrefix))
      streams.set(key.slice(this.streamPrefix.length), stream);
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
        for (const [id, snapshot] of streams) await this.streams.write(this.streamPrefix + id, snapshot);
        if (meta) await this.meta.write(this.metaKey, meta);
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
