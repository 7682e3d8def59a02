// The one batching stage between the core and a UI: what the UI is told about messages and channels
// is coalesced over a few milliseconds, so a burst of thousands of incoming messages becomes a
// handful of port messages and renders, not thousands. Within a batch each message appears once
// (by display key), in its latest state, and the batch lists them in display order.
import { systemClock, type Clock } from './connection.ts';
import type { SessionEvents } from './contract.ts';
import { displayKey, displayOrder, type DisplayMessage } from './display.ts';

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
      const key = displayKey(m);
      batch.messages.set(key, m);
      batch.removed.delete(key);
    }
    this.schedule();
  }

  /** Drops messages by display key. */
  remove(channelId: string, keys: string[]): void {
    if (keys.length === 0) return;
    const batch = this.batchOf(channelId);
    for (const key of keys) {
      batch.messages.delete(key);
      if (!batch.reset) batch.removed.add(key);
    }
    this.schedule();
  }

  /** Everything shown for the channel is replaced by `messages`. */
  reset(channelId: string, messages: DisplayMessage[]): void {
    this.channels.set(channelId, {
      messages: new Map(messages.map((m) => [displayKey(m), m])),
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
