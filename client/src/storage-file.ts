// Node storage: one JSON file per key in a directory, replaced atomically (write a temp file, then
// rename over the old one), so a crash mid-write never leaves a torn outbox or cache.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { KeyValueStorage } from './storage.ts';

const SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';

export class FileStorage implements KeyValueStorage {
  /** Writes per key, chained so they land in the order they were made. */
  private readonly writes = new Map<string, Promise<void>>();
  private tempCounter = 0;

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<FileStorage> {
    await fs.mkdir(dir, { recursive: true });
    // Temp files left by a crash mid-write hold nothing the real files lack.
    for (const name of await fs.readdir(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) await fs.rm(path.join(dir, name), { force: true });
    }
    return new FileStorage(dir);
  }

  async get(key: string): Promise<unknown> {
    await this.writes.get(key);
    try {
      return JSON.parse(await fs.readFile(this.file(key), 'utf8')) as unknown;
    } catch (err) {
      if (err instanceof SyntaxError || (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  set(key: string, value: unknown): Promise<void> {
    const data = JSON.stringify(value);
    return this.queue(key, async () => {
      const temp = `${this.file(key)}.${process.pid}.${++this.tempCounter}${TEMP_SUFFIX}`;
      await fs.writeFile(temp, data);
      await fs.rename(temp, this.file(key));
    });
  }

  delete(key: string): Promise<void> {
    return this.queue(key, () => fs.rm(this.file(key), { force: true }));
  }

  async keys(prefix: string): Promise<string[]> {
    await Promise.all(this.writes.values());
    return (await fs.readdir(this.dir))
      .filter((name) => name.endsWith(SUFFIX))
      .map((name) => decodeURIComponent(name.slice(0, -SUFFIX.length)))
      .filter((key) => key.startsWith(prefix));
  }

  async close(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  private file(key: string): string {
    return path.join(this.dir, encodeURIComponent(key) + SUFFIX);
  }

  private queue(key: string, write: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(key) ?? Promise.resolve()).then(write);
    const settled = next.catch(() => {});
    this.writes.set(key, settled);
    void settled.then(() => {
      if (this.writes.get(key) === settled) this.writes.delete(key);
    });
    return next;
  }
}
