// The one thing the session core needs from its platform: a small async store of JSON values.
// Implementations: IndexedDB in browsers (storage-idb.ts), atomic JSON files in Node (storage-file.ts).

export interface KeyValueStorage {
  /** The stored value, or undefined when the key is missing or unreadable. */
  get(key: string): Promise<unknown>;
  /** Replaces the value atomically: a crash leaves the old value or the new one, never a mix. */
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every stored key that starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /** Waits for pending writes, then releases the store. */
  close(): Promise<void>;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(storage: KeyValueStorage, prefix: string): Promise<void> {
  for (const key of await storage.keys(prefix)) await storage.delete(key);
}
