// `backup <file>`: a consistent copy of the database, safe while the server runs.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { backupDatabase } from '../store/backup.ts';
import { printable } from './printable.ts';

export function registerBackupCommand(
  program: Command,
  settings: (command: Command) => (opts: Record<string, unknown>) => Config,
): void {
  const command = program
    .command('backup <file>')
    .description('copy the database to a new file (readable by you only); safe while the server runs');
  const config = settings(command);
  command.action(async (file: string, opts) => {
    const { source, pages } = await backupDatabase(config(opts), file);
    console.log(`backed up ${printable(source)} to ${printable(file)} (${pages} pages)`);
  });
}
