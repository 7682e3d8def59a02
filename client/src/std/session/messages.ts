// What the signed-in user sees of each channel's messages: the streams (stream.ts) with their stored
// messages, and the user's own queued ones from the outbox, turned into display messages (display.ts)
// and told to the UI as `messages` events. Changes arrive live, from catch-up, and as answers to our
// own requests (send ack, edit, delete), and are applied alike. Each stream's window stays bounded
// (Stream.trim), except while a UI's reader is reading a channel's history (`follow`): what they read
// is not pulled out from under them, and is trimmed once they are back at the newest messages.
import {
  SwitchboardError,
  type HistoryPage,
  type Message,
  type MessageChangeKind,
  type SendAck,
  type StreamEvent,
} from '@switchboard/protocol';
import { CACHE_LIMIT, type HistoryCache } from '../cache.ts';
import type { RequestResults, SessionEvents } from '../contract.ts';
import { displayKey, displayOrder, queuedMessage, sentMessage, type DisplayMessage } from '../display.ts';
import type { Outbox, OutboxEntry } from '../outbox.ts';
import { Stream, type StreamSnapshot } from '../stream.ts';
import type { Synchronizer } from '../sync.ts';

const OLDER_PAGE = 50;
/** Channels held whole at once: UIs that never say their reader is back (a tab that crashed) cost no more. */
export const MAX_HELD = 20;

/** The signed-in account's parts these views work with. */
export interface ViewsAccount {
  userId: string;
  cache: HistoryCache;
  outbox: Outbox;
  sync: Synchronizer;
}

export interface ViewsHost {
  account(): ViewsAccount | null;
  online(): boolean;
  history(request: { channelId: string; before: number; limit: number }): Promise<HistoryPage>;
  /** A change to count in the channel's unread and mention counts; `before` is the copy shown until now. */
  counted(event: StreamEvent, before: Message | undefined): void;
  /** A change to a message, for whatever else shows it (open threads). */
  messageChanged(message: Message): void;
  /** Tells the UI what changed in a channel's messages. */
  tell(change: SessionEvents['messages']): void;
}

export class MessageViews {
  private readonly streams = new Map<string, Stream>();
  /** Channels whose history a UI's reader is reading: how many UIs. */
  private readonly held = new Map<string, number>();

  constructor(private readonly host: ViewsHost) {}

  /** The cached streams of a session that starts. */
  load(saved: ReadonlyMap<string, StreamSnapshot>): void {
    for (const [id, snapshot] of saved) this.streams.set(id, new Stream(id, snapshot));
  }

  clear(): void {
    this.streams.clear();
    this.held.clear();
  }

  all(): IterableIterator<Stream> {
    return this.streams.values();
  }

  stream(channelId: string): Stream | undefined {
    return this.streams.get(channelId);
  }

  /** Forgets the streams of channels the user is no longer in. */
  retain(isMember: (channelId: string) => boolean): void {
    for (const id of [...this.streams.keys()]) if (!isMember(id)) this.forget(id);
  }

  forget(channelId: string): void {
    this.held.delete(channelId);
    if (!this.streams.delete(channelId)) return;
    void this.host
      .account()
      ?.cache.deleteStream(channelId)
      .catch(() => {});
  }

  /** The newest page, from the cache at once; loaded first if the channel was never opened. */
  async open(channelId: string): Promise<RequestResults['openChannel']> {
    const account = this.requireAccount();
    let stream = this.streams.get(channelId);
    if (!stream) this.streams.set(channelId, (stream = new Stream(channelId)));
    if (stream.cursor === null && this.host.online()) {
      // Offline or failing, the channel shows what the cache has and fills in by `messages` events
      // once connected or once a retry gets through.
      await account.sync.catchUp(channelId);
    }
    return { messages: this.view(stream), hasOlder: stream.hasOlder };
  }

  async loadOlder(channelId: string): Promise<RequestResults['loadOlder']> {
    const stream = this.streams.get(channelId);
    if (!stream || stream.cursor === null)
      throw new SwitchboardError('bad_request', 'open the channel first');
    if (!stream.hasOlder) return { messages: [], hasOlder: false };
    const generation = stream.generation;
    const before = stream.oldestSeq ?? Number.MAX_SAFE_INTEGER;
    const page = await this.host.history({ channelId, before, limit: OLDER_PAGE });
    // A reset while the page was on its way: the page belongs to a state that no longer exists.
    if (this.streams.get(channelId) !== stream || stream.generation !== generation)
      return { messages: [], hasOlder: stream.hasOlder };
    return {
      messages: stream.addOlder(page.messages, page.hasMore).map(sentMessage),
      hasOlder: stream.hasOlder,
    };
  }

  /**
   * A UI's reader left a channel's newest messages to read its history (`following` false), or is
   * back at them or closed the channel (true); each UI says each once. While any UI reads it, the
   * channel's window is kept whole; once none does, it is trimmed.
   */
  follow(channelId: string, following: boolean): void {
    const readers = (this.held.get(channelId) ?? 0) + (following ? -1 : 1);
    this.held.delete(channelId);
    if (readers > 0) {
      this.held.set(channelId, readers);
      // The longest held goes first.
      for (const id of this.held.keys()) if (this.held.size > MAX_HELD) this.held.delete(id);
      return;
    }
    const stream = this.streams.get(channelId);
    if (stream) this.applied(stream, [], false);
  }

  /**
   * Messages changed in a stream (live, catch-up, a reload after a reset): shown, trimmed unless a
   * reader holds it, and cached. Returns whether the UI was told anything.
   */
  applied(stream: Stream, changed: readonly Message[], reset: boolean): boolean {
    const account = this.host.account();
    if (!account || this.streams.get(stream.channelId) !== stream) return false;
    const channelId = stream.channelId;
    // A stored copy of one of our queued messages settles it, even if its ack never arrived; the
    // stored copy takes its place on screen (same display key).
    for (const m of changed)
      if (m.authorId === account.userId && account.outbox.has(m.clientId))
        void account.outbox.settle(m.clientId);
    const dropped = this.held.has(channelId) ? [] : stream.trim();
    account.cache.saveStream(channelId, () => stream.snapshot(CACHE_LIMIT));
    if (reset)
      this.host.tell({ channelId, messages: this.view(stream), reset: true, hasOlder: stream.hasOlder });
    else if (dropped.length > 0)
      // A message changed and let go in one step (an edit of one of the oldest) is not told: it is
      // below the floor now.
      this.host.tell({
        channelId,
        messages: changed
          .filter((m) => stream.get(m.id) === m)
          .map(sentMessage)
          .sort(displayOrder),
        removed: dropped.map(displayKey),
        hasOlder: true,
      });
    else if (changed.length > 0)
      this.host.tell({ channelId, messages: changed.map(sentMessage).sort(displayOrder) });
    return reset || changed.length > 0 || dropped.length > 0;
  }

  /** A live change; returns whether the UI was told anything. */
  onStreamEvent(event: StreamEvent): boolean {
    const stream = this.streams.get(event.channelId);
    this.host.counted(event, event.kind === 'channel' ? undefined : stream?.get(event.message.id));
    if (event.kind !== 'channel') this.host.messageChanged(event.message);
    if (!stream) return false;
    const told = this.applied(stream, stream.applyLive(event), false);
    if (stream.hasGap) void this.host.account()?.sync.catchUp(event.channelId);
    return told;
  }

  /** A stored message we got as an answer (send ack, edit, delete, reaction): a change like a live one. */
  applyStored(message: Message, kind: MessageChangeKind): boolean {
    return this.onStreamEvent({ channelId: message.channelId, seq: message.changeSeq, kind, message });
  }

  /**
   * The server acknowledged one of our queued messages: its stored copy takes its place (same
   * display key), or, where the copy is not shown (a channel not loaded), it just goes.
   */
  delivered(entry: OutboxEntry, ack: SendAck): void {
    if (!this.applyStored(ack.message, 'created')) this.unqueued(entry);
  }

  /** A queued message was queued, failed, or is pending again. */
  queued(entry: OutboxEntry): void {
    const account = this.host.account();
    if (account)
      this.host.tell({ channelId: entry.channelId, messages: [queuedMessage(entry, account.userId)] });
  }

  /** A queued message was discarded, or delivered by another session on the same storage. */
  unqueued(entry: OutboxEntry): void {
    this.host.tell({ channelId: entry.channelId, messages: [], removed: [this.queuedKey(entry)] });
  }

  private queuedKey(entry: OutboxEntry): string {
    return displayKey({ authorId: this.host.account()?.userId ?? '', clientId: entry.clientId });
  }

  private view(stream: Stream): DisplayMessage[] {
    const account = this.host.account();
    const queued = account?.outbox.list(stream.channelId) ?? [];
    return [
      ...stream.list().map(sentMessage),
      ...queued.map((entry) => queuedMessage(entry, account?.userId ?? '')),
    ];
  }

  private requireAccount(): ViewsAccount {
    const account = this.host.account();
    if (!account) throw new SwitchboardError('unauthorized', 'sign in first');
    return account;
  }
}
