import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountFiles, forgetAccountFiles } from './account-files.ts';
import { FIRST_ACCOUNT } from './servers.ts';

function userData(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-accounts-'));
  for (const file of ['session/cache.db', 'session-token', 'desktop-settings.json', 'logs/main.1.log']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), 'x');
  }
  return dir;
}

const listing = (dir: string) =>
  (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).sort();

describe('account files', () => {
  it('the first account where the app kept them before; others under servers/<id>', () => {
    expect(accountFiles('/u', { id: FIRST_ACCOUNT, local: false })).toEqual({
      dataDir: path.join('/u', 'session'),
      token: path.join('/u', 'session-token'),
    });
    expect(accountFiles('/u', { id: 'a1', local: true })).toEqual({
      dataDir: path.join('/u', 'servers', 'a1', 'session'),
      token: path.join('/u', 'servers', 'a1', 'session-token'),
    });
  });

  it('a removed account takes its own files only', () => {
    const dir = userData();
    const other = { id: 'a1', local: false };
    const files = accountFiles(dir, other);
    fs.mkdirSync(files.dataDir, { recursive: true });
    fs.writeFileSync(path.join(files.dataDir, 'cache.db'), 'x');
    fs.writeFileSync(files.token, 'x');
    forgetAccountFiles(dir, other);
    expect(fs.existsSync(path.join(dir, 'servers', 'a1'))).toBe(false);
    expect(listing(dir)).toContain('desktop-settings.json');
    expect(listing(dir)).toContain(path.join('session', 'cache.db'));

    forgetAccountFiles(dir, { id: FIRST_ACCOUNT, local: false });
    expect(listing(dir)).toEqual([
      'desktop-settings.json',
      'logs',
      path.join('logs', 'main.1.log'),
      'servers',
    ]);
  });
});
