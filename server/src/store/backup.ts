// An online, consistent copy of the database while the server runs: SQLite's backup API copies every
// page of one snapshot, committed WAL content included, into a new file private to this user. The
// uploaded files go beside it, in `<file>.files/`: the files the snapshot refers to, copied after it
// (stored bytes never change, so a copy made later is the same bytes).
// And the way back: a backup (its database and files) put in place of a stopped server's.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { SwitchboardError } from '@switchboard/protocol';
import { sqliteFileFor, type StoreOptions } from './database.ts';
import { BlobStore } from './blobs.ts';
import { createPrivateFile, ensurePrivateDir } from './files.ts';

const ALL_AT_ONCE = 2 ** 30;

export async function backupDatabase(
  options: StoreOptions,
  destination: string,
): Promise<{ source: string; pages: number }> {
  const source = sqliteFileFor(options);
  if (!fs.existsSync(source)) throw new SwitchboardError('not_found', `there is no database at ${source}`);
  try {
    createPrivateFile(destination);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new SwitchboardError(
        'conflict',
        `${destination} exists: choose a new file, backups never overwrite`,
      );
    throw new SwitchboardError('bad_request', `cannot create ${destination}: ${(err as Error).message}`);
  }
  const db = new SQLite(source, { fileMustExist: true });
  try {
    // The server may be writing: wait for its lock instead of failing.
    db.pragma('busy_timeout = 5000');
    // After the first few pages, copy the rest in one step: a write by the server between steps
    // restarts the copy, and a busy server could otherwise keep restarting it. The CLI runs in its
    // own process, so one long step blocks nobody.
    const { totalPages } = await db.backup(destination, { progress: () => ALL_AT_ONCE });
    return { source, pages: totalPages };
  } catch (err) {
    fs.rmSync(destination, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

/** Where `backup <file>` puts the uploaded files. */
export const filesBeside = (destination: string) => `${destination}.files`;

/**
 * Copies the uploads the database backup at `destination` refers to into `<destination>.files/`, laid
 * out as in the data directory. A file deleted between the snapshot and its copy is deleted from the
 * backup too, as it would have been had the backup started a moment later.
 */
export function backupFiles(dataDir: string, destination: string): { files: number; bytes: number } {
  const target = filesBeside(destination);
  if (fs.existsSync(target))
    throw new SwitchboardError('conflict', `${target} exists: choose a new file, backups never overwrite`);
  const source = new BlobStore(dataDir);
  const copy = new BlobStore(target);
  ensurePrivateDir(copy.root);
  const db = new SQLite(destination);
  try {
    const shas = db.prepare('select distinct sha256 from files').pluck().all() as string[];
    let bytes = 0;
    const gone: string[] = [];
    for (const sha of shas) {
      const from = source.pathOf(sha);
      if (!fs.existsSync(from)) {
        gone.push(sha);
        continue;
      }
      const to = copy.pathOf(sha);
      ensurePrivateDir(path.dirname(to));
      fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(to, 0o600);
      bytes += fs.statSync(to).size;
    }
    const forget = db.prepare('delete from files where sha256 = ?');
    db.transaction(() => gone.forEach((sha) => forget.run(sha)))();
    return { files: shas.length - gone.length, bytes };
  } finally {
    db.close();
  }
}

/** Tables every Switchboard database has, to recognise a backup as one. */
const OUR_TABLES = ['server_meta', 'users', 'channels', 'messages'];

/**
 * Puts the backup `source` in place of the database: checked (a Switchboard database that passes
 * SQLite's integrity check), copied next to it through the backup API, given no epoch — so the server
 * makes a new one at its next start and every client drops what it holds and loads the restored
 * history again, instead of trusting cursors that point past it — and renamed over it. The database
 * it replaces is kept beside it as `<file>.before-restore-<time>` (with its -wal and -shm). The uploads
 * in `<file>.files/` are copied into the data directory first, so the restored database never refers
 * to a file that is not there. The server must be stopped.
 */
export async function restoreDatabase(
  options: StoreOptions,
  source: string,
  now = Date.now(),
): Promise<{ target: string; previous: string | null; pages: number; files: number }> {
  if (!fs.existsSync(source)) throw new SwitchboardError('not_found', `there is no backup at ${source}`);
  let backup: SQLite.Database;
  try {
    backup = new SQLite(source, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new SwitchboardError('bad_request', `${source} is not a database: ${(err as Error).message}`);
  }
  const target = sqliteFileFor(options);
  const incoming = `${target}.restoring`;
  try {
    const fail = (why: string) => new SwitchboardError('bad_request', `${source} ${why}`);
    let tables: string[];
    try {
      tables = (
        backup.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
      ).map((t) => t.name);
    } catch (err) {
      throw fail(`is not a database: ${(err as Error).message}`);
    }
    if (!OUR_TABLES.every((t) => tables.includes(t))) throw fail('is not a Switchboard database');
    if (backup.pragma('quick_check', { simple: true }) !== 'ok')
      throw fail('is damaged (SQLite quick_check failed)');
    if (fs.existsSync(target)) refuseWhileInUse(target);
    const files = restoreFiles(options.dataDir, source);
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    fs.rmSync(incoming, { force: true });
    createPrivateFile(incoming);
    const { totalPages } = await backup.backup(incoming, { progress: () => ALL_AT_ONCE });
    const copy = new SQLite(incoming);
    try {
      copy.prepare("delete from server_meta where key = 'epoch'").run();
    } finally {
      copy.close();
    }
    const previous = fs.existsSync(target) ? `${target}.before-restore-${now}` : null;
    for (const suffix of previous ? ['', '-wal', '-shm'] : ['-wal', '-shm']) {
      if (!fs.existsSync(`${target}${suffix}`)) continue;
      if (previous) fs.renameSync(`${target}${suffix}`, `${previous}${suffix}`);
      else fs.rmSync(`${target}${suffix}`);
    }
    fs.renameSync(incoming, target);
    return { target, previous, pages: totalPages, files };
  } catch (err) {
    fs.rmSync(incoming, { force: true });
    throw err;
  } finally {
    backup.close();
  }
}

/**
 * Copies the uploads kept beside the backup `source` (backupFiles) into the data directory. Stored
 * bytes are named by their content, so a file already there is the same file and stays; files the
 * restored database no longer refers to stay until the server's sweeper removes them.
 */
function restoreFiles(dataDir: string, source: string): number {
  const kept = new BlobStore(filesBeside(source));
  const store = new BlobStore(dataDir);
  let copied = 0;
  for (const sha of kept.list()) {
    const to = store.pathOf(sha);
    if (fs.existsSync(to)) continue;
    ensurePrivateDir(path.dirname(to));
    fs.copyFileSync(kept.pathOf(sha), to);
    fs.chmodSync(to, 0o600);
    copied += 1;
  }
  return copied;
}

/**
 * A server using the database holds a shared lock on it as long as it runs; an exclusive lock is
 * then refused at once. Replacing the file under a running server would lose what it writes next.
 */
function refuseWhileInUse(file: string): void {
  const db = new SQLite(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('begin exclusive');
    db.exec('commit');
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw new SwitchboardError('conflict', `${file} is in use: stop the server before restoring`);
  } finally {
    db.close();
  }
}
