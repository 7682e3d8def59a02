// What a search asks of the store's index, whichever store it is (SQLite FTS5 in searchIndex.ts,
// PostgreSQL in searchIndexPostgres.ts), and which kind of index answers each term.
import { sql, type RawBuilder } from 'kysely';
import type { SearchTerm } from '@switchboard/protocol';
import type { MessagesTable } from './schema.ts';

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
export const SUBSTRING_SCRIPTS: readonly [number, number][] = [
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

/** The substring scripts as the inside of a bracket expression (`a-z` style ranges), for GLOB and regex. */
export const substringClass = () =>
  SUBSTRING_SCRIPTS.map(([lo, hi]) => `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`).join('');

const inSubstringScript = (code: number) => SUBSTRING_SCRIPTS.some(([lo, hi]) => code >= lo && code <= hi);
const hasSubstringScript = (text: string) =>
  [...text].some((char) => inSubstringScript(char.codePointAt(0)!));

/** Trigrams need three characters; shorter terms are matched as word prefixes. */
const TRIGRAM = 3;

const searchable = (text: string) => /[\p{L}\p{N}]/u.test(text);

/** Whether any term has a letter or digit: punctuation alone is no word to any index. */
export const hasSearchableText = (terms: readonly SearchTerm[]) => terms.some((t) => searchable(t.text));

export interface WordTerm {
  text: string;
  /** Also finds the longer words it starts. */
  prefix: boolean;
}

/** Which index answers each term: words (and word starts), or substrings of CJK and Thai text. */
export function planTerms(terms: readonly SearchTerm[]): { words: WordTerm[]; grams: string[] } {
  const words: WordTerm[] = [];
  const grams: string[] = [];
  for (const term of terms) {
    const text = term.text.trim();
    if (!searchable(text)) continue;
    const cjk = hasSubstringScript(text);
    const length = [...text].length;
    if (cjk && length >= TRIGRAM) grams.push(text);
    // A phrase is its words as written, and so is one Latin letter (as a prefix it would match
    // nearly everything); any other word also finds the longer words it starts.
    else words.push({ text, prefix: !(term.phrase || (length === 1 && !cjk)) });
  }
  return { words, grams };
}

/** The conditions every store's search applies to `messages m`: who may read it, and the filters. */
export function queryFilters(query: IndexQuery): RawBuilder<unknown>[] {
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
  return filters;
}
