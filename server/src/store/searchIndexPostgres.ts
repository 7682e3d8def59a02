// Full-text search over messages on PostgreSQL, answering the same `IndexQuery` as SQLite's FTS5
// indexes (searchIndex.ts) with the same meaning (docs/decisions.md, "Search on PostgreSQL"):
// - words and word prefixes in any script: a GIN index over `to_tsvector('simple', …)` of the text
//   with accents removed (unaccent), queried with `phraseto_tsquery` (`:*` for a prefix);
// - substrings of CJK and Thai text (three characters or more): a GIN trigram index (pg_trgm) over
//   the messages that hold such text, queried with ILIKE.
// Both are expression indexes on `messages` itself, limited to rows not deleted: every write
// (send, edit, delete, retention) updates them in its own transaction, with no triggers.
import { sql, type Kysely } from 'kysely';
import { SwitchboardError } from '@switchboard/protocol';
import type { Database, MessagesTable } from './schema.ts';
import { planTerms, queryFilters, substringClass, type IndexPage, type IndexQuery } from './searchTerms.ts';

/**
 * The text as the word index sees it: accents removed. unaccent() is only STABLE (its rules file
 * could change), so an index needs this IMMUTABLE wrapper; the extension's schema is written into
 * it, so the function works whatever the search_path (pg_restore runs with an empty one).
 */
const FOLD = 'switchboard_fold';
/** Messages holding CJK or Thai text: the trigram index's rows, and the query's proof that it may use it. */
const hasSubstringScript = (column: string) => sql`${sql.raw(column)} ~ ${sql.lit(`[${substringClass()}]`)}`;
const words = (column: string) => sql`to_tsvector('simple', ${sql.raw(FOLD)}(${sql.raw(column)}))`;

export async function createPostgresSearchIndex(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create extension if not exists pg_trgm`.execute(db);
  const { rows } = await sql<{ schema: string }>`
    select extnamespace::regnamespace::text as schema from pg_extension where extname = 'unaccent'`.execute(
    db,
  );
  const schema = sql.id(rows[0]!.schema);
  await sql`create function ${sql.raw(FOLD)}(text) returns text
    language sql immutable parallel safe strict
    as $$ select ${schema}.unaccent(${sql.lit(`${rows[0]!.schema}.unaccent`)}::regdictionary, $1) $$`.execute(
    db,
  );
  await sql`create index messages_search_words on messages
    using gin (${words('text')}) where deleted_at is null`.execute(db);
  await sql`create index messages_search_grams on messages
    using gin (text gin_trgm_ops) where deleted_at is null and ${hasSubstringScript('text')}`.execute(db);
}

/** A phrase of the term's words, the last one also as a prefix when asked. Null when it has no word. */
function wordQuery(text: string, prefix: boolean) {
  const phrase = sql`phraseto_tsquery('simple', ${sql.raw(FOLD)}(${text}))`;
  return prefix ? sql`to_tsquery('simple', nullif(${phrase}::text, '') || ':*')` : phrase;
}

const ID_CURSOR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A page of matching messages the reader can read, newest first (message ids are UUIDv7: time-ordered). */
export async function searchPostgres(db: Kysely<Database>, query: IndexQuery): Promise<IndexPage> {
  if (query.cursor !== undefined && !ID_CURSOR.test(query.cursor))
    throw new SwitchboardError('validation_failed', 'cursor: not a cursor this server gave out');
  const plan = planTerms(query.terms);
  const filters = queryFilters(query);
  if (plan.words.length > 0) {
    const tsquery = sql.join(
      plan.words.map((w) => wordQuery(w.text, w.prefix)),
      sql` && `,
    );
    filters.push(sql`${words('m.text')} @@ (${tsquery})`);
  }
  if (plan.grams.length > 0) {
    filters.push(hasSubstringScript('m.text'));
    for (const gram of plan.grams)
      filters.push(sql`m.text ilike ${`%${gram.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  }
  if (query.cursor !== undefined) filters.push(sql`m.id < ${query.cursor}`);
  const { rows } = await sql<MessagesTable>`
    select m.* from messages m
    where ${sql.join(filters, sql` and `)}
    order by m.id desc
    limit ${query.limit + 1}`.execute(db);
  const page = rows.slice(0, query.limit);
  return {
    rows: page,
    nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}
