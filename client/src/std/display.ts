// How a channel's messages are shown, in one place for the core and every UI: one shape for a stored
// message and for one of ours still in the outbox, one identity across a message's life, one order,
// and the view that keeps a channel's messages by those rules.
import { z } from 'zod';
import { ErrorBody, Message, type FileInfo } from '@switchboard/protocol';

/**
 * A message as a UI shows it: a stored one (`sent`), or one of ours still in the outbox (`pending`,
 * `failed`). A queued one has not been given a place in the stream yet: its `id` is its `clientId`,
 * `seq` and `changeSeq` are 0, `ts` is when it was queued and `failure` says why it failed.
 */
export const DisplayMessage = Message.extend({
  delivery: z.enum(['sent', 'pending', 'failed']),
  failure: ErrorBody.optional(),
});
export type DisplayMessage = z.infer<typeof DisplayMessage>;

/** What the outbox knows of a queued message. */
export interface QueuedText {
  clientId: string;
  channelId: string;
  text: string;
  files?: FileInfo[];
  queuedAt: number;
  state: 'pending' | 'failed';
  failure?: ErrorBody;
  /** A thread reply: the message replied to, and whether it goes to the channel too. */
  parentId?: string;
  alsoInChannel?: boolean;
}

export const sentMessage = (message: Message): DisplayMessage => ({ ...message, delivery: 'sent' });

/** A queued message of `authorId` as it shows until its stored copy takes its place. */
export function queuedMessage(entry: QueuedText, authorId: string): DisplayMessage {
  const shown: DisplayMessage = {
    id: entry.clientId,
    channelId: entry.channelId,
    seq: 0,
    changeSeq: 0,
    authorId,
    clientId: entry.clientId,
    text: entry.text,
    mentions: [],
    ts: entry.queuedAt,
    editedAt: null,
    deletedAt: null,
    kind: 'text',
    notice: null,
    files: entry.files ?? [],
    parentId: entry.parentId ?? null,
    alsoInChannel: entry.alsoInChannel === true,
    replyCount: 0,
    lastReplyAt: null,
    replierIds: [],
    reactions: [],
    delivery: entry.state,
  };
  if (entry.failure) shown.failure = entry.failure;
  return shown;
}

/** Whether a message shows in its channel's list: all but thread replies kept to their thread. */
export const inChannelList = (m: Pick<Message, 'parentId' | 'alsoInChannel'>): boolean =>
  m.parentId === null || m.alsoInChannel;

/**
 * A message's identity across its life: a queued message and its stored copy share author and
 * clientId (the server stores each clientId of an author once), so the stored copy takes its place.
 */
export const displayKey = (m: Pick<DisplayMessage, 'authorId' | 'clientId'>): string =>
  `${m.authorId}/${m.clientId}`;

/** Stored messages by seq, then queued ones in the order they were queued. */
export function displayOrder(a: DisplayMessage, b: DisplayMessage): number {
  const aQueued = a.delivery === 'sent' ? 0 : 1;
  const bQueued = b.delivery === 'sent' ? 0 : 1;
  return aQueued - bQueued || a.seq - b.seq || a.ts - b.ts;
}

/** One channel's shown messages, by display key, listed in display order. */
export class MessageView {
  private readonly byKey = new Map<string, DisplayMessage>();
  private sorted: DisplayMessage[] | null = [];

  /** Latest change wins: a stored copy never replaces a copy of the same message with a later change. */
  upsert(messages: readonly DisplayMessage[]): void {
    for (const m of messages) {
      const key = displayKey(m);
      const known = this.byKey.get(key);
      if (known?.delivery === 'sent' && m.delivery === 'sent' && m.changeSeq < known.changeSeq) continue;
      this.byKey.set(key, m);
      this.sorted = null;
    }
  }

  remove(keys: readonly string[]): void {
    for (const key of keys) if (this.byKey.delete(key)) this.sorted = null;
  }

  clear(): void {
    this.byKey.clear();
    this.sorted = [];
  }

  /** In display order; the same array until the view changes. */
  list(): readonly DisplayMessage[] {
    this.sorted ??= [...this.byKey.values()].sort(displayOrder);
    return this.sorted;
  }
}
