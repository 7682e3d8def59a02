// The client half of catch-up (ARCHITECTURE.md §3): after every (re)connect it sends the cursors of
// every stream it keeps and pages until nothing is left; a stream with a gap gets the same for its
// missing range; a `reset` (cursor older than retention, or another epoch) drops the stream and
// loads its newest page again. Runs one round at a time, so answers never overtake each other.
import type { ChannelSummary, Message, StreamEvent, SyncResponse } from '@switchboard/protocol';
import type { Stream } from './stream.ts';

/** Newest page loaded for a stream that has no local state. */
export const FIRST_PAGE = 50;
/** A stream this far behind is reloaded from its newest page instead of being paged through. */
export const SKIP_AHEAD = 1_000;
/** Bounds on one run, so a misbehaving server cannot keep the client paging forever. */
const MAX_PAGES_PER_ROUND = 1_000;
const MAX_ROUNDS_PER_RUN = 50;

export interface SyncHost {
  request<T>(event: 'sync' | 'channel.history', payload: unknown): Promise<T>;
  epoch(): string | null;
  /** The server's epoch, seen in a sync answer (persist it; a change means every stream resets). */
  epochSeen(epoch: string): Promise<void>;
  streams(): Iterable<Stream>;
  stream(channelId: string): Stream | undefined;
  /** A mark of how far local channel changes have got, taken before a sync request. */
  channelMark(): number;
  /** Summaries of every channel the user is in, as of the request made after `mark`. */
  channelsSynced(channels: ChannelSummary[], mark: number): void;
  /** `changed` is what the UI must be told; `reset` means the stream's state was replaced. */
  applied(stream: Stream, changed: Message[], reset: boolean): void;
}

export class Synchronizer {
  private full = false;
  private readonly dirty = new Set<string>();
  private running: Promise<void> | null = null;

  constructor(private readonly host: SyncHost) {}

  /** Catches up every stream (after each connect); resolves when caught up. */
  catchUpAll(): Promise<void> {
    this.full = true;
    return this.run();
  }

  /** Catches up one stream: fills a gap, or loads a stream that has no state yet. */
  catchUp(channelId: string): Promise<void> {
    this.dirty.add(channelId);
    return this.run();
  }

  private run(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (let round = 0; (this.full || this.dirty.size > 0) && round < MAX_ROUNDS_PER_RUN; round++) {
          const full = this.full;
          const ids = full ? [...this.host.streams()].map((s) => s.channelId) : [...this.dirty];
          this.full = false;
          this.dirty.clear();
          await this.round(ids, full);
        }
      } finally {
        // Whatever is left is retried by the next connect or the next gap.
        this.full = false;
        this.dirty.clear();
        this.running = null;
      }
    })();
    return this.running;
  }

  private async round(ids: string[], refreshChannels: boolean): Promise<void> {
    const streams = ids.map((id) => this.host.stream(id)).filter((s): s is Stream => s !== undefined);
    const generations = new Map(streams.map((s) => [s.channelId, s.generation]));
    const toLoad = new Map<string, number>(
      streams.filter((s) => s.cursor === null).map((s) => [s.channelId, 0]),
    );
    let cursors: Record<string, number> = {};
    for (const s of streams) if (s.cursor !== null) cursors[s.channelId] = s.cursor;

    const wanted = (page: number) => Object.keys(cursors).length > 0 || (page === 0 && refreshChannels);
    for (let page = 0; page < MAX_PAGES_PER_ROUND && wanted(page); page++) {
      const mark = this.host.channelMark();
      const answer = await this.host.request<SyncResponse>('sync', { epoch: this.host.epoch(), cursors });
      if (page === 0) {
        await this.host.epochSeen(answer.epoch);
        this.host.channelsSynced(answer.channels, mark);
      }
      const next: Record<string, number> = {};
      for (const part of answer.streams) {
        const stream = this.host.stream(part.channelId);
        if (!stream || stream.generation !== generations.get(part.channelId) || stream.cursor === null)
          continue;
        if (part.status === 'reset' || part.headSeq - stream.cursor > SKIP_AHEAD) {
          stream.clear();
          generations.set(part.channelId, stream.generation);
          this.host.applied(stream, [], true);
          toLoad.set(part.channelId, part.headSeq);
          continue;
        }
        this.host.applied(stream, stream.applyPage(part), false);
        if (part.hasMore) next[part.channelId] = stream.cursor;
      }
      cursors = next;
    }

    for (const [channelId, headSeq] of toLoad) await this.load(channelId, headSeq);
    for (const s of streams) if (s.hasGap) this.dirty.add(s.channelId);
  }

  /** Loads a stream's newest page; `headSeq` is a head known from before the request, or 0. */
  private async load(channelId: string, headSeq: number): Promise<void> {
    const stream = this.host.stream(channelId);
    if (!stream) return;
    const generation = stream.generation;
    const page = await this.host.request<{ messages: Message[]; hasMore: boolean }>('channel.history', {
      channelId,
      limit: FIRST_PAGE,
    });
    if (this.host.stream(channelId) !== stream || stream.generation !== generation) return;
    // Every change to a message in the page up to the moment it was read is in the page; later
    // changes to older messages fall outside the window. So the page's highest change is a safe cursor.
    const newest = page.messages.reduce((max, m) => Math.max(max, m.changeSeq), 0);
    const replay: StreamEvent[] = stream.load(page.messages, Math.max(headSeq, newest), page.hasMore);
    this.host.applied(stream, stream.list(), true);
    for (const event of replay) this.host.applied(stream, stream.applyLive(event), false);
  }
}
