// `backup <file>`: a consistent copy of the database, safe while the server runs; `restore <file>`:
// a backup put back in place of the database, with the server stopped.
import type { Command } from 'commander';
import { SwitchboardError } from '@switchboard/protocol';
import type { Config } from '../config.ts';
import { isPostgresUrl } from '../store/database.ts';
import { backupDatabase, backupFiles, filesBeside, restoreDatabase } from '../store/backup.ts';
import { printable } from './printable.ts';

/** Backup and restore copy SQLite files; PostgreSQL has its own tools. */
function notOnPostgres(config: Config): Config {
  if (isPostgresUrl(config.databaseUrl))
    throw new SwitchboardError(
      'bad_request',
      'the database is PostgreSQL: back it up with pg_dump (restore with pg_restore), and the files folder with a copy of it after the dump (docs/scaling.md#backups)',
    );
  return config;
}

export function registerBackupCommand(
  program: Command,
  settings: (command: Command) => (opts: Record<string, unknown>) => Config,
): void {
  const command = program
    .command('backup <file>')
    .description(
      'copy the database to a new file and the uploaded files to <file>.files/ (readable by you only); safe while the server runs',
    );
  const config = settings(command);
  command.action(async (file: string, opts) => {
    const effective = notOnPostgres(config(opts));
    const { source, pages } = await backupDatabase(effective, file);
    const copied = backupFiles(effective.dataDir, file);
    console.log(`backed up ${printable(source)} to ${printable(file)} (${pages} pages)`);
    console.log(
      `backed up ${copied.files} uploaded files (${copied.bytes} bytes) to ${printable(filesBeside(file))}`,
    );
  });
}

export function registerRestoreCommand(
  program: Command,
  settings: (command: Command) => (opts: Record<string, unknown>) => Config,
): void {
  const command = program
    .command('restore <file>')
    .description(
      'put a backup (and the uploaded files beside it) in place of the database (stop the server first); the database it replaces is kept beside it',
    );
  const config = settings(command);
  command.action(async (file: string, opts) => {
    const { target, previous, pages, files } = await restoreDatabase(notOnPostgres(config(opts)), file);
    console.log(
      `restored ${printable(target)} from ${printable(file)} (${pages} pages, ${files} uploaded files added)`,
    );
    if (previous) console.log(`the database it replaced is kept as ${printable(previous)}`);
  });
}
