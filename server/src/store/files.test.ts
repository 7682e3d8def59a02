// The data directory and database files are private to the server's user whatever the umask, an
// existing directory others can read is reported at start, and `backup` makes a consistent private copy.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, createConnectedUser, startTestServer, tempDir } from '../../../tests/support/server.ts';
import { resolveConfig } from '../config.ts';
import { startServer } from '../server.ts';
import { backupDatabase } from './backup.ts';

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
