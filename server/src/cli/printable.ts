// What the CLI prints comes partly from the database, which users fill over the API (token labels,
// names): it is escaped so stored text can never move the cursor, recolour or retitle the terminal,
// ring it, reorder what it shows, or forge a line of output.

/** C0/C1 controls, lone surrogates, bidirectional controls, and line/paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

/**
 * `text` with every unprintable character written as a `\uXXXX` escape. The escapes are valid inside
 * JSON strings too, so JSON output can pass through it and stay valid JSON.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Indented JSON for the terminal: its own line breaks stay, strings are escaped as `printable` does. */
export function printableJson(value: unknown): string {
  // JSON.stringify escapes line breaks inside strings, so every raw one is the indentation's.
  return JSON.stringify(value, null, 2).split('\n').map(printable).join('\n');
}
