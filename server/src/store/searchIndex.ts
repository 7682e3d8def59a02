// Full-text search over messages with SQLite FTS5: everything specific to FTS lives in this module,
// so another store (PostgreSQL: tsvector for words, pg_trgm for substrings) can answer the same
// `IndexQuery` behind the same function.
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
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { SwitchboardError, type SearchTerm } from '@switchboard/protocol';
import type { Database, MessagesTable } from './schema.ts';

/** What to find, whatever the store: the caller's id decides which channels are searched. */
export interface IndexQuery {
  /** Only channels this user can read now: every public channel and the ones they are a member of. */
  readerId: string;
  terms: readonly SearchTerm[];
  channelId?: string | undefined;
  authorId?: string | undefined;
  before?: number | undefined;
  after?: number | undefined;
  /** Only messages with at least one file. */
  withFiles?: boolean;
  limit: number;
  cursor?: string | undefined;
}

export interface IndexPage {
  rows: MessagesTable[];
  nextCursor: string | null;
}

/** Code point ranges of the scripts indexed by trigram: Hangul, kana, Han, Thai. */
const SUBSTRING_SCRIPTS: readonly [number, number][] = [
  [0x0e01, 0x0e5b], // Thai
  [0x1100, 0x11ff], // Hangul Jamo
  [0x3041, 0x30ff], // Hiragana, Katakana
  [0x3131, 0x318e], // Hangul compatibility Jamo
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xff66, 0xff9f], // half-width Katakana
  [0x20000, 0x2ffff], // CJK Extensions B–F
];

const inSubstringScript = (code: number) => SUBSTRING_SCRIPTS.some(([lo, hi]) => code >= lo && code <= hi);
const hasSubstringScript = (text: string) =>
  [...text].some((char) => inSubstringScript(char.codePointAt(0)!));

/** The same test as a GLOB pattern, for the triggers (plain SQL: no function to register). */
const SUBSTRING_GLOB = `*[${SUBSTRING_SCRIPTS.map(([lo, hi]) => `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`).join('')}]*`;

/** Trigrams need three characters; shorter terms are matched as word prefixes. */
const TRIGRAM = 3;

/** Creates the indexes and their triggers and indexes the messages already stored (a migration). */
export async function createSearchIndex(db: Kysely<unknown>): Promise<void> {
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

/** Which index answers each term, as FTS5 query expressions (AND of all terms per index). */
function plan(terms: readonly SearchTerm[]): { words: string[]; grams: string[] } {
  const words: string[] = [];
  const grams: string[] = [];
  for (const term of terms) {
    const text = term.text.trim();
    // Punctuation alone is no word to any tokenizer: nothing to look up.
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    const cjk = hasSubstringScript(text);
    const length = [...text].length;
    if (cjk && length >= TRIGRAM) grams.push(ftsString(text));
    // A phrase is its words as written, and so is one Latin letter (as a prefix it would match
    // nearly everything); any other word also finds the longer words it starts.
    else words.push(term.phrase || (length === 1 && !cjk) ? ftsString(text) : `${ftsString(text)}*`);
  }
  return { words, grams };
}

const ROWID_CURSOR = /^[1-9]\d{0,18}$/;

/** A page of matching messages the reader can read, newest (highest rowid) first. */
export async function searchMessages(db: Kysely<Database>, query: IndexQuery): Promise<IndexPage> {
  const { words, grams } = plan(query.terms);
  const searchable = query.terms.some((t) => /[\p{L}\p{N}]/u.test(t.text));
  if (query.terms.length > 0 && !searchable) return { rows: [], nextCursor: null };
  if (query.cursor !== undefined && !ROWID_CURSOR.test(query.cursor))
    throw new SwitchboardError('validation_failed', 'cursor: not a cursor this server gave out');

  const filters: RawBuilder<unknown>[] = [
    sql`m.deleted_at is null`,
    // Membership is read now, in the query: someone removed from a channel stops finding it at once.
    sql`(m.channel_id in (select id from channels where kind = 'public')
      or m.channel_id in (select channel_id from channel_members where user_id = ${query.readerId}))`,
  ];
  if (query.channelId !== undefined) filters.push(sql`m.channel_id = ${query.channelId}`);
  if (query.authorId !== undefined) filters.push(sql`m.author_id = ${query.authorId}`);
  if (query.before !== undefined) filters.push(sql`m.created_at < ${query.before}`);
  if (query.after !== undefined) filters.push(sql`m.created_at > ${query.after}`);
  if (query.withFiles) filters.push(sql`exists (select 1 from files f where f.message_id = m.id)`);
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
