// A server killed with SIGKILL in the middle of an upload: the bytes that arrived sit in a temp file,
// never under a file's real name, and no file row exists for them; the next start removes the temp
// file, and uploads work again.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { flagName, type SettingName } from '../../server/src/config.ts';
import {
  api,
  RELAXED_LIMITS,
  SERVER_CLI,
  spawnServer,
  tempDir,
  type ServerProcess,
} from '../support/server.ts';

const PASSWORD = 'upload-crash-password';
const BOUNDARY = 'switchboard-crash-boundary';
const relaxedFlags = Object.entries(RELAXED_LIMITS).flatMap(([name, value]) => [
  flagName(name as SettingName),
  String(value),
]);

let running: ServerProcess | undefined;
afterAll(async () => {
  running?.child.kill('SIGTERM');
  await running?.exited;
});

/** What the files folder shows besides tmp/: the stored contents. */
function stored(dataDir: string): string[] {
  const root = path.join(dataDir, 'files');
  return fs
    .readdirSync(root)
    .filter((dir) => dir !== 'tmp')
    .flatMap((dir) => fs.readdirSync(path.join(root, dir)));
}

describe('SIGKILL mid-upload', () => {
  it('leaves no half file visible and no file row, and the next start cleans up', async () => {
    const dataDir = tempDir();
    const added = spawnSync(
      process.execPath,
      [SERVER_CLI, 'user', 'add', 'uploader', '--password-stdin', '--data-dir', dataDir],
      { input: `${PASSWORD}\n`, encoding: 'utf8' },
    );
    expect(added.status, added.stderr).toBe(0);
    const start = () => spawnServer(['--port', '0', '--data-dir', dataDir, ...relaxedFlags]);
    running = await start();
    const { token } = (
      await api(running.url, 'POST', '/api/v1/auth/login', {
        json: { username: 'uploader', password: PASSWORD },
      })
    ).body;
    const channel = (
      await api(running.url, 'POST', '/api/v1/channels', {
        token,
        json: { name: 'uploads', visibility: 'public' },
      })
    ).body;

    // Half of a 4 MiB file, then the request waits for the rest, which never comes.
    const request = http.request(`${running.url}/api/v1/channels/${channel.id}/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
    });
    request.on('error', () => {
      // The server dies under it.
    });
    request.write(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    request.write(Buffer.alloc(2 * 1024 * 1024, 0x5a));
    const tmp = path.join(dataDir, 'files', 'tmp');
    await vi.waitFor(
      () => {
        const partial = fs.readdirSync(tmp).map((name) => fs.statSync(path.join(tmp, name)).size);
        expect(partial.some((size) => size > 0)).toBe(true);
      },
      { timeout: 10_000 },
    );

    running.child.kill('SIGKILL');
    await running.exited;
    request.destroy();
    expect(stored(dataDir)).toEqual([]);
    const db = new SQLite(path.join(dataDir, 'switchboard.db'), { readonly: true });
    expect(db.prepare('select count(*) as n from files').get()).toEqual({ n: 0 });
    db.close();

    running = await start();
    expect(fs.readdirSync(tmp)).toEqual([]);
    const form = new FormData();
    form.append('file', new Blob(['after the crash']), 'after.txt');
    const res = await fetch(`${running.url}/api/v1/channels/${channel.id}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status).toBe(201);
    expect(stored(dataDir)).toHaveLength(1);
  });
});
