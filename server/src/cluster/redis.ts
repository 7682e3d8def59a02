// Several nodes sharing one Redis (docs/decisions.md, "Fan-out between nodes"):
// - live events go through @socket.io/redis-streams-adapter: a Redis stream every node reads from
//   its last offset, so a short break in one node's connection loses nothing it could still read;
// - rate-limit counters are rate-limiter-flexible's Redis store, each with an in-memory stand-in
//   that keeps limiting on this node while Redis is away;
// - connections per user are a sorted set per user (member: node and connection, score: expiry),
//   refreshed by their node, so a node that dies stops counting once its entries expire.
// Commands that count or limit fail fast while Redis is away (no offline queue) and fall back to
// this node's memory; the stream reader waits for the connection instead. When the connection
// comes back, `onRestored` listeners learn that events may have been missed meanwhile.
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from '@redis/client';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Presence } from '@switchboard/protocol';
import { SwitchboardError } from '@switchboard/protocol';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';
import type { Cluster, LimiterOptions } from './cluster.ts';
import { LocalConnections, type ConnectionRegistry, type ConnectionSlot } from './connections.ts';

const PREFIX = 'switchboard:';
/** How long a node may go without refreshing its connections before other nodes stop counting them. */
export const CONNECTION_TTL_MS = 60_000;
const REFRESH_MS = CONNECTION_TTL_MS / 3;
const CONNECT_TIMEOUT_MS = 10_000;
/** Stream entries kept for readers that fell behind (a node whose connection broke for a moment). */
const STREAM_LENGTH = 10_000;

type Client = RedisClientType;

/** Retries quickly at first, then every two seconds, for as long as it takes. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2_000);

export async function connectRedis(url: string, logger: Logger): Promise<Cluster> {
  const options = { url, disableOfflineQueue: true, socket: { reconnectStrategy } };
  const publisher = createClient(options) as Client;
  const state = createClient(options) as Client;
  // The adapter reads the stream with duplicates of the publisher: those wait for the connection
  // to come back (with an offline queue) rather than fail in a tight loop.
  const duplicate = publisher.duplicate.bind(publisher);
  publisher.duplicate = ((overrides?: object) =>
    duplicate({ ...overrides, disableOfflineQueue: false })) as typeof publisher.duplicate;

  const restored = new Set<() => void>();
  let broken = false;
  const lost = (err?: Error) => {
    if (!broken) logger.warn({ err: err?.message }, 'redis: lost the connection; reconnecting');
    broken = true;
  };
  publisher.on('error', lost);
  publisher.on('reconnecting', () => lost());
  publisher.on('ready', () => {
    if (!broken) return;
    broken = false;
    logger.info('redis: connected again; clients are told to catch up');
    for (const listener of restored) listener();
  });
  state.on('error', () => {});

  await withTimeout(Promise.all([publisher.connect(), state.connect()]), CONNECT_TIMEOUT_MS, url).catch(
    async (err: unknown) => {
      await Promise.allSettled([publisher.destroy(), state.destroy()]);
      throw err;
    },
  );
  const connections = new RedisConnections(state, logger);
  return {
    adapter: createAdapter(publisher, {
      streamName: `${PREFIX}events`,
      maxLen: STREAM_LENGTH,
      // Short blocking reads, so a node that stops is not held for long by a read in flight.
      blockTimeInMs: 1_000,
    } as Parameters<typeof createAdapter>[1]),
    connections,
    limiter: (opts: LimiterOptions) =>
      new RateLimiterRedis({
        ...opts,
        keyPrefix: `${PREFIX}limit:${opts.keyPrefix}`,
        storeClient: state,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(opts),
      }),
    healthy: () => publisher.isReady,
    onRestored: (listener) => restored.add(listener),
    async close() {
      connections.stop();
      await Promise.allSettled([publisher.close(), state.close()]);
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SwitchboardError('unavailable', `cannot reach Redis at ${url.replace(/:[^:@/]*@/, ':***@')}`),
        ),
      ms,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

// Drops expired entries, refuses past the cap, adds the connection: one step for every node.
const ADD = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return n + 1`;
const REMOVE = `
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])`;

/** Connections of every node in Redis; this node's own are also counted in memory, for when Redis is away. */
class RedisConnections implements ConnectionRegistry {
  private readonly node = randomBytes(6).toString('hex');
  private readonly local = new LocalConnections();
  /** This node's connections per user, as their Redis members: refreshed, and re-added after a Redis restart. */
  private readonly mine = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: Client,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async add(userId: string, connectionId: string, max: number): Promise<ConnectionSlot> {
    const member = `${this.node}:${connectionId}`;
    const now = Date.now();
    let slot: ConnectionSlot;
    try {
      const n = Number(
        await this.client.sendCommand([
          'EVAL',
          ADD,
          '1',
          key(userId),
          String(now),
          String(max),
          String(now + CONNECTION_TTL_MS),
          member,
          String(CONNECTION_TTL_MS),
        ]),
      );
      slot = n < 0 ? { accepted: false, first: false } : { accepted: true, first: n === 1 };
      if (slot.accepted) this.local.addNow(userId, Infinity);
    } catch (err) {
      this.fellBack(err);
      slot = this.local.addNow(userId, max);
    }
    if (slot.accepted) {
      const members = this.mine.get(userId) ?? new Set();
      members.add(member);
      this.mine.set(userId, members);
    }
    return slot;
  }

  async remove(userId: string, connectionId: string): Promise<boolean> {
    const member = `${this.node}:${connectionId}`;
    const members = this.mine.get(userId);
    members?.delete(member);
    if (members?.size === 0) this.mine.delete(userId);
    const lastHere = this.local.removeNow(userId);
    try {
      const left = await this.client.sendCommand([
        'EVAL',
        REMOVE,
        '1',
        key(userId),
        String(Date.now()),
        member,
      ]);
      return Number(left) === 0;
    } catch (err) {
      this.fellBack(err);
      return lastHere;
    }
  }

  async count(userId: string): Promise<number> {
    try {
      return Number(await this.client.sendCommand(['ZCOUNT', key(userId), String(Date.now()), '+inf']));
    } catch (err) {
      this.fellBack(err);
      return this.local.count(userId);
    }
  }

  async presenceOf(userIds: readonly string[]): Promise<Map<string, Presence>> {
    try {
      const now = String(Date.now());
      const counts = await Promise.all(
        userIds.map((id) => this.client.sendCommand(['ZCOUNT', key(id), now, '+inf'])),
      );
      return new Map(userIds.map((id, i) => [id, Number(counts[i]) > 0 ? 'online' : 'offline']));
    } catch (err) {
      this.fellBack(err);
      return this.local.presenceOf(userIds);
    }
  }

  private async refresh(): Promise<void> {
    const expiry = String(Date.now() + CONNECTION_TTL_MS);
    try {
      await Promise.all(
        [...this.mine].flatMap(([userId, members]) => [
          ...[...members].map((m) => this.client.sendCommand(['ZADD', key(userId), expiry, m])),
          this.client.sendCommand(['PEXPIRE', key(userId), String(CONNECTION_TTL_MS)]),
        ]),
      );
    } catch (err) {
      this.fellBack(err);
    }
  }

  private fellBack(err: unknown): void {
    this.logger.debug({ err }, 'redis: counting connections on this node only');
  }
}

const key = (userId: string) => `${PREFIX}connections:${userId}`;
