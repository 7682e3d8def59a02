// The threads the signed-in user follows (they wrote the root, replied, or were mentioned), with
// their unread counts, for a "Threads" view and its badge. The server keeps the read state, so every
// device agrees: its list arrives after every catch-up, its `thread.state` when a thread is read
// anywhere; between those, live replies keep the counts current here, counted the way the server
// counts them. A change that makes the user follow a thread not listed yet asks for the list again.
import type { FollowedThread, Message, StreamEvent, ThreadState, ThreadsPage } from '@switchboard/protocol';

/** Followed threads kept: the newest page the server gives. */
export const FOLLOWED_THREADS_PAGE = 100;

export interface FollowedThreadsHost {
  fetch(): Promise<ThreadsPage>;
  markRead(threadId: string, seq: number): Promise<ThreadState>;
  /** The list or a count in it changed: tell the UI and save. */
  changed(): void;
}

const latestFirst = (a: FollowedThread, b: FollowedThread) =>
  (b.lastReplyAt ?? b.root.ts) - (a.lastReplyAt ?? a.root.ts) || (a.threadId < b.threadId ? 1 : -1);

export class FollowedThreads {
  private threads = new Map<string, FollowedThread>();
  /** When each thread last changed here, counted in `changes`: a list asked for before is older. */
  private readonly stamps = new Map<string, number>();
  private changes = 0;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly host: FollowedThreadsHost) {}

  /** The saved list of a session that starts (nothing is told). */
  load(threads: readonly FollowedThread[]): void {
    this.threads = new Map(threads.map((t) => [t.threadId, t]));
  }

  clear(): void {
    this.threads.clear();
    this.stamps.clear();
  }

  /** The latest reply first. */
  list(): FollowedThread[] {
    return [...this.threads.values()].sort(latestFirst);
  }

  /**
   * Takes the server's list, except for threads changed here since it was asked for (those are
   * newer). One asked for while another is on its way goes out after it; resolves once the list is
   * as the server had it at the call, or the request failed (the next catch-up asks again).
   */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.fetch().finally(() => (this.running = null));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.refresh();
    });
    return this.queued;
  }

  /** The server's read state of one thread (read here or on another device). */
  applyState(state: ThreadState): void {
    const known = this.threads.get(state.threadId);
    // Followed since the list was read: the list again, with it.
    if (!known) return void this.refresh();
    this.set({ ...known, ...state });
  }

  /** Marks a followed thread read up to `seq` on the server; threads not followed have no read state. */
  async markRead(threadId: string, seq: number): Promise<void> {
    const known = this.threads.get(threadId);
    if (!known || seq <= known.readSeq) return;
    this.applyState(await this.host.markRead(threadId, seq));
  }

  /** Forgets the threads of a channel the user left. */
  forgetChannel(channelId: string): void {
    const before = this.threads.size;
    for (const [id, thread] of this.threads) if (thread.channelId === channelId) this.threads.delete(id);
    if (this.threads.size !== before) this.host.changed();
  }

  private async fetch(): Promise<void> {
    const mark = this.changes;
    let threads: FollowedThread[];
    try {
      ({ threads } = await this.host.fetch());
    } catch {
      return; // The next catch-up asks again.
    }
    const newerHere = (id: string) => (this.stamps.get(id) ?? 0) > mark;
    this.threads = new Map(
      threads.map((t) => [t.threadId, newerHere(t.threadId) ? (this.threads.get(t.threadId) ?? t) : t]),
    );
    this.host.changed();
  }

  private set(thread: FollowedThread): void {
    this.threads.set(thread.threadId, thread);
    this.stamps.set(thread.threadId, ++this.changes);
    this.host.changed();
  }

  /**
   * Keeps the counts current as the stream changes. `before` is the copy of the message shown until
   * now (a deleted copy has no mentions left).
   */
  countChange(event: StreamEvent, me: string, before: Message | undefined): void {
    if (event.kind === 'channel') return;
    const m = event.message;
    const thread = this.threads.get(m.parentId ?? m.id);
    if (!thread) {
      // Someone replied to our message, we replied, or a reply names us: we follow it now.
      const follows =
        (event.kind === 'thread' && m.authorId === me) ||
        (event.kind === 'created' && m.parentId !== null && (m.authorId === me || m.mentions.includes(me)));
      // A list on its way may have been read before this change and bring the thread without it:
      // ask again after it.
      if (follows || this.running) void this.refresh();
      return;
    }
    const next = { ...thread };
    if (m.id === thread.threadId) {
      if (m.changeSeq <= thread.root.changeSeq) return;
      next.root = m;
      next.lastReplyAt = m.lastReplyAt;
    } else if (event.kind === 'created' && m.authorId === me) {
      // The server counts replying as having read the thread.
      Object.assign(next, { readSeq: Math.max(next.readSeq, m.seq), unreadCount: 0, mentionCount: 0 });
    } else if (m.authorId !== me && m.seq > thread.readSeq && !thread.unreadCapped) {
      if (event.kind === 'created') {
        next.unreadCount += 1;
        if (m.mentions.includes(me)) next.mentionCount += 1;
      } else if (event.kind === 'deleted' && before?.deletedAt === null) {
        next.unreadCount = Math.max(0, next.unreadCount - 1);
        if (before.mentions.includes(me)) next.mentionCount = Math.max(0, next.mentionCount - 1);
      } else return;
    } else return;
    this.set(next);
  }
}
