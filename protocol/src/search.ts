// The search box's language, parsed in one place for the server, the session core and the UI:
// words and "quoted phrases", plus `in:#channel`, `from:@user`, `before:YYYY-MM-DD`,
// `after:YYYY-MM-DD` and `has:file`. Nothing here fails: what cannot be read as an operator is
// searched as text (or left out) and explained in `notes`, so a person always gets results and a
// reason. Where the text matches, for highlighting, is decided here too (`matchRanges`).

/** A word, or a quoted phrase (matched as written, words in this order). */
export interface SearchTerm {
  text: string;
  phrase: boolean;
}

/** A calendar day as typed; whoever applies it chooses the time zone (the UI: the user's). */
export interface SearchDay {
  year: number;
  month: number;
  day: number;
}

export type SearchNote =
  | { kind: 'unknown-operator'; operator: string }
  | { kind: 'bad-date'; operator: 'before' | 'after'; value: string }
  | { kind: 'bad-has'; value: string }
  | { kind: 'empty-operator'; operator: string }
  | { kind: 'repeated-operator'; operator: string };

export interface ParsedSearch {
  terms: SearchTerm[];
  /** Channel name, without `#`. */
  channel?: string;
  /** Username, without `@`. */
  from?: string;
  /** Messages before the start of this day. */
  before?: SearchDay;
  /** Messages after the end of this day (from the next day on). */
  after?: SearchDay;
  hasFile: boolean;
  /** What was not understood, and how it was taken instead. */
  notes: SearchNote[];
}

const OPERATORS = ['in', 'from', 'before', 'after', 'has'] as const;
type Operator = (typeof OPERATORS)[number];
const isOperator = (name: string): name is Operator => (OPERATORS as readonly string[]).includes(name);

interface Token {
  text: string;
  /** Where in `text` the first quoted part starts; -1 when nothing was quoted. */
  quotedFrom: number;
}

/** Splits the input into tokens: runs of non-space, where a double quote runs to the next one. */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/u.test(input[i]!)) i++;
    if (i >= input.length) break;
    let text = '';
    let quotedFrom = -1;
    while (i < input.length && !/\s/u.test(input[i]!)) {
      if (input[i] === '"') {
        // A phrase, or an operator's quoted value (in:"#name"); an unclosed quote runs to the end.
        const end = input.indexOf('"', i + 1);
        const stop = end === -1 ? input.length : end;
        if (quotedFrom === -1) quotedFrom = text.length;
        text += input.slice(i + 1, stop);
        i = stop + 1;
      } else text += input[i++];
    }
    tokens.push({ text, quotedFrom });
  }
  return tokens;
}

function parseDay(value: string): SearchDay | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Round-trip through a UTC date so 2026-02-30 is refused rather than rolled into March.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return { year, month, day };
}

export function parseSearchQuery(input: string): ParsedSearch {
  const parsed: ParsedSearch = { terms: [], hasFile: false, notes: [] };
  const seen = new Set<Operator>();
  for (const token of tokenize(input)) {
    const phrase = token.quotedFrom !== -1;
    const colon = token.text.indexOf(':');
    const name = colon > 0 ? token.text.slice(0, colon).toLowerCase() : '';
    // Only a bare `name:` before any quote is an operator: "in:general" in quotes is text.
    const operatorLike = /^[a-z]+$/.test(name) && (!phrase || token.quotedFrom > colon);
    if (!operatorLike) {
      if (token.text.trim() !== '') parsed.terms.push({ text: token.text, phrase });
      continue;
    }
    const value = token.text.slice(colon + 1);
    if (!isOperator(name)) {
      // A link (https://…) is text, not a filter anyone meant to type.
      if (!value.startsWith('//')) parsed.notes.push({ kind: 'unknown-operator', operator: name });
      parsed.terms.push({ text: token.text, phrase });
      continue;
    }
    if (value === '') {
      parsed.notes.push({ kind: 'empty-operator', operator: name });
      continue;
    }
    if (seen.has(name)) parsed.notes.push({ kind: 'repeated-operator', operator: name });
    seen.add(name);
    switch (name) {
      case 'in':
        parsed.channel = value.replace(/^#/, '');
        break;
      case 'from':
        parsed.from = value.replace(/^@/, '');
        break;
      case 'before':
      case 'after': {
        const day = parseDay(value);
        if (day) parsed[name] = day;
        else parsed.notes.push({ kind: 'bad-date', operator: name, value });
        break;
      }
      case 'has':
        if (value.toLowerCase() === 'file') parsed.hasFile = true;
        else parsed.notes.push({ kind: 'bad-has', value });
        break;
    }
  }
  return parsed;
}

/** The terms as one `q` string the parser reads back into the same terms (phrases quoted). */
export function formatSearchTerms(terms: readonly SearchTerm[]): string {
  return terms
    .map((t) => (t.phrase || /\s|^[a-z]+:/i.test(t.text) ? `"${t.text.replaceAll('"', '')}"` : t.text))
    .join(' ');
}

/** A whole query as text the parser reads back the same (days as YYYY-MM-DD). */
export function formatSearchQuery(parsed: Omit<ParsedSearch, 'notes'>): string {
  const day = (d: SearchDay) =>
    `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  const parts = [formatSearchTerms(parsed.terms)];
  if (parsed.channel !== undefined) parts.push(`in:"#${parsed.channel.replaceAll('"', '')}"`);
  if (parsed.from !== undefined) parts.push(`from:"@${parsed.from.replaceAll('"', '')}"`);
  if (parsed.before) parts.push(`before:${day(parsed.before)}`);
  if (parsed.after) parts.push(`after:${day(parsed.after)}`);
  if (parsed.hasFile) parts.push('has:file');
  return parts.filter((p) => p !== '').join(' ');
}

/** Where a search day starts, in UTC (the server's reading of a date typed into `q`). */
export function utcDayStart({ year, month, day }: SearchDay): number {
  return Date.UTC(year, month - 1, day);
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The ms bounds (`before` exclusive, `after` exclusive) a parsed query's days stand for. */
export function dayBounds(
  parsed: Pick<ParsedSearch, 'before' | 'after'>,
  dayStart: (day: SearchDay) => number,
): { before?: number; after?: number } {
  const bounds: { before?: number; after?: number } = {};
  if (parsed.before) bounds.before = dayStart(parsed.before);
  // "after:2026-12-01" means from December 2 on: after the whole day.
  if (parsed.after) bounds.after = dayStart(parsed.after) + DAY_MS - 1;
  return bounds;
}

/**
 * Where `terms` occur in `text`, as sorted, non-overlapping [start, end) ranges of UTF-16 offsets,
 * ignoring case: what a result highlights. A term's every occurrence counts (the index may have
 * matched a word's start, a substring or a phrase; highlighting them all is close enough and safe).
 */
export function matchRanges(text: string, terms: readonly SearchTerm[]): [number, number][] {
  const lower = text.toLowerCase();
  // Lower-casing may change lengths (rare letters); offsets then come from the text as written.
  const haystack = lower.length === text.length ? lower : text;
  const ranges: [number, number][] = [];
  for (const term of terms) {
    const needle = haystack === lower ? term.text.toLowerCase() : term.text;
    if (needle.trim() === '') continue;
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
      ranges.push([at, at + needle.length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}
