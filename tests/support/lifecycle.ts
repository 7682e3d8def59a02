// Vitest-bound test helpers; kept apart from server.ts, which bench/ runs without Vitest.
import { afterAll, beforeAll } from 'vitest';
import type { ConfigInput } from '../../server/src/config.ts';
import { startNodes, type Shared } from './cluster.ts';
import { createSharedDatabase } from './postgres.ts';
import { startRedis, type RedisServer } from './redis.ts';
import { performOn, startTestServer, tempDir, type TestServer } from './server.ts';

/**
 * One real server for the enclosing file or describe block: started in beforeAll (with
 * startTestServer's arguments) and closed in afterAll; its data dir goes with the file's other
 * temporary directories (tests/support/vitest-setup.ts). `server` stands for the running one (every
 * property is read from it when used), so tests and helpers take it like any TestServer; `ok` and
 * `errorCode` are `performOn` it.
 */
export function useTestServer(...args: Parameters<typeof startTestServer>) {
  let running: TestServer | undefined;
  beforeAll(async () => {
    running = await startTestServer(...args);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  const current = (): TestServer => {
    if (!running) throw new Error('the test server only runs between beforeAll and afterAll');
    return running;
  };
  const server = new Proxy({} as TestServer, { get: (_target, key) => Reflect.get(current(), key) });
  return { server, ...performOn(current) };
}

/**
 * `count` nodes in this process (startNodes) on a fresh database — of the shared PostgreSQL, or
 * `database()`'s — a Redis of their own and one files folder: started in beforeAll, stopped in
 * afterAll. Its fields are set once beforeAll has run.
 */
export function useCluster(
  count: number,
  options: { overrides?: ConfigInput; database?: () => Promise<string> } = {},
) {
  const cluster = {} as { redis: RedisServer; shared: Shared; nodes: TestServer[] };
  beforeAll(async () => {
    cluster.redis = await startRedis();
    cluster.shared = {
      databaseUrl: await (options.database ?? createSharedDatabase)(),
      redisUrl: cluster.redis.url,
      dataDir: tempDir(),
    };
    cluster.nodes = await startNodes(count, cluster.shared, options.overrides);
  });
  afterAll(async () => {
    await Promise.all(cluster.nodes?.map((node) => node.close()) ?? []);
    await cluster.redis?.stop();
  });
  return cluster;
}
