// Uploaded bytes, stored once per content under `<data dir>/files/<first two hex>/<sha256>` (folders
// 0700, files 0600). An upload is written to `files/tmp/` while it streams in, flushed to disk, and
// only then renamed to its content address (and the folder flushed), so a crash or SIGKILL mid-upload
// leaves at most a temp file, which the next start removes — never half a file under a real name.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SwitchboardError } from '@switchboard/protocol';
import { ensurePrivateDir } from './files.ts';

const PRIVATE_FILE = 0o600;
const SHA256 = /^[0-9a-f]{64}$/;
/** Bytes of the start of a file kept while it streams, for reading an image's header. */
export const HEAD_BYTES = 64 * 1024;

export interface StoredBlob {
  sha256: string;
  size: number;
  /** The first HEAD_BYTES bytes (or all of a smaller file). */
  head: Buffer;
}

export class BlobStore {
  readonly root: string;
  private readonly tmp: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'files');
    this.tmp = path.join(this.root, 'tmp');
  }

  /**
   * Removes what uploads cut short by a crash left in `tmp/`: only from a server, never from a CLI
   * command, which may run beside a server that is receiving an upload. With `idleMs`, only files
   * nothing has written to for that long: on a volume several nodes share, another node's upload
   * may be streaming in.
   */
  removeUnfinished(idleMs = 0): void {
    if (!fs.existsSync(this.tmp)) return;
    const cutoff = Date.now() - idleMs;
    for (const name of fs.readdirSync(this.tmp)) {
      const file = path.join(this.tmp, name);
      const written = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (idleMs === 0 || written < cutoff) fs.rmSync(file, { force: true });
    }
  }

  /**
   * Makes sure every node that shares a database stores files in the same folder: the folder is
   * marked with an id the database records; a node whose folder lacks that mark would keep uploads
   * the others cannot serve, so it must not start. With nothing recorded yet, returns the folder's
   * mark (made now if it has none) for the caller to record.
   */
  claimShared(recorded: string | null): { mark: string; unrecorded: boolean } {
    const markFile = path.join(this.root, '.volume');
    const read = () => (fs.existsSync(markFile) ? fs.readFileSync(markFile, 'utf8').trim() : null);
    const found = read();
    if (recorded !== null) {
      if (found !== recorded)
        throw new SwitchboardError(
          'bad_request',
          `${this.root} is not the files folder the other nodes of this database use (its mark ${found ?? 'is missing'}, theirs is ${recorded}): with several nodes, mount one shared volume at <data-dir>/files on every node (docs/scaling.md#files)`,
        );
      return { mark: recorded, unrecorded: false };
    }
    if (found) return { mark: found, unrecorded: true };
    ensurePrivateDir(this.root);
    // Written whole, then linked into place: a node starting at the same moment on the same volume
    // either links first or finds this one's complete mark, never half of it.
    const mark = randomBytes(12).toString('hex');
    const draft = `${markFile}.${mark}`;
    fs.writeFileSync(draft, `${mark}\n`, { mode: PRIVATE_FILE });
    try {
      fs.linkSync(draft, markFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(draft, { force: true });
    }
    return { mark: read()!, unrecorded: true };
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new SwitchboardError('internal', 'not a content address');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /**
   * Streams `input` to disk, refusing it with `tooLarge` once it passes `maxBytes` (the temp file
   * goes), and returns its content address once it is durable under that name.
   */
  async write(input: Readable, maxBytes: number, tooLarge: () => SwitchboardError): Promise<StoredBlob> {
    // Made on first use: a server that never receives a file (or a CLI command) makes no folders.
    ensurePrivateDir(this.root);
    ensurePrivateDir(this.tmp);
    const temp = path.join(this.tmp, randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(tooLarge());
        hash.update(chunk);
        if (headBytes < HEAD_BYTES) {
          head.push(chunk.subarray(0, HEAD_BYTES - headBytes));
          headBytes += Math.min(chunk.length, HEAD_BYTES - headBytes);
        }
        done(null, chunk);
      },
    });
    const out = fs.createWriteStream(temp, { flags: 'wx', mode: PRIVATE_FILE, flush: true });
    // An upload that breaks off or is malformed is the sender's fault, not the disk's.
    let inputError: Error | undefined;
    input.once('error', (err) => (inputError = err));
    try {
      await pipeline(input, meter, out);
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      ensurePrivateDir(path.dirname(target));
      // Same content already stored: its bytes are these bytes.
      if (fs.existsSync(target)) {
        fs.rmSync(temp, { force: true });
        // Fresh again, so the sweeper of bytes nobody refers to leaves it to the row about to refer to it.
        const now = new Date();
        fs.utimesSync(target, now, now);
      } else {
        fs.renameSync(temp, target);
        syncDir(path.dirname(target));
      }
      return { sha256, size, head: Buffer.concat(head) };
    } catch (err) {
      // A file stream cut short while it was still opening creates its file after all: remove the
      // temp file once the stream has closed, so an upload refused mid-way leaves nothing behind.
      if (!out.closed) await new Promise<void>((closed) => out.once('close', closed));
      fs.rmSync(temp, { force: true });
      // The input may have broken off before this listened (while the caller awaited the database).
      inputError ??= input.errored ?? undefined;
      if (err instanceof SwitchboardError || !inputError) throw err;
      // The parser's own limit is a file too large (its code says so); anything else broke off.
      if ((inputError as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw new SwitchboardError('bad_request', `the upload broke off: ${inputError.message}`);
    }
  }

  remove(sha256: string): void {
    fs.rmSync(this.pathOf(sha256), { force: true });
  }

  /** How long ago the bytes of this content were written. */
  ageMs(sha256: string): number {
    return Date.now() - fs.statSync(this.pathOf(sha256)).mtimeMs;
  }

  /** Every stored content address (for the backup and the sweeper). */
  list(): string[] {
    if (!fs.existsSync(this.root)) return [];
    return fs
      .readdirSync(this.root)
      .filter((dir) => /^[0-9a-f]{2}$/.test(dir))
      .flatMap((dir) => fs.readdirSync(path.join(this.root, dir)).filter((name) => SHA256.test(name)));
  }
}

/** Flushes a folder's entries (a rename) to disk. */
function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
