// The client half of catch-up (ARCHITECTURE.md §3): after every (re)connect it sends the cursors of
// every stream it keeps and pages until nothing is left; a stream with a gap gets the same for its
// missing range; a `reset` (cursor older than retention, or another epoch) drops the stream and
// loads its newest page again. Runs one round at a time, so answers never overtake each other.
//
// A round that fails (rate limited — the budget is shared by all of a user's devices —, no answer
// in time, a server error) loses nothing: its work stays queued and is tried again with backoff,
// never sooner than the server's retryAfter, for as long as the connection is up; the host is told
// the client is still catching up until it is done.
import {
  MAX_SYNC_CURSORS,
  SwitchboardError,
  type AckData,
  type ChannelSummary,
  type ClientEventPayload,
  type ErrorCode,
  type Message,
  type StreamCatchUp,
  type StreamEvent,
} from '@switchboard/protocol';
import { backoffDelay, systemClock, type Clock } from './connection.ts';
import { asSwitchboardError, isRetryable } from './errors.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Stream } from './stream.ts';

/** Newest page loaded for a stream that has no local state. */
export const FIRST_PAGE = 50;
/** A stream this far behind is reloaded from its newest page instead of being paged through. */
export const SKIP_AHEAD = 1_000;
/** Bounds on one run, so a misbehaving server cannot keep the client paging forever. */
const MAX_PAGES_PER_ROUND = 1_000;
const MAX_ROUNDS_PER_RUN = 50;

export interface CatchUpState {
  /** Work is left: a round is running, or waits for its retry or for the connection. */
  catchingUp: boolean;
  /** After a failed round: when the next try is due, and why the last one failed (its error code). */
  retryAt?: number;
  reason?: ErrorCode;
}

export interface SyncHost {
  request<E extends 'sync' | 'channel.history'>(
    event: E,
    payload: ClientEventPayload<E>,
  ): Promise<AckData<E>>;
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
  applied(stream: Stream, changed: readonly Message[], reset: boolean): void;
  /** A catch-up page as the server sent it, before it is applied (all its messages, the channel's details). */
  received(page: StreamCatchUp): void;
  /** Whether requests can go out now; while not, failed work waits for the next `catchUpAll`. */
  online(): boolean;
  /** Told whenever the catch-up state changes. */
  progress(state: CatchUpState): void;
}

export interface SyncOptions {
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
}

export class Synchronizer {
  private full = false;
  private readonly dirty = new Set<string>();
  private running: Promise<void> | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private stopped = false;
  private state: CatchUpState = { catchingUp: false };
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;

  constructor(
    private readonly host: SyncHost,
    options: SyncOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? silentLogger;
  }

  /**
   * Catches up every stream (after each connect). Resolves when caught up, or when a failure left
   * the work waiting for a retry; never rejects.
   */
  catchUpAll(): Promise<void> {
    this.full = true;
    this.cancelRetry();
    return this.run();
  }

  /** Catches up one stream: fills a gap, or loads a stream that has no state yet. Never rejects. */
  catchUp(channelId: string): Promise<void> {
    this.dirty.add(channelId);
    // A retry is due: join it rather than spend early what a rate limit allows.
    if (this.retryTimer !== null) return Promise.resolve();
    return this.run();
  }

  /** Skips the wait for a scheduled retry (a person pressing retry). */
  retryNow(): void {
    if (this.retryTimer === null) return;
    this.cancelRetry();
    void this.run();
  }

  /** The connection is down: no retries until the next `catchUpAll`, which takes the work along. */
  pause(): void {
    this.cancelRetry();
    this.report({ catchingUp: this.state.catchingUp });
  }

  /** The account is gone: nothing more is requested. */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
  }

  private get pending(): boolean {
    return this.full || this.dirty.size > 0;
  }

  private run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.rounds().then(() => this.finished());
    return this.running;
  }

  /** Rounds until no work is left or one fails; never throws. */
  private async rounds(): Promise<void> {
    this.report({ catchingUp: true });
    for (let round = 0; this.pending && round < MAX_ROUNDS_PER_RUN && !this.stopped; round++) {
      const full = this.full;
      const ids = full ? [...this.host.streams()].map((s) => s.channelId) : [...this.dirty];
      this.full = false;
      this.dirty.clear();
      try {
        await this.round(ids, full);
        this.attempt = 0;
      } catch (err) {
        // Nothing is lost, only late: the same work goes again, from wherever the cursors got to.
        if (full) this.full = true;
        else for (const id of ids) this.dirty.add(id);
        return this.failed(asSwitchboardError(err));
      }
    }
    if (this.pending && !this.stopped) {
      // A server that keeps leaving gaps: stop here; the next connect or gap tries again.
      this.log.warn('catch-up stopped after too many rounds', { rounds: MAX_ROUNDS_PER_RUN });
      this.full = false;
      this.dirty.clear();
    }
  }

  private finished(): void {
    this.running = null;
    if (this.stopped) return;
    if (!this.pending) return this.report({ catchingUp: false });
    // Work that came in as the run was ending, with no retry waiting for it.
    if (this.retryTimer === null && this.host.online()) void this.run();
  }

  private failed(error: SwitchboardError): void {
    if (this.stopped) return;
    if (!isRetryable(error.code)) {
      this.log.warn('catch-up failed for a reason a retry cannot fix; the next connect tries again', {
        code: error.code,
        message: error.message,
      });
      this.full = false;
      this.dirty.clear();
      return;
    }
    // Offline: the next connect catches up anyway.
    if (!this.host.online()) return;
    this.attempt += 1;
    const delay = Math.max(backoffDelay(this.attempt, this.random), (error.retryAfter ?? 0) * 1000);
    this.log.warn('catch-up failed; trying again', { code: error.code, message: error.message, delay });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.run();
    }, delay);
    this.report({ catchingUp: true, retryAt: this.clock.now() + delay, reason: error.code });
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private report(state: CatchUpState): void {
    const last = this.state;
    if (
      last.catchingUp === state.catchingUp &&
      last.retryAt === state.retryAt &&
      last.reason === state.reason
    )
      return;
    this.state = state;
    this.host.progress(state);
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
      // One request carries at most MAX_SYNC_CURSORS (the largest that fits a packet); the rest wait
      // for the next page of this round.
      const entries = Object.entries(cursors);
      const asked = Object.fromEntries(entries.slice(0, MAX_SYNC_CURSORS));
      const answer = await this.host.request('sync', { epoch: this.host.epoch(), cursors: asked });
      if (page === 0) {
        await this.host.epochSeen(answer.epoch);
        this.host.channelsSynced(answer.channels, mark);
      }
      // Not asked yet, unless a new epoch reset the stream meanwhile (then it loads afresh).
      const next: Record<string, number> = Object.fromEntries(
        entries
          .slice(MAX_SYNC_CURSORS)
          .filter(([id]) => this.host.stream(id)?.generation === generations.get(id)),
      );
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
        this.host.received(part);
        this.host.applied(stream, stream.applyPage(part), false);
        if (part.hasMore) next[part.channelId] = stream.cursor;
      }
      cursors = next;
    }

    for (const [channelId, headSeq] of toLoad) {
      try {
        await this.load(channelId, headSeq);
      } catch (err) {
        const error = asSwitchboardError(err);
        if (isRetryable(error.code)) throw error;
        // Left or deleted meanwhile: the next sync's channel list forgets it.
        this.log.warn('could not load a channel', { channelId, code: error.code, message: error.message });
      }
    }
    for (const s of streams) if (s.hasGap) this.dirty.add(s.channelId);
  }

  /** Loads a stream's newest page; `headSeq` is a head known from before the request, or 0. */
  private async load(channelId: string, headSeq: number): Promise<void> {
    const stream = this.host.stream(channelId);
    if (!stream) return;
    const generation = stream.generation;
    const page = await this.host.request('channel.history', {
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
