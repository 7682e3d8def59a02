// The one thing the session core needs from its platform: a small async store of JSON values, and
// a lock so that only one session core at a time sends from it. Implementations: IndexedDB and Web
// Locks in browsers (storage-idb.ts), JSON files and lock files in Node (storage-file.ts).

export interface KeyValueStorage {
  /** The stored value, or undefined when the key is missing (or its record was unreadable and set aside). */
  get(key: string): Promise<unknown>;
  /** Replaces the value atomically: a crash leaves the old value or the new one, never a mix. */
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every stored key that starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /** Every stored key that starts with `prefix`, with its value. */
  entries(prefix: string): Promise<[string, unknown][]>;
  /**
   * Waits until the lock `name` is ours: among everyone using the same storage (other tabs, other
   * processes, other instances), one holds it at a time. Resolves with the function that releases
   * it; rejects when `signal` aborts first.
   */
  lock(name: string, signal: AbortSignal): Promise<() => Promise<void>>;
  /** Waits for pending writes, then releases the store. */
  close(): Promise<void>;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(storage: KeyValueStorage, prefix: string): Promise<void> {
  for (const key of await storage.keys(prefix)) await storage.delete(key);
}
