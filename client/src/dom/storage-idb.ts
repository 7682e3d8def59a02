// Browser storage: one IndexedDB object store of JSON values. IndexedDB writes are transactional,
// so each set is atomic without further care. Locks are Web Locks, shared by every tab and worker
// of the origin, so the dedicated workers of several tabs agree on who sends.
import { openDB, type IDBPDatabase } from 'idb';
import type { KeyValueStorage } from '../std/storage.ts';

const STORE = 'kv';

export class IdbStorage implements KeyValueStorage {
  private constructor(
    private readonly db: IDBPDatabase,
    private readonly name: string,
  ) {}

  static async open(name = 'switchboard-session'): Promise<IdbStorage> {
    const db = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore(STORE);
      },
    });
    return new IdbStorage(db, name);
  }

  get(key: string): Promise<unknown> {
    return this.db.get(STORE, key);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.put(STORE, value, key);
  }

  async delete(key: string): Promise<void> {
    await this.db.delete(STORE, key);
  }

  async keys(prefix: string): Promise<string[]> {
    const keys = await this.db.getAllKeys(STORE, range(prefix));
    return keys.map(String);
  }

  async entries(prefix: string): Promise<[string, unknown][]> {
    // One transaction, so keys and values belong together.
    const store = this.db.transaction(STORE).store;
    const [keys, values] = await Promise.all([store.getAllKeys(range(prefix)), store.getAll(range(prefix))]);
    return keys.map((key, i) => [String(key), values[i]]);
  }

  lock(name: string, signal: AbortSignal): Promise<() => Promise<void>> {
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    // Without Web Locks (old browsers) there is nothing to agree with: each core sends on its own,
    // which the server's clientId check keeps from storing anything twice.
    if (!locks) return Promise.resolve(async () => {});
    return new Promise((resolve, reject) => {
      locks
        .request(
          `${this.name}/${name}`,
          { signal },
          () => new Promise<void>((release) => resolve(async () => release())),
        )
        .catch(reject);
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function range(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`);
}
