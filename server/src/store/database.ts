// Opens the store, migrated to the latest schema: SQLite (WAL) in the data dir by default, or
// PostgreSQL when the database URL says so (several nodes share one).
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type LogEvent, type SqliteDatabase } from 'kysely';
import pg from 'pg';
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

/** A PostgreSQL URL, as libpq spells them. */
export const isPostgresUrl = (url: string | undefined): url is string =>
  url !== undefined && /^postgres(ql)?:\/\//.test(url);

export function sqliteFileFor(options: StoreOptions): string {
  const url = options.databaseUrl;
  if (!url) return path.join(options.dataDir, 'switchboard.db');
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length).replace(/^\/\//, '');
  throw new SwitchboardError(
    'bad_request',
    `database URL "${url.split(':')[0]}:…" is not a SQLite database: use a sqlite: URL or leave it unset for the embedded database`,
  );
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const db = isPostgresUrl(options.databaseUrl)
    ? openPostgres(options.databaseUrl, options)
    : openSqlite(options);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

function openSqlite(options: StoreOptions): Store {
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

  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    log: queryLog(options),
  });
}

const queryLog = (options: StoreOptions) =>
  options.onQuery ? (event: LogEvent) => options.onQuery?.(event.queryDurationMillis) : undefined;

/** Connections each node keeps to PostgreSQL at most. */
export const POSTGRES_POOL_SIZE = 10;
const INT8_OID = 20;

/**
 * PostgreSQL through node-postgres' pool. Durability is the server's own (`synchronous_commit`,
 * fsync): `durability` applies to SQLite only. Counters and timestamps are `bigint` columns, which pg
 * hands over as strings; every one of ours is below 2^53, so they are read as numbers, as SQLite gives them.
 */
function openPostgres(url: string, options: StoreOptions): Store {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: postgresPool(url) }),
    log: queryLog(options),
  });
}

/**
 * The pool a node's queries go through. A connection PostgreSQL ends (a restart, a failover) reports
 * an error on its client: the pool listens while the client is idle, and replaces it on next use; while
 * a transaction holds it, nobody listens, and the error would end the process. So every client gets a
 * listener of its own: the query that needed it fails instead (unavailable), and the pool drops it.
 */
export function postgresPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: POSTGRES_POOL_SIZE,
    // A database that is down answers the caller within this, instead of holding requests open.
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
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

/**
 * Runs the migrations not run yet. On PostgreSQL Kysely's migrator holds an advisory lock while it
 * does, so several nodes starting at once run each migration once and wait for each other.
 */
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
