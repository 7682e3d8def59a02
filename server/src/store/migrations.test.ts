// Migrations carry existing data over: a database made before channel details, threads and
// reactions keeps every channel and message, in a shape the new code reads.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/support/server.ts';
import { migrateToLatest } from './database.ts';
import { migrationProvider } from './migrations.ts';
import type { Database } from './schema.ts';

let db: Kysely<Database> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

describe('migrations', () => {
  it('gives existing channels their slug as display name, and existing messages no thread or reactions', async () => {
    db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new SQLite(path.join(tempDir(), 'old.sqlite')) }),
    });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('0004_token_made_by')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, created_at)
              values ('u1', 'alice', 'Alice', 'x', 1)`.execute(db);
    await sql`insert into channels (id, name, kind, topic, created_by, created_at, head_seq)
              values ('c1', 'release-train', 'public', 'Ship it', 'u1', 1, 1)`.execute(db);
    await sql`insert into messages (id, channel_id, seq, change_seq, author_id, client_id, text, created_at)
              values ('m1', 'c1', 1, 1, 'u1', 'client-0001', 'hello', 2)`.execute(db);

    await migrateToLatest(db);

    expect(await db.selectFrom('channels').selectAll().execute()).toEqual([
      expect.objectContaining({
        name: 'release-train',
        display_name: 'release-train',
        topic: 'Ship it',
        purpose: '',
        archived_at: null,
        change_seq: 0,
      }),
    ]);
    expect(await db.selectFrom('messages').selectAll().execute()).toEqual([
      expect.objectContaining({
        text: 'hello',
        parent_id: null,
        also_in_channel: 0,
        reply_count: 0,
        last_reply_at: null,
        replier_ids: '',
      }),
    ]);
    expect(await db.selectFrom('reactions').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('thread_follows').selectAll().execute()).toEqual([]);
  });
});
