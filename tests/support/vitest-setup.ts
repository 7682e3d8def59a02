// Runs with every Vitest test file (vitest.config.ts `setupFiles`). Registered first, so its
// afterAll runs last: after the file's own hooks have stopped the servers using those directories.
import { afterAll } from 'vitest';
import { removeTempDirs } from './tempDirs.ts';

afterAll(removeTempDirs);
