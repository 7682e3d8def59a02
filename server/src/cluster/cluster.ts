// What the nodes of one deployment share besides the database: live events (the Socket.IO adapter),
// rate-limit counters, and who is connected. One node keeps them in its memory; with `redisUrl`
// every node shares them through Redis (cluster/redis.ts).
import type { Server } from 'socket.io';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LocalConnections, type ConnectionRegistry } from './connections.ts';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
}

export interface Cluster {
  /** The Socket.IO adapter that carries events between nodes; undefined keeps Socket.IO's in-memory one. */
  adapter: Parameters<Server['adapter']>[0] | undefined;
  connections: ConnectionRegistry;
  limiter(options: LimiterOptions): RateLimiterAbstract;
  /** Whether this node can reach the others (Redis answers); always true for one node alone. */
  healthy(): boolean;
  /**
   * Calls `listener` when the link to the other nodes is back after it broke: events published
   * meanwhile may never have reached some clients.
   */
  onRestored(listener: () => void): void;
  close(): Promise<void>;
}

/** One node alone: everything in its memory. */
export function singleNode(): Cluster {
  return {
    adapter: undefined,
    connections: new LocalConnections(),
    limiter: (options) => new RateLimiterMemory(options),
    healthy: () => true,
    onRestored: () => {},
    close: () => Promise.resolve(),
  };
}
