// Browser storage: one IndexedDB object store of JSON values. IndexedDB writes are transactional,
// so each set is atomic without further care.
import { openDB, type IDBPDatabase } from 'idb';
import type { KeyValueStorage } from './storage.ts';

const STORE = 'kv';

export class IdbStorage implements KeyValueStorage {
  private constructor(private readonly db: IDBPDatabase) {}

  static async open(name = 'switchboard-session'): Promise<IdbStorage> {
    const db = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore(STORE);
      },
    });
    return new IdbStorage(db);
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
    const keys = await this.db.getAllKeys(STORE, IDBKeyRange.bound(prefix, `${prefix}\uffff`));
    return keys.map(String);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
