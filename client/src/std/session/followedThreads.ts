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
  private refreshing = false;
  private again = false;

  constructor(private readonly host: FollowedThreadsHost) {}

  /** The saved list of a session that starts (nothing is told). */
  load(threads: readonly FollowedThread[]): void {
    this.threads = new Map(threads.map((t) => [t.threadId, t]));
  }

  clear(): void {
    this.threads.clear();
  }

  /** The latest reply first. */
  list(): FollowedThread[] {
    return [...this.threads.values()].sort(latestFirst);
  }

  /** Takes the server's list; one asked for meanwhile goes out once this one is in. */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = true;
    try {
      const { threads } = await this.host.fetch();
      this.threads = new Map(threads.map((t) => [t.threadId, t]));
      this.host.changed();
    } catch {
      // The next catch-up asks again.
    } finally {
      this.refreshing = false;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    }
  }

  /** The server's read state of one thread (read here or on another device). */
  applyState(state: ThreadState): void {
    const known = this.threads.get(state.threadId);
    if (!known) return;
    this.threads.set(state.threadId, { ...known, ...state });
    this.host.changed();
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
      if (follows) void this.refresh();
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
    this.threads.set(thread.threadId, next);
    this.host.changed();
  }
}
