import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/support/tempDirs.ts';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('has written a line by the time the call returns, so it keeps its place among printed lines', () => {
    const file = path.join(tempDir(), 'log');
    const fd = fs.openSync(file, 'w');
    try {
      const logger = createLogger('info', fd);
      logger.info('first');
      fs.writeSync(fd, 'printed\n');
      logger.info('second');
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines.map((line) => (line.startsWith('{') ? JSON.parse(line).msg : line))).toEqual([
        'first',
        'printed',
        'second',
      ]);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, service: 'switchboard-server' });
    } finally {
      fs.closeSync(fd);
    }
  });
});
