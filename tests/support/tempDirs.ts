// Directories for test and benchmark data under the OS temp dir, each removed by removeTempDirs()
// once the run that made them is over (tests/support/vitest-setup.ts after each test file,
// bench/run.ts after the benchmarks), so runs do not pile up in /tmp.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

export function tempDir(prefix = 'switchboard-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Deletes every directory tempDir() made in this process so far. */
export function removeTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  made.clear();
}
