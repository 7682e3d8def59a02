// Who is online and how many live connections each user holds, for presence and the per-user
// connection cap. Volatile by design: never stored in the database. One node counts in its memory;
// several nodes count together in Redis (cluster/redis.ts).
import type { Presence } from '@switchboard/protocol';

export interface ConnectionSlot {
  /** False when the user already holds `max` connections: the new one is refused. */
  accepted: boolean;
  /** This is the user's only connection now (they just came online). */
  first: boolean;
}

export interface ConnectionRegistry {
  /** Counts a new connection of `userId` unless they hold `max` already. */
  add(userId: string, connectionId: string, max: number): Promise<ConnectionSlot>;
  /** Forgets a connection `add` accepted; true when it was the user's last (they went offline). */
  remove(userId: string, connectionId: string): Promise<boolean>;
  /** Live connections of a user. */
  count(userId: string): Promise<number>;
  presenceOf(userIds: readonly string[]): Promise<Map<string, Presence>>;
}

/** One node's connections, counted per user so a second tab closing does not mark you offline. */
export class LocalConnections implements ConnectionRegistry {
  private readonly connections = new Map<string, number>();

  add(userId: string, _connectionId: string, max: number): Promise<ConnectionSlot> {
    return Promise.resolve(this.addNow(userId, max));
  }

  /** `add` without the promise, for the Redis registry's fallback. */
  addNow(userId: string, max: number): ConnectionSlot {
    const n = this.connections.get(userId) ?? 0;
    if (n >= max) return { accepted: false, first: false };
    this.connections.set(userId, n + 1);
    return { accepted: true, first: n === 0 };
  }

  remove(userId: string): Promise<boolean> {
    return Promise.resolve(this.removeNow(userId));
  }

  removeNow(userId: string): boolean {
    const n = (this.connections.get(userId) ?? 1) - 1;
    if (n <= 0) this.connections.delete(userId);
    else this.connections.set(userId, n);
    return n <= 0;
  }

  count(userId: string): Promise<number> {
    return Promise.resolve(this.connections.get(userId) ?? 0);
  }

  presenceOf(userIds: readonly string[]): Promise<Map<string, Presence>> {
    return Promise.resolve(
      new Map(userIds.map((id) => [id, this.connections.has(id) ? 'online' : 'offline'] as const)),
    );
  }
}
