// Opens the store: SQLite (WAL) in the data dir, migrated to the latest schema.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type LogEvent, type SqliteDatabase } from 'kysely';
import { SwitchboardError } from '@switchboard/protocol';
import type { Database } from './schema.ts';
import { ensurePrivateDir, protectDatabaseFiles } from './files.ts';
import { migrationProvider } from './migrations.ts';

export type Durability = 'standard' | 'strict';

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  durability: Durability;
  /** Called for each executed query (metrics). */
  onQuery?: (durationMs: number) => void;
}

export type Store = Kysely<Database>;

export function sqliteFileFor(options: StoreOptions): string {
  const url = options.databaseUrl;
  if (!url) return path.join(options.dataDir, 'switchboard.db');
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length).replace(/^\/\//, '');
  throw new SwitchboardError(
    'bad_request',
    `database URL "${url.split(':')[0]}:…" is not supported yet: use a sqlite: URL or leave it unset for the embedded database`,
  );
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const file = sqliteFileFor(options);
  ensurePrivateDir(path.dirname(path.resolve(file)));
  protectDatabaseFiles(file);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit survives a crash or SIGKILL of this process. FULL also fsyncs the WAL
  // on every commit, so it survives power loss; message commits are grouped to keep throughput.
  sqlite.pragma(options.durability === 'strict' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // CLI subcommands write while the server runs: wait for the lock instead of failing.
  sqlite.pragma('busy_timeout = 5000');

  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    log: options.onQuery ? (event: LogEvent) => options.onQuery?.(event.queryDurationMillis) : undefined,
  });
  await migrateToLatest(db);
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement on every call, and preparing (parsing and planning
 * the SQL) cost as much CPU as running it (bench/publish.ts). Statements are reused by their SQL text;
 * one still iterating rows (busy) is never handed out twice, and the cache is bounded because lists in
 * `IN (...)` make one text per length.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text) {
      const cached = cache.get(text);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(text);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(text, statement);
      return statement;
    },
  };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new SwitchboardError(
      'internal',
      `database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
