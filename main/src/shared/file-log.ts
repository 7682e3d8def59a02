// Log files for main and the utility process: pino, one JSON line per entry, written to
// `<logsDir>/<name>.<n>.log` and rolled over at 5 MB, keeping the last five files.
import path from 'node:path';
import { pino, type Logger } from 'pino';
import roll from 'pino-roll';

export const LOG_FILE_SIZE = '5m';
export const LOG_FILES_KEPT = 5;

export async function openFileLog(logsDir: string, name: string): Promise<Logger> {
  const destination = await roll({
    file: path.join(logsDir, name),
    extension: '.log',
    size: LOG_FILE_SIZE,
    limit: { count: LOG_FILES_KEPT },
    mkdir: true,
    // Few lines, and each must survive a crash that follows it.
    sync: true,
  });
  return pino({ base: { process: name }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
