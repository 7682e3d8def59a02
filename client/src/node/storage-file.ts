// Node storage: one JSON file per key, in a directory only its owner may open (0700, files 0600:
// the session file holds a bearer token).
//
// What a write promises: `set` writes a temp file, flushes it to disk, renames it over the old file
// and flushes the directory. Once it resolves the value survives a crash of the process or of the
// machine; at any moment a reader finds the old value or the new one, never a torn file. A file that
// cannot be parsed all the same (a failing disk, a hand edit) is renamed to `<file>.corrupt-<time>`
// and reported, not taken for "no value", so what it held can still be recovered by hand.
//
// Locks are files created exclusively that hold the owner's pid; one left behind by a process that
// has died is taken over.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describeError, silentLogger, type Logger } from '../std/log.ts';
import type { KeyValueStorage } from '../std/storage.ts';

const SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';
const LOCK_SUFFIX = '.lock';
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** How often a waiting lock looks again. */
const LOCK_POLL_MS = 250;
/** A lock file this old with no pid in it is left over from a crash between creating and writing it. */
const UNWRITTEN_LOCK_MS = 10_000;

/** Temp files and locks this process owns, so another instance in it never takes them for stale. */
const ownTemps = new Set<string>();
const ownLocks = new Set<string>();

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return errorCode(err) === 'EPERM';
  }
}

/** Whether a file stamped with `pid` belongs to no running writer. */
function abandoned(file: string, pid: number, own: Set<string>): boolean {
  // Our own pid on a file we do not know is a leftover of an earlier process that had our pid.
  return pid === process.pid ? !own.has(file) : !isAlive(pid);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export class FileStorage implements KeyValueStorage {
  /** Writes per key, chained so they land in the order they were made. */
  private readonly writes = new Map<string, Promise<void>>();

  private constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  static async open(dir: string, options: { logger?: Logger } = {}): Promise<FileStorage> {
    await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
    // A directory made earlier, or by hand, may be open to others; Windows has no such modes.
    if (process.platform !== 'win32') await fs.chmod(dir, DIR_MODE);
    // Temp files left by a crash mid-write hold nothing the real files lack.
    for (const name of await fs.readdir(dir)) {
      if (!name.endsWith(TEMP_SUFFIX)) continue;
      const file = path.join(dir, name);
      const pid = Number(/\.(\d+)-[\w-]+\.tmp$/.exec(name)?.[1]);
      if (!Number.isSafeInteger(pid) || abandoned(file, pid, ownTemps)) await fs.rm(file, { force: true });
    }
    return new FileStorage(dir, options.logger ?? silentLogger);
  }

  async get(key: string): Promise<unknown> {
    await this.writes.get(key);
    const file = this.file(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      await this.setAside(key, file);
      return undefined;
    }
  }

  set(key: string, value: unknown): Promise<void> {
    const data = JSON.stringify(value);
    return this.queue(key, async () => {
      const file = this.file(key);
      const temp = `${file}.${process.pid}-${randomUUID()}${TEMP_SUFFIX}`;
      ownTemps.add(temp);
      try {
        const handle = await fs.open(temp, 'wx', FILE_MODE);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, file);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      } finally {
        ownTemps.delete(temp);
      }
      await this.syncDir();
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

  async entries(prefix: string): Promise<[string, unknown][]> {
    const found: [string, unknown][] = [];
    for (const key of await this.keys(prefix)) {
      const value = await this.get(key);
      if (value !== undefined) found.push([key, value]);
    }
    return found;
  }

  async lock(name: string, signal: AbortSignal): Promise<() => Promise<void>> {
    const file = path.join(this.dir, encodeURIComponent(name) + LOCK_SUFFIX);
    for (;;) {
      signal.throwIfAborted();
      try {
        await fs.writeFile(file, String(process.pid), { flag: 'wx', mode: FILE_MODE });
        ownLocks.add(file);
        return async () => {
          if (ownLocks.delete(file)) await fs.rm(file, { force: true });
        };
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      // Two waiters could both find the same lock stale and both take it; the server's clientId
      // check still keeps every message once, so the rare race costs order at worst, never data.
      if (await this.lockAbandoned(file)) await fs.rm(file, { force: true });
      else await sleep(LOCK_POLL_MS, signal);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  private async lockAbandoned(file: string): Promise<boolean> {
    try {
      const pid = Number(await fs.readFile(file, 'utf8'));
      if (Number.isSafeInteger(pid) && pid > 0) return abandoned(file, pid, ownLocks);
      // No pid yet: its owner is between creating the file and writing it, or died right there.
      return Date.now() - (await fs.stat(file)).mtimeMs > UNWRITTEN_LOCK_MS;
    } catch (err) {
      // Released meanwhile: nothing to remove, and the next attempt may take it.
      if (errorCode(err) === 'ENOENT') return true;
      throw err;
    }
  }

  private async setAside(key: string, file: string): Promise<void> {
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      await fs.rename(file, aside);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return; // another reader set it aside first
      throw err;
    }
    this.log.error('a stored file could not be read; it was set aside', { key, file: aside });
  }

  /** Makes a rename durable (Windows cannot open a directory for that, nor needs to). */
  private async syncDir(): Promise<void> {
    if (process.platform === 'win32') return;
    try {
      const handle = await fs.open(this.dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      this.log.warn('could not flush the storage directory', { error: describeError(err) });
    }
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
