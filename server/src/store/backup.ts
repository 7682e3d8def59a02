// An online, consistent copy of the database while the server runs: SQLite's backup API copies every
// page of one snapshot, committed WAL content included, into a new file private to this user.
import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { SwitchboardError } from '@switchboard/protocol';
import { sqliteFileFor, type StoreOptions } from './database.ts';
import { createPrivateFile } from './files.ts';

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
