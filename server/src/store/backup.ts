// An online, consistent copy of the database while the server runs: SQLite's backup API copies every
// page of one snapshot, committed WAL content included, into a new file private to this user. The
// uploaded files go beside it, in `<file>.files/`: the files the snapshot refers to, copied after it
// (stored bytes never change, so a copy made later is the same bytes).
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
