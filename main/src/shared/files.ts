// Small files main keeps beside the app's data (window place, this computer's settings): read whole,
// written to a temporary file and renamed over the old one, so a crash leaves the old or the new.
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from './log.ts';

export function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function writeText(file: string, text: string, log: Log): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  } catch (err) {
    log.warn({ error: (err as Error).message, file }, 'could not save');
  }
}
