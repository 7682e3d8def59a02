// Node entry of the session core (tests, bots, the CLI, the desktop utility process): the same core
// with its state in JSON files under `dataDir`.
import { SessionCore, type SessionOptions } from '../std/session.ts';
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
export * from '../std/index.ts';
