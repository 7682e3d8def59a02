// Presence changes go out in batches: when thousands of clients reconnect after a restart, one
// broadcast per window replaces one broadcast per user, which would cost O(users²) frames.
import type { Presence } from '@switchboard/protocol';

export type PresenceChange = { userId: string; status: Presence };

export const PRESENCE_WINDOW_MS = 500;

export class PresenceBatcher {
  private pending = new Map<string, Presence>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly broadcast: (changes: PresenceChange[]) => void,
    private readonly windowMs = PRESENCE_WINDOW_MS,
  ) {}

  /** Records a user's latest state; a user who flips within one window is sent once, as they end up. */
  changed(userId: string, status: Presence): void {
    this.pending.set(userId, status);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const changes = [...this.pending].map(([userId, status]) => ({ userId, status }));
    this.pending = new Map();
    this.broadcast(changes);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
