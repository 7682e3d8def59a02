// The data directory and database files are private to the server's user whatever the umask, an
// existing directory others can read is reported at start, `backup` makes a consistent private copy,
// and `restore` puts one back.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, createConnectedUser, startTestServer, tempDir } from '../../../tests/support/server.ts';
import { resolveConfig } from '../config.ts';
import { startServer } from '../server.ts';
import { backupDatabase, restoreDatabase } from './backup.ts';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

let umask: number;
beforeEach(() => {
  // The usual default: without care, new files would be readable by every local user.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
});

describe('private files', () => {
  it('creates the data directory 0700 and the database, -wal and -shm 0600', async () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const server = await startTestServer({ dataDir });
    try {
      const alice = await createConnectedUser(server, 'alice');
      const channel = await call(alice.socket, 'channel.create', { name: 'files', visibility: 'public' });
      expect(channel.ok).toBe(true);
      expect(modeOf(dataDir)).toBe(0o700);
      for (const file of ['switchboard.db', 'switchboard.db-wal', 'switchboard.db-shm'])
        expect(modeOf(path.join(dataDir, file)).toString(8), file).toBe('600');
    } finally {
      await server.close();
    }
  });

  it('makes existing database files private, and warns at start when others can read the directory', async () => {
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    const first = await startTestServer({ dataDir });
    await first.close();
    for (const file of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, file), 0o644);

    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const config = resolveConfig({ flags: { port: 0, host: '127.0.0.1', dataDir } });
    const second = await startServer(config, { logger });
    try {
      expect(modeOf(path.join(dataDir, 'switchboard.db'))).toBe(0o600);
      const warning = lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .find((l) => l.level === 40);
      expect(warning?.msg).toMatch(/readable by other users.*chmod 700/);
      expect(warning?.msg).toContain(dataDir);
    } finally {
      await second.close();
    }
  });
});

describe('backup', () => {
  it('copies a database that is being written to into a consistent file only its owner can read', async () => {
    const server = await startTestServer();
    try {
      const alice = await createConnectedUser(server, 'alice');
      const made = await call(alice.socket, 'channel.create', { name: 'busy', visibility: 'public' });
      const channelId = (made as { data: { id: string } }).data.id;
      let sending = true;
      const sends = (async () => {
        for (let i = 0; sending; i++)
          await call(alice.socket, 'message.send', {
            channelId,
            clientId: `busy-${i}-client`,
            text: `n${i}`,
          });
      })();
      await vi.waitFor(async () =>
        expect((await server.ctx.channels.get(channelId)).head_seq).toBeGreaterThan(20),
      );

      const file = path.join(tempDir(), 'copy.db');
      const { pages } = await backupDatabase(server.ctx.config, file);
      sending = false;
      await sends;
      expect(pages).toBeGreaterThan(0);
      expect(modeOf(file)).toBe(0o600);

      const copy = new SQLite(file, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        // One snapshot: the channel's head matches the messages it holds, with no gap.
        const { head } = copy
          .prepare('select head_seq as head from channels where id = ?')
          .get(channelId) as {
          head: number;
        };
        const seqs = (
          copy.prepare('select seq from messages where channel_id = ? order by seq').all(channelId) as {
            seq: number;
          }[]
        ).map((r) => r.seq);
        expect(head).toBeGreaterThan(20);
        expect(seqs).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      } finally {
        copy.close();
      }

      await expect(backupDatabase(server.ctx.config, file)).rejects.toMatchObject({ code: 'conflict' });
      await expect(
        backupDatabase({ ...server.ctx.config, dataDir: tempDir() }, path.join(tempDir(), 'x.db')),
      ).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await server.close();
    }
  });
});

describe('restore', () => {
  it('puts a backup back in place of a stopped server’s database, with a new epoch, keeping the old one', async () => {
    const server = await startTestServer();
    const dataDir = server.dataDir;
    const alice = await createConnectedUser(server, 'alice');
    await call(alice.socket, 'channel.create', { name: 'kept', visibility: 'public' });
    const epoch = server.ctx.epoch;
    const file = path.join(tempDir(), 'before.db');
    await backupDatabase(server.ctx.config, file);
    await call(alice.socket, 'channel.create', { name: 'after-backup', visibility: 'public' });
    alice.socket.disconnect();
    await server.close();

    const { target, previous, pages } = await restoreDatabase(server.ctx.config, file, 1234);
    expect(pages).toBeGreaterThan(0);
    expect(target).toBe(path.join(dataDir, 'switchboard.db'));
    expect(previous).toBe(`${target}.before-restore-1234`);
    expect(fs.existsSync(previous!)).toBe(true);
    expect(modeOf(target)).toBe(0o600);

    const again = await startTestServer({ dataDir });
    try {
      const rows = new SQLite(target, { readonly: true });
      try {
        const channels = (rows.prepare('select name from channels').all() as { name: string }[]).map(
          (c) => c.name,
        );
        expect(channels).toContain('kept');
        expect(channels).not.toContain('after-backup');
      } finally {
        rows.close();
      }
      expect(again.ctx.epoch).not.toBe(epoch);
    } finally {
      await again.close();
    }
  });

  it('refuses to replace the database of a running server', async () => {
    const server = await startTestServer();
    try {
      const file = path.join(tempDir(), 'backup.db');
      await backupDatabase(server.ctx.config, file);
      await expect(restoreDatabase(server.ctx.config, file)).rejects.toMatchObject({ code: 'conflict' });
      expect(fs.readdirSync(server.dataDir).filter((f) => f.includes('restor'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('refuses what is not a Switchboard database, and changes nothing', async () => {
    const server = await startTestServer();
    await server.close();
    const target = path.join(server.dataDir, 'switchboard.db');
    const before = fs.readFileSync(target);
    const junk = path.join(tempDir(), 'junk.db');
    fs.writeFileSync(junk, 'not a database at all');
    const other = path.join(tempDir(), 'other.db');
    const db = new SQLite(other);
    db.exec('create table notes (text)');
    db.close();
    for (const source of [junk, other])
      await expect(restoreDatabase(server.ctx.config, source)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(
      restoreDatabase(server.ctx.config, path.join(tempDir(), 'missing.db')),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(fs.readFileSync(target).equals(before)).toBe(true);
    expect(fs.readdirSync(server.dataDir).filter((f) => f.includes('restor'))).toEqual([]);
  });
});
