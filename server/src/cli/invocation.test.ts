import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/support/tempDirs.ts';
import { resolveConfig } from '../config.ts';
import { cliCommand, shellQuote, storageFlags } from './invocation.ts';

/** A folder holding an executable `switchboard-server` link to `target`, as a global install makes. */
function binDir(target: string): string {
  const dir = tempDir();
  fs.symlinkSync(target, path.join(dir, 'switchboard-server'));
  return dir;
}

describe('cliCommand: how the person who started the server runs the CLI again', () => {
  const installed = path.join(tempDir(), 'cli.js');
  fs.writeFileSync(installed, '', { mode: 0o755 });

  it('started by npx: npx again, with the package it was given', () => {
    const script = '/home/me/.npm/_npx/abc/node_modules/.bin/switchboard-server';
    expect(cliCommand(script, { npm_command: 'exec', npm_lifecycle_event: 'npx' })).toBe(
      'npx switchboard-server',
    );
    expect(cliCommand(script, { npm_command: 'exec', npm_config_package: '/tmp/my dir/s.tgz' })).toBe(
      "npx --package '/tmp/my dir/s.tgz' switchboard-server",
    );
  });

  it('started by the bin name the shell finds first on its PATH: that name', () => {
    const bin = binDir(installed);
    const script = path.join(bin, 'switchboard-server');
    expect(cliCommand(script, { PATH: `/nonexistent${path.delimiter}${bin}` })).toBe('switchboard-server');
    // Another switchboard-server earlier on PATH would run instead: name the file.
    const other = path.join(tempDir(), 'other.js');
    fs.writeFileSync(other, '');
    expect(cliCommand(script, { PATH: `${binDir(other)}${path.delimiter}${bin}` })).toBe(`node ${script}`);
    // Not on PATH at all.
    expect(cliCommand(script, { PATH: '/nonexistent' })).toBe(`node ${script}`);
  });

  it('started under another npm command (npm start, a script): node and the absolute path', () => {
    const bin = binDir(installed);
    const script = path.join(bin, 'switchboard-server');
    expect(cliCommand(script, { PATH: bin, npm_lifecycle_event: 'start', npm_command: 'start' })).toBe(
      `node ${script}`,
    );
  });

  it('started as node <file>: node and the absolute path of that file, quoted for a shell', () => {
    expect(cliCommand('server/dist/cli.js', {})).toBe(`node ${path.resolve('server/dist/cli.js')}`);
    expect(cliCommand("/opt/it's here/cli.js", {})).toBe(`node '/opt/it'\\''s here/cli.js'`);
  });
});

describe('storageFlags: the same database from any directory', () => {
  it('names the absolute data directory, or the database URL when there is one', () => {
    expect(storageFlags(resolveConfig({ flags: { dataDir: 'rel/data' } }))).toBe(
      `--data-dir ${shellQuote(path.resolve('rel/data'))}`,
    );
    expect(storageFlags(resolveConfig({ flags: { databaseUrl: 'sqlite:/srv/chat/x.db' } }))).toBe(
      '--database-url sqlite:/srv/chat/x.db',
    );
    expect(storageFlags(resolveConfig({ flags: { databaseUrl: 'sqlite:rel/x.db' } }))).toBe(
      `--database-url ${shellQuote(`sqlite:${path.resolve('rel/x.db')}`)}`,
    );
  });
});
