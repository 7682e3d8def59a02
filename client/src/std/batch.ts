// The one batching stage between the core and a UI, one per attached UI (serveSession): while the UI
// is still busy with what it was last sent, the messages and channel lists the core tells are merged
// — each message once, by display key, in its latest state; only the latest channel list — and go out
// together once the UI says it has caught up (a `ready` frame; a browser UI sends it when it next
// paints). So a burst of thousands of incoming messages reaches a busy UI as one batch per frame, an
// idle UI at once, and a UI that never says `ready` still every MAX_WAIT_MS. Other events go out at
// once, after whatever was waiting, so the UI sees everything in the order it happened.
import { systemClock, type Clock } from './connection.ts';
import type { SessionEventName, SessionEvents } from './contract.ts';
import { displayKey, displayOrder, type DisplayMessage } from './display.ts';

/** The longest a batch waits for a UI that has not said it is ready. */
export const MAX_WAIT_MS = 250;

interface ChannelBatch {
  messages: Map<string, DisplayMessage>;
  removed: Set<string>;
  reset: boolean;
}

export type SendEvent = <E extends SessionEventName>(name: E, payload: SessionEvents[E]) => void;

export class EventBatcher {
  private readonly channels = new Map<string, ChannelBatch>();
  private channelList: SessionEvents['channels'] | null = null;
  /** Events sent, and how many of them the UI has said it handled. */
  private sent = 0;
  private handled = 0;
  private timer: unknown = null;

  constructor(
    private readonly send: SendEvent,
    private readonly clock: Clock = systemClock,
  ) {}

  /** An event from the core, on its way to the UI. */
  push<E extends SessionEventName>(name: E, payload: SessionEvents[E]): void {
    if (name === 'messages') this.merge(payload as SessionEvents['messages']);
    else if (name === 'channels') this.channelList = payload as SessionEvents['channels'];
    else {
      this.flush();
      this.emit(name, payload);
      return;
    }
    if (this.handled >= this.sent) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), MAX_WAIT_MS);
  }

  /** The UI has handled the first `count` events it was sent. */
  ready(count: number): void {
    this.handled = Math.max(this.handled, count);
    if (this.handled >= this.sent) this.flush();
  }

  /** Sends whatever is waiting. */
  flush(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.channelList) this.emit('channels', this.channelList);
    this.channelList = null;
    const batches = [...this.channels];
    this.channels.clear();
    for (const [channelId, batch] of batches) {
      const payload: SessionEvents['messages'] = {
        channelId,
        messages: [...batch.messages.values()].sort(displayOrder),
      };
      if (batch.removed.size > 0) payload.removed = [...batch.removed];
      if (batch.reset) payload.reset = true;
      this.emit('messages', payload);
    }
  }

  /** Drops whatever is waiting (the UI went away). */
  clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.channels.clear();
    this.channelList = null;
  }

  private emit<E extends SessionEventName>(name: E, payload: SessionEvents[E]): void {
    this.sent += 1;
    this.send(name, payload);
  }

  /** Later changes win: removals apply before upserts, a reset replaces all that waited. */
  private merge({ channelId, messages, removed = [], reset }: SessionEvents['messages']): void {
    let batch = this.channels.get(channelId);
    if (!batch || reset) {
      batch = { messages: new Map(), removed: new Set(), reset: reset === true };
      this.channels.set(channelId, batch);
    }
    for (const key of removed) {
      batch.messages.delete(key);
      if (!batch.reset) batch.removed.add(key);
    }
    for (const m of messages) {
      const key = displayKey(m);
      batch.messages.set(key, m);
      batch.removed.delete(key);
    }
  }
}
