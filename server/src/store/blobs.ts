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
   * Removes what uploads cut short by a crash left in `tmp/`: only at server start, never from a CLI
   * command, which may run beside a server that is receiving an upload.
   */
  removeUnfinished(): void {
    if (!fs.existsSync(this.tmp)) return;
    for (const name of fs.readdirSync(this.tmp)) fs.rmSync(path.join(this.tmp, name), { force: true });
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
