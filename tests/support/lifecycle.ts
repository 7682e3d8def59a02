// Vitest-bound test helpers; kept apart from server.ts, which bench/ runs without Vitest.
import { afterAll, beforeAll } from 'vitest';
import { performOn, startTestServer, type TestServer } from './server.ts';

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
