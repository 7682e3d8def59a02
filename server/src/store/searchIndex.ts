// Full-text search over messages with SQLite FTS5: everything specific to FTS lives in this module;
// PostgreSQL answers the same `IndexQuery` behind the same function (searchIndexPostgres.ts).
//
// Two contentless indexes, keyed by the messages table's rowid (docs/decisions.md, "Search"):
// - `message_words` (unicode61, diacritics folded, an index of two-character prefixes): words and
//   word prefixes in any script — English "deploy" finds "deployed", Korean "회의" finds "회의를".
// - `message_grams` (trigram): substrings of messages written in scripts without spaces between
//   words, or whose words are searched by their middle (CJK and Thai); only messages holding such
//   text are in it. A term of fewer than three characters cannot be a trigram query: it goes to
//   `message_words` as a prefix.
// Triggers keep both in step with `messages` inside the same transaction as every write (send,
// edit, delete, retention), and a deleted message's text leaves the index with it.
import { sql, type Kysely } from 'kysely';
import { SwitchboardError, type SearchTerm } from '@switchboard/protocol';
import { dialectOf } from './dialect.ts';
import type { Database, MessagesTable } from './schema.ts';
import { createPostgresSearchIndex, searchPostgres } from './searchIndexPostgres.ts';
import {
  hasSearchableText,
  planTerms,
  queryFilters,
  substringClass,
  type IndexPage,
  type IndexQuery,
} from './searchTerms.ts';

export type { IndexPage, IndexQuery } from './searchTerms.ts';

/** The substring scripts as a GLOB pattern, for the triggers (plain SQL: no function to register). */
const SUBSTRING_GLOB = `*[${substringClass()}]*`;

/** Creates the indexes and their triggers and indexes the messages already stored (a migration). */
export async function createSearchIndex(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') return createPostgresSearchIndex(db);
  const glob = sql.lit(SUBSTRING_GLOB);
  const statements = [
    sql`create virtual table message_words using fts5(text, tokenize = 'unicode61 remove_diacritics 2', prefix = '2', content = '', contentless_delete = 1)`,
    sql`create virtual table message_grams using fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1)`,
    sql`create trigger messages_search_insert after insert on messages when new.deleted_at is null begin
      insert into message_words (rowid, text) values (new.rowid, new.text);
      insert into message_grams (rowid, text) select new.rowid, new.text where new.text glob ${glob};
    end`,
    sql`create trigger messages_search_update after update of text, deleted_at on messages begin
      delete from message_words where rowid = old.rowid;
      delete from message_grams where rowid = old.rowid;
      insert into message_words (rowid, text) select new.rowid, new.text where new.deleted_at is null;
      insert into message_grams (rowid, text) select new.rowid, new.text
        where new.deleted_at is null and new.text glob ${glob};
    end`,
    sql`create trigger messages_search_delete after delete on messages begin
      delete from message_words where rowid = old.rowid;
      delete from message_grams where rowid = old.rowid;
    end`,
    sql`insert into message_words (rowid, text) select rowid, text from messages where deleted_at is null`,
    sql`insert into message_grams (rowid, text) select rowid, text from messages
      where deleted_at is null and text glob ${glob}`,
  ];
  for (const statement of statements) await statement.execute(db);
}

/** A term as an FTS5 string: double quotes doubled, so nothing in it is query syntax. */
const ftsString = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** The terms as FTS5 query expressions (AND of all terms per index). */
function plan(terms: readonly SearchTerm[]): { words: string[]; grams: string[] } {
  const { words, grams } = planTerms(terms);
  return {
    words: words.map((w) => (w.prefix ? `${ftsString(w.text)}*` : ftsString(w.text))),
    grams: grams.map(ftsString),
  };
}

const ROWID_CURSOR = /^[1-9]\d{0,18}$/;

/** A page of matching messages the reader can read, newest (highest rowid) first. */
export async function searchMessages(db: Kysely<Database>, query: IndexQuery): Promise<IndexPage> {
  if (query.terms.length > 0 && !hasSearchableText(query.terms)) return { rows: [], nextCursor: null };
  if (dialectOf(db) === 'postgres') return searchPostgres(db, query);
  const { words, grams } = plan(query.terms);
  if (query.cursor !== undefined && !ROWID_CURSOR.test(query.cursor))
    throw new SwitchboardError('validation_failed', 'cursor: not a cursor this server gave out');

  const filters = queryFilters(query);
  // The index with a term drives the scan, in descending rowid order (FTS5 walks its doclists
  // backwards, and ordering by its own rowid lets it), so a page stops after `limit` matches.
  let from = sql`messages m`;
  let order = sql.ref('m.rowid');
  if (grams.length > 0) {
    from = sql`message_grams d join messages m on m.rowid = d.rowid`;
    order = sql.ref('d.rowid');
    filters.push(sql`d.message_grams match ${grams.join(' AND ')}`);
    if (words.length > 0)
      filters.push(
        sql`m.rowid in (select rowid from message_words where message_words match ${words.join(' AND ')})`,
      );
  } else if (words.length > 0) {
    from = sql`message_words d join messages m on m.rowid = d.rowid`;
    order = sql.ref('d.rowid');
    filters.push(sql`d.message_words match ${words.join(' AND ')}`);
  }
  if (query.cursor !== undefined) filters.push(sql`${order} < ${Number(query.cursor)}`);

  const rows = await sql<MessagesTable & { search_rowid: number }>`
    select m.*, m.rowid as search_rowid from ${from}
    where ${sql.join(filters, sql` and `)}
    order by ${order} desc
    limit ${query.limit + 1}`.execute(db);
  const page = rows.rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map(({ search_rowid: _rowid, ...row }) => row),
    nextCursor: rows.rows.length > query.limit && last ? String(last.search_rowid) : null,
  };
}
