// Migrations carry existing data over: a database made before channel details, threads and
// reactions keeps every channel and message, in a shape the new code reads; files attached before
// their order was stored keep the order they were shown in; topics followed before mute stay followed,
// unmuted.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/support/server.ts';
import { migrateToLatest } from './database.ts';
import { migrationProvider } from './migrations.ts';
import type { Database } from './schema.ts';

let db: Kysely<Database> | undefined;

/** A SQLite database migrated up to `version`, as a server of that version left it. */
async function databaseAt(version: string): Promise<Kysely<Database>> {
  db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SQLite(path.join(tempDir(), 'old.sqlite')) }),
  });
  const migrator = new Migrator({ db, provider: migrationProvider });
  expect((await migrator.migrateTo(version)).error).toBeUndefined();
  return db;
}

afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

/** Alice, her public channel `c1` and her messages in it (id, text, time), as every version stores them. */
async function aliceInChannel(
  db: Kysely<Database>,
  channel: { name: string; topic: string },
  messages: [id: string, text: string, createdAt: number][],
) {
  await sql`insert into users (id, username, display_name, password_hash, created_at)
            values ('u1', 'alice', 'Alice', 'x', 1)`.execute(db);
  await sql`insert into channels (id, name, kind, topic, created_by, created_at, head_seq)
            values ('c1', ${channel.name}, 'public', ${channel.topic}, 'u1', 1, ${messages.length})`.execute(
    db,
  );
  for (const [i, [id, text, createdAt]] of messages.entries())
    await sql`insert into messages (id, channel_id, seq, change_seq, author_id, client_id, text, created_at)
              values (${id}, 'c1', ${i + 1}, ${i + 1}, 'u1', ${`client-000${i + 1}`}, ${text}, ${createdAt})`.execute(
      db,
    );
}

describe('migrations', () => {
  it('gives existing channels their slug as display name, and existing messages no thread or reactions', async () => {
    const db = await databaseAt('0004_token_made_by');
    await aliceInChannel(db, { name: 'release-train', topic: 'Ship it' }, [['m1', 'hello', 2]]);

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

  it('numbers the files of existing messages in the order they were shown: upload time, then id', async () => {
    const db = await databaseAt('0050_topics');
    await aliceInChannel(db, { name: 'general', topic: '' }, [
      ['m1', 'one', 10],
      ['m2', 'two', 20],
    ]);
    // [id, message, created_at]: m1's two files came in the same millisecond, so their ids order them.
    const files: [string, string | null, number][] = [
      ['f-c', 'm1', 5],
      ['f-b', 'm1', 3],
      ['f-a', 'm1', 5],
      ['f-d', 'm2', 7],
      ['f-e', null, 8],
    ];
    for (const [id, message, at] of files)
      await sql`insert into files (id, channel_id, uploader_id, message_id, name, size, mime, sha256, created_at)
                values (${id}, 'c1', 'u1', ${message}, ${id}, 1, 'text/plain', ${id}, ${at})`.execute(db);

    await migrateToLatest(db);

    const rows = await db
      .selectFrom('files')
      .select(['id', 'message_id', 'attach_index'])
      .orderBy('message_id')
      .orderBy('attach_index')
      .execute();
    expect(rows.map((r) => [r.id, r.message_id, r.attach_index])).toEqual([
      ['f-e', null, 0],
      ['f-b', 'm1', 0],
      ['f-a', 'm1', 1],
      ['f-c', 'm1', 2],
      ['f-d', 'm2', 0],
    ]);
  });

  it('keeps the topics followed before mute, with their read positions, unmuted', async () => {
    const db = await databaseAt('0070_file_order');
    await aliceInChannel(db, { name: 'general', topic: '' }, []);
    await sql`insert into topic_follows (user_id, topic, followed_at, read_seq)
              values ('u1', 'backups', 5, 3), ('u1', 'deploys', 6, 0)`.execute(db);

    await migrateToLatest(db);

    const rows = await db.selectFrom('topic_follows').selectAll().orderBy('topic').execute();
    expect(rows.map((r) => [r.topic, Number(r.read_seq), Number(r.muted)])).toEqual([
      ['backups', 3, 0],
      ['deploys', 0, 0],
    ]);
  });
});
