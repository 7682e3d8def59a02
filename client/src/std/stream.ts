// One stream's local state: a window of its newest messages and the cursor that says how far the
// client has applied the stream's changes (ARCHITECTURE.md §3).
//
// `cursor` is the highest change seq up to which every change is applied. Changes arriving past
// cursor + 1 are applied at once (the UI shows them) and remembered in `ahead`; when the missing
// seqs arrive the cursor moves over them, and while any remain missing the stream has a gap the
// synchronizer fills. Changes to messages older than the window are ignored: loading older history
// fetches their latest state anyway. The window is bounded (trim): a stream that grows past
// WINDOW_LIMIT lets its oldest messages go and raises its floor, and older history brings them back.
import type { Message, StreamCatchUp, StreamEvent } from '@switchboard/protocol';

/** What the cache keeps of a stream. */
export interface StreamSnapshot {
  cursor: number | null;
  hasOlder: boolean;
  /** In seq order. */
  messages: Message[];
}

/** Live events kept while the stream's first page is loading, replayed over it. */
const MAX_BUFFERED = 1_000;

/**
 * Most messages a stream keeps once trimmed: a channel left open all day in a busy workspace stays
 * this size. Several screens of a tall window, plus a few older pages (50 each) the reader may just
 * have loaded; a trim keeps WINDOW_KEEP, so it happens once per hundred new messages, not with each.
 */
export const WINDOW_LIMIT = 400;
export const WINDOW_KEEP = 300;

export class Stream {
  /** Null until the newest page has been loaded (or after a reset dropped everything). */
  cursor: number | null = null;
  hasOlder = false;
  /** Bumped whenever the state is replaced, so answers to older requests can be recognised. */
  generation = 0;
  /** The lowest seq the window covers: messages below it are not kept. */
  private floorSeq = 0;
  private readonly byId = new Map<string, Message>();
  /** `byId` in seq order, until it changes. */
  private sorted: Message[] | null = [];
  private readonly ahead = new Set<number>();
  private buffered: StreamEvent[] = [];

  constructor(
    readonly channelId: string,
    saved?: StreamSnapshot,
  ) {
    if (!saved) return;
    this.cursor = saved.cursor;
    this.hasOlder = saved.hasOlder;
    this.floorSeq = saved.hasOlder ? (saved.messages[0]?.seq ?? 0) : 0;
    for (const m of saved.messages) this.byId.set(m.id, m);
    this.sorted = null;
  }

  /** True while some change between the cursor and a change already seen is missing. */
  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  get oldestSeq(): number | null {
    return this.list()[0]?.seq ?? null;
  }

  /** How many messages the window holds. */
  get size(): number {
    return this.byId.size;
  }

  get(messageId: string): Message | undefined {
    return this.byId.get(messageId);
  }

  /** Messages in seq order; the same array until the window changes. */
  list(): readonly Message[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => a.seq - b.seq);
    return this.sorted;
  }

  /**
   * Applies one live change; returns the messages whose shown state changed. A change of the
   * channel's details (`channel`) changes no message but moves the cursor like any other.
   */
  applyLive(event: StreamEvent): Message[] {
    if (this.cursor === null) {
      if (this.buffered.length < MAX_BUFFERED) this.buffered.push(event);
      else this.ahead.add(event.seq);
      return [];
    }
    const changed = event.kind === 'channel' ? [] : this.upsert([event.message]);
    if (event.seq > this.cursor) {
      this.ahead.add(event.seq);
      this.advance();
    }
    return changed;
  }

  /** Applies one page of catch-up (status ok). */
  applyPage(page: StreamCatchUp): Message[] {
    const changed = this.upsert(page.messages);
    this.moveCursor(page.cursor);
    return changed;
  }

  /**
   * Replaces everything with the newest page. `cursor` must not exceed the stream's head when the
   * page was read. Returns the changes that arrived meanwhile, to be replayed with applyLive.
   */
  load(messages: Message[], cursor: number, hasOlder: boolean): StreamEvent[] {
    this.byId.clear();
    this.sorted = [];
    this.generation += 1;
    this.cursor = 0;
    this.hasOlder = hasOlder;
    this.floorSeq = hasOlder ? (messages[0]?.seq ?? 0) : 0;
    this.upsert(messages);
    this.moveCursor(cursor);
    const replay = this.buffered;
    this.buffered = [];
    return replay;
  }

  /** Drops everything (a reset): the stream must be loaded again. */
  clear(): void {
    this.byId.clear();
    this.sorted = [];
    this.ahead.clear();
    this.buffered = [];
    this.generation += 1;
    this.cursor = null;
    this.hasOlder = false;
    this.floorSeq = 0;
  }

  /** Adds a page of older history below the window; returns the messages that were new to it. */
  addOlder(messages: Message[], hasMore: boolean): Message[] {
    this.hasOlder = hasMore;
    this.floorSeq = hasMore ? Math.min(this.floorSeq, messages[0]?.seq ?? this.floorSeq) : 0;
    return this.upsert(messages);
  }

  /**
   * Past `limit` messages, lets the oldest go until `keep` remain: the floor rises to the oldest kept,
   * so changes to those let go are ignored, and `hasOlder` says loading older history brings them
   * back. Returns the messages let go, oldest first.
   */
  trim(limit = WINDOW_LIMIT, keep = WINDOW_KEEP): Message[] {
    if (this.byId.size <= limit) return [];
    const all = this.list();
    const dropped = all.slice(0, all.length - keep);
    for (const m of dropped) this.byId.delete(m.id);
    this.sorted = all.slice(dropped.length);
    this.floorSeq = this.sorted[0]?.seq ?? this.floorSeq;
    this.hasOlder = true;
    return dropped;
  }

  /** The newest `limit` messages, for the cache. */
  snapshot(limit: number): StreamSnapshot {
    const all = this.list();
    const kept = all.slice(-limit);
    return { cursor: this.cursor, hasOlder: this.hasOlder || kept.length < all.length, messages: kept };
  }

  /** Latest change wins: a message is replaced only by a copy with a higher changeSeq. */
  private upsert(messages: Message[]): Message[] {
    const changed: Message[] = [];
    for (const m of messages) {
      const prev = this.byId.get(m.id);
      if (prev ? prev.changeSeq >= m.changeSeq : m.seq < this.floorSeq) continue;
      this.byId.set(m.id, m);
      changed.push(m);
      this.sorted = null;
    }
    return changed;
  }

  private moveCursor(to: number): void {
    if (this.cursor === null || to <= this.cursor) return;
    this.cursor = to;
    for (const seq of this.ahead) if (seq <= to) this.ahead.delete(seq);
    this.advance();
  }

  private advance(): void {
    if (this.cursor === null) return;
    while (this.ahead.delete(this.cursor + 1)) this.cursor += 1;
  }
}
