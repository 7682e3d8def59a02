// Vitest-bound test helpers; kept apart from server.ts, which bench/ runs without Vitest.
import fs from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { performOn, startTestServer, type TestServer } from './server.ts';

/**
 * One real server for the enclosing file or describe block: started in beforeAll (with
 * startTestServer's arguments), closed in afterAll, and its data dir removed unless the caller
 * chose it. `server` stands for the running one — every property is read from it when used — so
 * tests and helpers take it like any TestServer; `ok` and `errorCode` are `performOn` it.
 */
export function useTestServer(...args: Parameters<typeof startTestServer>) {
  let running: TestServer | undefined;
  beforeAll(async () => {
    running = await startTestServer(...args);
  });
  afterAll(async () => {
    if (!running) return;
    const { dataDir } = running;
    await running.close();
    running = undefined;
    if (args[0]?.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const current = (): TestServer => {
    if (!running) throw new Error('the test server only runs between beforeAll and afterAll');
    return running;
  };
  const server = new Proxy({} as TestServer, { get: (_target, key) => Reflect.get(current(), key) });
  return { server, ...performOn(current) };
}
