// The session core's storage in memory, for unit tests of what sits on top of it: values are copied
// in and out as JSON (as the real backends store them), and locks are granted one at a time.
import type { KeyValueStorage } from '@switchboard/client';

export class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>();

  async get(key: string): Promise<unknown> {
    const text = this.data.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.data.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async entries(prefix: string): Promise<[string, unknown][]> {
    return Promise.all(
      (await this.keys(prefix)).map(async (key) => [key, await this.get(key)] as [string, unknown]),
    );
  }

  async lock(): Promise<() => Promise<void>> {
    return async () => {};
  }

  async close(): Promise<void> {}
}
