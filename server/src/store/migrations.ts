// Versioned schema migrations, run at every start (both dialects). Append only: never edit a
// migration that has shipped; add the next one.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createSearchIndex } from './searchIndex.ts';
import { addUnreadCounters } from './unreadCounters.ts';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('display_name', 'varchar(128)', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('deactivated_at', 'bigint')
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('label', 'varchar(200)', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();

      await db.schema
        .createTable('channels')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'varchar(64)', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('head_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('pruned_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('direct_key', 'varchar(140)', (c) => c.unique())
        .execute();
      await db.schema
        .createIndex('channels_name')
        .on('channels')
        .column('name')
        .unique()
        .where(sql.ref('kind'), '<>', 'direct')
        .execute();

      await db.schema
        .createTable('channel_members')
        .addColumn('channel_id', 'varchar(64)', (c) =>
          c.notNull().references('channels.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('channel_members_pk', ['channel_id', 'user_id'])
        .execute();
      await db.schema.createIndex('channel_members_user').on('channel_members').column('user_id').execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('channel_id', 'varchar(64)', (c) =>
          c.notNull().references('channels.id').onDelete('cascade'),
        )
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('change_seq', 'bigint', (c) => c.notNull())
        .addColumn('author_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('edited_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .addUniqueConstraint('messages_channel_seq', ['channel_id', 'seq'])
        .addUniqueConstraint('messages_author_client', ['author_id', 'client_id'])
        .execute();
      await db.schema
        .createIndex('messages_change')
        .on('messages')
        .columns(['channel_id', 'change_seq'])
        .execute();
      await db.schema.createIndex('messages_created').on('messages').column('created_at').execute();

      await db.schema
        .createTable('mentions')
        .addColumn('message_id', 'varchar(64)', (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('mentions_pk', ['message_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('mentions_user')
        .on('mentions')
        .columns(['user_id', 'channel_id', 'seq'])
        .execute();

      await db.schema
        .createTable('invites')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('code_hash', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('created_by', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('uses_left', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('server_meta')
        .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_user_preferences': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('user_preferences')
        .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0003_token_scopes': {
    async up(db: Kysely<unknown>) {
      // Access tokens made before scopes existed were for chat; sessions have every scope.
      await db.schema
        .alterTable('tokens')
        .addColumn('scopes', 'varchar(64)', (c) => c.notNull().defaultTo('chat'))
        .execute();
      await sql`update tokens set scopes = 'chat publish' where kind = 'session'`.execute(db);
    },
  },
  '0004_token_made_by': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tokens').addColumn('created_by_token', 'varchar(64)').execute();
    },
  },
  '0005_token_last_used': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tokens').addColumn('last_used_at', 'bigint').execute();
      // Sessions are labelled with their device from now on; the old fixed label said nothing.
      await sql`update tokens set label = '' where kind = 'session' and label = 'sign-in'`.execute(db);
    },
  },
  '0006_password_resets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('password_resets')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('created_by', 'varchar(64)', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('password_resets_user').on('password_resets').column('user_id').execute();
    },
  },
  '0007_message_notices': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('messages')
        .addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('text'))
        .execute();
      await db.schema.alterTable('messages').addColumn('notice', 'text').execute();
    },
  },
  // --- search and files (0010–0019) ---
  '0010_search_index': {
    // SQLite's full-text indexes, kept in step by triggers (store/searchIndex.ts).
    up: createSearchIndex,
  },
  '0011_files': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('files')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('channel_id', 'varchar(64)', (c) =>
          c.notNull().references('channels.id').onDelete('cascade'),
        )
        .addColumn('uploader_id', 'varchar(64)', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        // Deleting a message (retention) deletes its file rows; their bytes go after the commit.
        .addColumn('message_id', 'varchar(64)', (c) => c.references('messages.id').onDelete('cascade'))
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('mime', 'varchar(255)', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_message').on('files').column('message_id').execute();
      await db.schema.createIndex('files_uploader').on('files').column('uploader_id').execute();
      await db.schema.createIndex('files_sha256').on('files').column('sha256').execute();
    },
  },
  // --- channel details, threads and reactions (0020–0029) ---
  '0020_channel_details': {
    async up(db: Kysely<unknown>) {
      // `name` stays the ASCII slug; what people read is the display name, which starts as the slug.
      await db.schema
        .alterTable('channels')
        .addColumn('display_name', 'varchar(80)', (c) => c.notNull().defaultTo(''))
        .execute();
      await sql`update channels set display_name = name`.execute(db);
      await db.schema
        .alterTable('channels')
        .addColumn('purpose', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('channels').addColumn('archived_at', 'bigint').execute();
      await db.schema
        .alterTable('channels')
        .addColumn('change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0021_threads': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').addColumn('parent_id', 'varchar(64)').execute();
      await db.schema
        .alterTable('messages')
        .addColumn('also_in_channel', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('messages')
        .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('messages').addColumn('last_reply_at', 'bigint').execute();
      await db.schema
        .alterTable('messages')
        .addColumn('replier_ids', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createIndex('messages_thread')
        .on('messages')
        .columns(['parent_id', 'seq'])
        .where(sql.ref('parent_id'), 'is not', null)
        .execute();

      await db.schema
        .createTable('thread_follows')
        .addColumn('thread_id', 'varchar(64)', (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_reply_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('thread_follows_pk', ['thread_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('thread_follows_user')
        .on('thread_follows')
        .columns(['user_id', 'last_reply_at', 'thread_id'])
        .execute();
    },
  },
  '0022_reactions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reactions')
        .addColumn('message_id', 'varchar(64)', (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('emoji', 'varchar(64)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'emoji', 'user_id'])
        .execute();
    },
  },
  // --- performance (0040–0049) ---
  '0040_unread_counters': {
    // Unread counts from counters instead of counting history (store/unreadCounters.ts).
    up: addUnreadCounters,
  },
  // --- publish API (0050–0059) ---
  '0050_topics': {
    async up(db: Kysely<unknown>) {
      // A topic is a stream of its own (docs/decisions.md, "Topics are streams beside channels").
      await db.schema
        .createTable('topics')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('head_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('pruned_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('topic_messages')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('topic_id', 'varchar(64)', (c) => c.notNull().references('topics.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('publisher_id', 'varchar(64)', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('priority', 'integer')
        .addColumn('tags', 'text')
        .addColumn('click', 'text')
        .addColumn('markdown', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('topic_messages_topic_seq', ['topic_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('topic_messages_created')
        .on('topic_messages')
        .column('created_at')
        .execute();
      await db.schema
        .createTable('topic_access')
        .addColumn('subject', 'varchar(64)', (c) => c.notNull())
        .addColumn('pattern', 'varchar(64)', (c) => c.notNull())
        .addColumn('permission', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('topic_access_pk', ['subject', 'pattern'])
        .execute();
    },
  },
  // --- topics in the apps (0060–0069) ---
  '0060_topic_follows': {
    async up(db: Kysely<unknown>) {
      // By name, not topics.id: a topic may be followed before its first message creates it.
      await db.schema
        .createTable('topic_follows')
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('topic', 'varchar(64)', (c) => c.notNull())
        .addColumn('followed_at', 'bigint', (c) => c.notNull())
        .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('topic_follows_pk', ['user_id', 'topic'])
        .execute();
    },
  },
  // --- message details (0070–0079) ---
  '0070_file_order': {
    async up(db: Kysely<unknown>) {
      // A message's files in the order its sender listed them (files.ts); before, they were read in
      // upload order, so existing messages keep that order: created_at, then id.
      await db.schema
        .alterTable('files')
        .addColumn('attach_index', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update files set attach_index = (
                  select count(*) from files earlier
                  where earlier.message_id = files.message_id
                    and (earlier.created_at < files.created_at
                         or (earlier.created_at = files.created_at and earlier.id < files.id)))
                where message_id is not null`.execute(db);
    },
  },
  // --- topics in the apps, continued (0080–0089) ---
  '0080_topic_follow_mute': {
    async up(db: Kysely<unknown>) {
      // Muted is kept with the follow, so it holds on every device; existing follows are not muted.
      await db.schema
        .alterTable('topic_follows')
        .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
