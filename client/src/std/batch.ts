// The one batching stage between the core and a UI, one per attached UI (serveSession): while the UI
// is still busy with what it was last sent, the messages and channel lists the core tells are merged
// — each message once, by display key, in its latest state; only the latest channel list — and go out
// together once the UI says it has caught up (a `ready` frame; a browser UI sends it when it next
// paints). So a burst of thousands of incoming messages reaches a busy UI as one batch per frame, an
// idle UI at once (with whatever else the same change caused), and a UI that never says `ready` still
// every MAX_WAIT_MS. Other events go out at once, after whatever was waiting, so the UI sees
// everything in the order it happened. Each send is one frame, which the UI handles in one go.
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

/** One event as it goes out. */
export type OutgoingEvent = {
  [E in SessionEventName]: { name: E; payload: SessionEvents[E] };
}[SessionEventName];

/** Sends events together, to be handled in one go. */
export type SendEvents = (events: OutgoingEvent[]) => void;

export class EventBatcher {
  private readonly channels = new Map<string, ChannelBatch>();
  private channelList: SessionEvents['channels'] | null = null;
  /** Sends made, and how many of them the UI has said it handled. */
  private sent = 0;
  private handled = 0;
  private timer: unknown = null;
  /** A look at what gathered is due once the current change is done (a microtask). */
  private due = false;

  constructor(
    private readonly send: SendEvents,
    private readonly clock: Clock = systemClock,
  ) {}

  /** An event from the core, on its way to the UI. */
  push<E extends SessionEventName>(name: E, payload: SessionEvents[E]): void {
    if (name === 'messages') this.merge(payload as SessionEvents['messages']);
    else if (name === 'channels') this.channelList = payload as SessionEvents['channels'];
    else {
      this.flush([{ name, payload } as OutgoingEvent]);
      return;
    }
    if (this.due) return;
    this.due = true;
    // Everything one change causes (its messages, the channel counts) goes out together.
    queueMicrotask(() => {
      this.due = false;
      if (this.handled >= this.sent) this.flush();
      else this.timer ??= this.clock.setTimeout(() => this.flush(), MAX_WAIT_MS);
    });
  }

  /** The UI has handled the first `count` sends it got. */
  ready(count: number): void {
    this.handled = Math.max(this.handled, count);
    if (this.handled >= this.sent) this.flush();
  }

  /** Sends whatever is waiting, then `after`, in one send. */
  flush(after: OutgoingEvent[] = []): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const events: OutgoingEvent[] = [];
    if (this.channelList) events.push({ name: 'channels', payload: this.channelList });
    this.channelList = null;
    for (const [channelId, batch] of this.channels) {
      const payload: SessionEvents['messages'] = {
        channelId,
        messages: [...batch.messages.values()].sort(displayOrder),
      };
      if (batch.removed.size > 0) payload.removed = [...batch.removed];
      if (batch.reset) payload.reset = true;
      events.push({ name: 'messages', payload });
    }
    this.channels.clear();
    events.push(...after);
    if (events.length === 0) return;
    this.sent += 1;
    this.send(events);
  }

  /** Drops whatever is waiting (the UI went away). */
  clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.channels.clear();
    this.channelList = null;
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
