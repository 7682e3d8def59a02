// A channel has a display name in any script ("General Chat", "개발팀") and a slug: the ASCII name of
// NAME_PATTERN used in links, `in:#slug` and by scripts, unique among channels. The slug is derived
// from the display name when none is given; the server and the UI derive it with this one function,
// so the UI can say what the link name will be before the channel exists.

/** Longest display name, in UTF-16 code units. */
export const MAX_CHANNEL_DISPLAY_NAME = 80;
/** A derived slug keeps this much of the name, leaving room for a `-2`… suffix within 64. */
const MAX_DERIVED_SLUG = 48;

/** Latin letters that Unicode decomposition leaves as they are, spelled in ASCII. */
const LATIN_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * The slug a display name gives: its letters and digits lower-cased, accents dropped, everything
 * else turned into single dashes ("Café Crème!" → "cafe-creme"). Null when the name has letters or
 * digits outside the Latin alphabet, or none at all: such a channel gets a short id-based slug
 * (`idSlug`) instead of a misleading part of its name.
 */
export function slugFromName(displayName: string): string | null {
  const folded = displayName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x00-\x7f]/g, (c) => LATIN_LETTERS[c] ?? c);
  if (/[^\x00-\x7f]/.test(folded.replace(/[^\p{L}\p{N}]/gu, ''))) return null;
  const slug = folded
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_DERIVED_SLUG)
    .replace(/^-+|-+$/g, '');
  return slug || null;
}

/** The slug of a channel whose name gives none: `c-` and 8 hex digits of its id (the random end of a UUIDv7). */
export function idSlug(channelId: string): string {
  return `c-${channelId
    .replace(/[^0-9a-f]/gi, '')
    .slice(-8)
    .toLowerCase()}`;
}
