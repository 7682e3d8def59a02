// `backup <file>`: a consistent copy of the database, safe while the server runs.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { backupDatabase, backupFiles, filesBeside } from '../store/backup.ts';
import { printable } from './printable.ts';

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
    const effective = config(opts);
    const { source, pages } = await backupDatabase(effective, file);
    const copied = backupFiles(effective.dataDir, file);
    console.log(`backed up ${printable(source)} to ${printable(file)} (${pages} pages)`);
    console.log(
      `backed up ${copied.files} uploaded files (${copied.bytes} bytes) to ${printable(filesBeside(file))}`,
    );
  });
}
