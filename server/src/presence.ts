// Who is online, counted per connection so a second tab closing does not mark you offline.
// Volatile by design: never stored.
import type { Presence } from '@switchboard/protocol';

export class PresenceTracker {
  private readonly connections = new Map<string, number>();

  /** Returns true when this is the user's first live connection (they just came online). */
  connected(userId: string): boolean {
    const n = (this.connections.get(userId) ?? 0) + 1;
    this.connections.set(userId, n);
    return n === 1;
  }

  /** Returns true when this was the user's last live connection (they just went offline). */
  disconnected(userId: string): boolean {
    const n = (this.connections.get(userId) ?? 1) - 1;
    if (n <= 0) this.connections.delete(userId);
    else this.connections.set(userId, n);
    return n <= 0;
  }

  count(userId: string): number {
    return this.connections.get(userId) ?? 0;
  }

  of(userId: string): Presence {
    return this.connections.has(userId) ? 'online' : 'offline';
  }
}
