// The one emoji set of Switchboard: what the picker offers, what a `:shortcode:` in a message renders
// as, and what a reaction may be. It is emojilib's (the data node-emoji reads), so the server accepts
// exactly what the UI shows. A separate entry (`@switchboard/protocol/emoji`): the data is some
// 250 KB, which the session core does not need.
// emojilib ships no types; every package that compiles this file needs them, whatever it includes.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./emojilib.d.ts" />
import emojilib from 'emojilib';

export interface Emoji {
  /** The character(s), as the set writes them (with U+FE0F where emojilib has it). */
  char: string;
  /** Its shortcode without colons: `tada` for `:tada:`. */
  name: string;
  keywords: readonly string[];
  category: string;
}

/** Every emoji of the set, in browsing order. */
export const EMOJI: readonly Emoji[] = emojilib.ordered.map((name) => {
  const entry = emojilib.lib[name]!;
  return { char: entry.char, name, keywords: entry.keywords, category: entry.category };
});

/** The emoji presentation selector: the same emoji is sent with and without it. */
const VARIATION_SELECTOR = /\uFE0F/g;
const bare = (text: string) => text.replace(VARIATION_SELECTOR, '');
const byChar = new Map(EMOJI.map((e) => [bare(e.char), e]));
const byName = new Map(EMOJI.map((e) => [e.name, e]));

/** The set's entry for an emoji character (with or without U+FE0F), or for a shortcode (`tada`, `:tada:`). */
export function findEmoji(input: string): Emoji | undefined {
  const name = /^:[^:\s]+:$/.test(input) ? input.slice(1, -1) : input;
  return byChar.get(bare(input)) ?? byName.get(name);
}

/** The one spelling a reaction is stored under, or null when `input` is not in the set. */
export function canonicalEmoji(input: string): string | null {
  return findEmoji(input)?.char ?? null;
}

const SHORTCODE = /:([a-z0-9_+-]+):/gi;

/** Replaces the `:shortcode:`s of the set in `text` with their emoji; unknown ones stay as typed. */
export function emojifyShortcodes(text: string): string {
  return text.replace(SHORTCODE, (code, name: string) => byName.get(name)?.char ?? code);
}

/**
 * Emoji whose name or a keyword starts with `query` (case-insensitive), names first, in browsing
 * order; at most `limit`.
 */
export function searchEmoji(query: string, limit = 100): Emoji[] {
  const q = query.trim().toLowerCase();
  if (!q) return EMOJI.slice(0, limit);
  const words = (e: Emoji) => e.name.split(/[_-]/);
  const byNameMatch = EMOJI.filter((e) => e.name.startsWith(q) || words(e).some((w) => w.startsWith(q)));
  const named = new Set(byNameMatch);
  const byKeyword = EMOJI.filter(
    (e) => !named.has(e) && e.keywords.some((k) => k.toLowerCase().startsWith(q)),
  );
  return [...byNameMatch, ...byKeyword].slice(0, limit);
}
