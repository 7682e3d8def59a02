// Coalesces what the UI is told about messages and channels over a few milliseconds, so a burst of
// thousands of incoming messages becomes a handful of port messages and renders, not thousands.
// Within a batch each message appears once, in its latest state.
import type { DisplayMessage, SessionEvents } from './contract.ts';
import { systemClock, type Clock } from './connection.ts';

const BATCH_MS = 10;

interface ChannelBatch {
  messages: Map<string, DisplayMessage>;
  removed: Set<string>;
  reset: boolean;
}

export interface BatchTarget {
  messages(payload: SessionEvents['messages']): void;
  channels(): void;
}

/** Stored messages by seq, then outbox entries in the order they were queued. */
export function displayOrder(a: DisplayMessage, b: DisplayMessage): number {
  const aQueued = a.delivery === 'sent' ? 0 : 1;
  const bQueued = b.delivery === 'sent' ? 0 : 1;
  return aQueued - bQueued || a.seq - b.seq || a.ts - b.ts;
}

export class EventBatcher {
  private readonly channels = new Map<string, ChannelBatch>();
  private channelsChanged = false;
  private timer: unknown = null;

  constructor(
    private readonly target: BatchTarget,
    private readonly clock: Clock = systemClock,
  ) {}

  upsert(channelId: string, messages: DisplayMessage[]): void {
    if (messages.length === 0) return;
    const batch = this.batchOf(channelId);
    for (const m of messages) {
      batch.messages.set(m.id, m);
      batch.removed.delete(m.id);
    }
    this.schedule();
  }

  remove(channelId: string, ids: string[]): void {
    if (ids.length === 0) return;
    const batch = this.batchOf(channelId);
    for (const id of ids) {
      batch.messages.delete(id);
      if (!batch.reset) batch.removed.add(id);
    }
    this.schedule();
  }

  /** Everything shown for the channel is replaced by `messages`. */
  reset(channelId: string, messages: DisplayMessage[]): void {
    this.channels.set(channelId, {
      messages: new Map(messages.map((m) => [m.id, m])),
      removed: new Set(),
      reset: true,
    });
    this.schedule();
  }

  channelList(): void {
    this.channelsChanged = true;
    this.schedule();
  }

  flush(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.channels];
    this.channels.clear();
    if (this.channelsChanged) {
      this.channelsChanged = false;
      this.target.channels();
    }
    for (const [channelId, batch] of batches) {
      const payload: SessionEvents['messages'] = {
        channelId,
        messages: [...batch.messages.values()].sort(displayOrder),
      };
      if (batch.removed.size > 0) payload.removed = [...batch.removed];
      if (batch.reset) payload.reset = true;
      this.target.messages(payload);
    }
  }

  /** Drops whatever is waiting (sign-out). */
  clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.channels.clear();
    this.channelsChanged = false;
  }

  private batchOf(channelId: string): ChannelBatch {
    let batch = this.channels.get(channelId);
    if (!batch)
      this.channels.set(channelId, (batch = { messages: new Map(), removed: new Set(), reset: false }));
    return batch;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, BATCH_MS);
  }
}
