// Node entry of the session core (tests, bots, the CLI, the desktop utility process): the same core
// with its state in JSON files under `dataDir`.
import { SessionCore, type SessionOptions } from './session.ts';
import { FileStorage } from './storage-file.ts';

export interface NodeSessionOptions extends Omit<SessionOptions, 'storage'> {
  /**
   * Where the session keeps its sign-in, outbox and cache. Meant for one session at a time; a
   * second one on the same directory loses nothing, but only one of them sends (a lock file).
   */
  dataDir: string;
}

export async function createNodeSession({ dataDir, ...options }: NodeSessionOptions): Promise<SessionCore> {
  return SessionCore.open({
    ...options,
    storage: await FileStorage.open(dataDir, { logger: options.logger }),
  });
}

export { FileStorage };
// What runs anywhere, without the browser-only entries of ./index.ts (workers, IndexedDB), so Node
// code (the desktop's utility process, built and typechecked without DOM types) can take it all here.
export * from './contract.ts';
export { SessionCore, type SessionOptions } from './session.ts';
export { serveSession, SessionClient, type PortLike } from './port.ts';
export { backoffDelay, BACKOFF_CAP_MS, systemClock, type Clock, type SocketFactory } from './connection.ts';
export type { KeyValueStorage } from './storage.ts';
export { silentLogger, type Logger } from './log.ts';
