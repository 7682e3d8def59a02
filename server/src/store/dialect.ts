// The few places where SQLite and PostgreSQL need different SQL, each behind one function, so the
// domain's queries stay one text for both.
import { PostgresAdapter, sql, type Expression, type RawBuilder } from 'kysely';

/** A database or one of its transactions: whatever can run a query. */
type Db = Parameters<RawBuilder<unknown>['execute']>[0];

export type Dialect = 'sqlite' | 'postgres';

/** Which database `db` (or a transaction of it) talks to. */
export function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** `value` contains `fragment` ignoring case: of ASCII letters on SQLite, of every letter on PostgreSQL. */
export function containsIgnoringCase(
  db: Db,
  value: Expression<string>,
  fragment: string,
): RawBuilder<boolean> {
  const pattern = `%${fragment.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // SQLite's LIKE ignores ASCII case and has no escape character unless told; PostgreSQL's ILIKE.
  const like = dialectOf(db) === 'postgres' ? sql`ilike` : sql`like`;
  return sql<boolean>`${value} ${like} ${pattern} escape '\\'`;
}

/**
 * Rows in the order they were inserted, for ties in a table whose rows are never updated: SQLite's
 * `rowid`; PostgreSQL's `ctid` (the row's place in the table, which follows insertion order until a
 * vacuum lets a new row reuse a deleted one's space — a tie-break only, never the main order).
 */
export function insertionOrder(db: Db): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres' ? sql`ctid` : sql`rowid`;
}

/**
 * Makes concurrent transactions that check a per-user limit before they write (quotas, channel
 * counts) take turns: PostgreSQL locks the user's row until the transaction ends; SQLite runs one
 * writing transaction at a time already.
 */
export async function serializePerUser(trx: Db, userId: string): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`select id from users where id = ${userId} for update`.execute(trx);
}

/**
 * Makes a change to a member's read cursor wait for a concurrent change of the same membership row
 * (a delete adjusting the counts) and see its result: PostgreSQL locks the row until the transaction
 * ends, so the next statement reads what that change committed; SQLite runs one writer at a time.
 */
export async function lockMembership(trx: Db, channelId: string, userId: string): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`select 1 from channel_members where channel_id = ${channelId} and user_id = ${userId} for update`.execute(
    trx,
  );
}

/** SQLSTATEs of a transaction PostgreSQL aborted to break a deadlock or a serialization conflict: retry it. */
export function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when PostgreSQL could not be reached or went away mid-query (restarting, failing over, a
 * network cut): the request may succeed if tried again, and nothing of it was acknowledged.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // 08: connection exceptions; 57P01-57P03: shutting down, crashed, starting up; 53300: too many connections.
    if (code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return true;
    if (CONNECTION_FAILURES.has(code)) return true;
  }
  // node-postgres reports a dropped connection and a full pool by message only.
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/.test(
      message,
    )
  );
}
