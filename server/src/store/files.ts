// The data directory and the database files hold password hashes and every private message: they are
// created private to the server's user (0700 / 0600) whatever the umask.
import fs from 'node:fs';
import path from 'node:path';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Creates `dir` (and missing parents) private to this user; an existing one is left as it is. */
export function ensurePrivateDir(dir: string): void {
  const created = fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  // The mode given to mkdir is masked by the umask; chmod is not.
  if (created !== undefined) fs.chmodSync(dir, PRIVATE_DIR);
}

/** True when users other than the owner and group may enter or list `dir`. */
export function openToOthers(dir: string): boolean {
  return (fs.statSync(dir).mode & 0o007) !== 0;
}

/**
 * Makes the database file private before SQLite opens it, creating it empty if missing: SQLite gives
 * the `-wal` and `-shm` files it creates the database file's permissions. Existing `-wal`/`-shm`
 * files from before are made private too.
 */
export function protectDatabaseFiles(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE));
  for (const name of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(name, PRIVATE_FILE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Creates `file` empty and private, refusing to replace an existing one. */
export function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(path.resolve(file), 'wx', PRIVATE_FILE));
  fs.chmodSync(file, PRIVATE_FILE);
}
