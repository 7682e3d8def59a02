// The threads a UI has open (a thread panel): each root and its replies, told to the UI as `thread`
// events. Replies are messages of the channel's stream, so the same live events, catch-up pages and
// answers that change a channel's messages change these too, and the same rule applies: a message is
// replaced only by a copy with a higher changeSeq. Replies of ours still in the outbox show as
// pending, under the display key their stored copy takes over. A reset of the channel reloads them.
import type { Message, ThreadPage, ThreadRequest } from '@switchboard/protocol';
import type { RequestResults, SessionEvents } from '../contract.ts';
import { displayKey, queuedMessage, sentMessage, type DisplayMessage } from '../display.ts';
import type { OutboxEntry } from '../outbox.ts';

/** Threads kept open at once: a UI that never closes one (a tab that crashed) costs no more. */
export const MAX_OPEN_THREADS = 20;
const REPLIES_PAGE = 50;

export interface ThreadViewsHost {
  /** The signed-in user and their queued messages; null signed out. */
  account(): { userId: string; queued(): OutboxEntry[] } | null;
  fetch(request: ThreadRequest): Promise<ThreadPage>;
  tell(change: SessionEvents['thread']): void;
}

class OpenThread {
  readonly byId = new Map<string, Message>();
  hasOlder = false;
  /** UIs that have it open. */
  opened = 1;
  /** Bumped on a reload, so an answer for the state before is recognised. */
  generation = 0;

  constructor(
    readonly rootId: string,
    readonly channelId: string,
  ) {}

  /** Latest change wins; returns what changed. */
  upsert(messages: readonly Message[]): Message[] {
    const changed: Message[] = [];
    for (const m of messages) {
      if (m.id !== this.rootId && m.parentId !== this.rootId) continue;
      const known = this.byId.get(m.id);
      if (known && known.changeSeq >= m.changeSeq) continue;
      this.byId.set(m.id, m);
      changed.push(m);
    }
    return changed;
  }

  oldestReplySeq(): number | undefined {
    let oldest: number | undefined;
    for (const m of this.byId.values())
      if (m.id !== this.rootId && (oldest === undefined || m.seq < oldest)) oldest = m.seq;
    return oldest;
  }
}

export class ThreadViews {
  private readonly threads = new Map<string, OpenThread>();

  constructor(private readonly host: ThreadViewsHost) {}

  clear(): void {
    this.threads.clear();
  }

  /** Opens the thread of any of its messages: its root and newest replies, then `thread` events. */
  async open(messageId: string): Promise<RequestResults['openThread']> {
    const page = await this.host.fetch({ messageId, limit: REPLIES_PAGE });
    const rootId = page.root.id;
    let thread = this.threads.get(rootId);
    if (thread) {
      thread.opened += 1;
      // Least recently opened first: keep this one last.
      this.threads.delete(rootId);
    } else {
      thread = new OpenThread(rootId, page.root.channelId);
      thread.hasOlder = page.hasMore;
    }
    this.threads.set(rootId, thread);
    for (const stale of [...this.threads.keys()].slice(0, -MAX_OPEN_THREADS)) this.threads.delete(stale);
    thread.upsert([page.root, ...page.replies]);
    return this.shown(thread);
  }

  /** The page of replies before the oldest one shown. */
  async loadOlder(rootId: string): Promise<RequestResults['loadOlderReplies']> {
    const thread = this.threads.get(rootId);
    if (!thread?.hasOlder) return { messages: [], hasOlder: false };
    const { generation } = thread;
    const page = await this.host.fetch({
      messageId: rootId,
      before: thread.oldestReplySeq() ?? Number.MAX_SAFE_INTEGER,
      limit: REPLIES_PAGE,
    });
    if (this.threads.get(rootId) !== thread || thread.generation !== generation)
      return { messages: [], hasOlder: thread.hasOlder };
    thread.hasOlder = page.hasMore;
    return { messages: thread.upsert(page.replies).map(sentMessage), hasOlder: thread.hasOlder };
  }

  /** One UI closed the thread; once none has it open, it is let go. */
  close(rootId: string): void {
    const thread = this.threads.get(rootId);
    if (thread && --thread.opened <= 0) this.threads.delete(rootId);
  }

  /** Stored messages that changed (live, catch-up, answers): those of open threads are told. */
  apply(messages: readonly Message[]): void {
    if (this.threads.size === 0) return;
    for (const thread of this.threads.values()) {
      const changed = thread.upsert(messages);
      if (changed.length > 0) this.tellChanged(thread, changed.map(sentMessage));
    }
  }

  /** A channel was reset: its open threads are loaded again and replace what was shown. */
  reload(channelId: string): void {
    for (const thread of this.threads.values()) {
      if (thread.channelId !== channelId) continue;
      const generation = ++thread.generation;
      void this.host.fetch({ messageId: thread.rootId, limit: REPLIES_PAGE }).then(
        (page) => {
          if (this.threads.get(thread.rootId) !== thread || thread.generation !== generation) return;
          thread.byId.clear();
          thread.hasOlder = page.hasMore;
          thread.upsert([page.root, ...page.replies]);
          const { root, replies } = this.shown(thread);
          this.host.tell({ rootId: thread.rootId, channelId, messages: [root, ...replies], reset: true });
        },
        // Gone meanwhile or offline: what is shown stays until the thread is opened again.
        () => undefined,
      );
    }
  }

  /** One of our replies was queued, failed, or is pending again. */
  queued(entry: OutboxEntry): void {
    const thread = entry.parentId === undefined ? undefined : this.threadOf(entry.parentId);
    const account = this.host.account();
    if (thread && account) this.tellChanged(thread, [queuedMessage(entry, account.userId)]);
  }

  /** One of our queued replies went (discarded, or delivered by another session). */
  unqueued(entry: OutboxEntry): void {
    const thread = entry.parentId === undefined ? undefined : this.threadOf(entry.parentId);
    const account = this.host.account();
    if (thread && account)
      this.host.tell({
        rootId: thread.rootId,
        channelId: thread.channelId,
        messages: [],
        removed: [displayKey({ authorId: account.userId, clientId: entry.clientId })],
      });
  }

  /** The open thread a message replies to: by its root, or by a reply of it (a reply to a reply). */
  private threadOf(messageId: string): OpenThread | undefined {
    const direct = this.threads.get(messageId);
    if (direct) return direct;
    for (const thread of this.threads.values()) if (thread.byId.has(messageId)) return thread;
    return undefined;
  }

  private tellChanged(thread: OpenThread, messages: DisplayMessage[]): void {
    this.host.tell({ rootId: thread.rootId, channelId: thread.channelId, messages });
  }

  private shown(thread: OpenThread): RequestResults['openThread'] {
    const account = this.host.account();
    const stored = [...thread.byId.values()].sort((a, b) => a.seq - b.seq);
    const queued = (account?.queued() ?? [])
      .filter((e) => e.parentId !== undefined && this.threadOf(e.parentId) === thread)
      .map((e) => queuedMessage(e, account!.userId));
    const root = thread.byId.get(thread.rootId)!;
    return {
      rootId: thread.rootId,
      root: sentMessage(root),
      replies: [...stored.filter((m) => m.id !== thread.rootId).map(sentMessage), ...queued],
      hasOlder: thread.hasOlder,
    };
  }
}
