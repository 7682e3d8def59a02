// A message as one line of plain text, for a notification: the markdown parsed with the library the
// UI renders it with (markdown-it, emoji shortcodes as the UI shows them), markup dropped, whitespace
// folded, and cut to a length a notification can show.
import MarkdownIt, { type Token } from 'markdown-it';
import { emojify } from 'node-emoji';

/** Characters (code points) a preview keeps; a longer text ends in "…". */
export const PREVIEW_LENGTH = 140;

const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });

function inlineText(children: readonly Token[]): string {
  return children
    .map((token) => {
      if (token.type === 'text' || token.type === 'code_inline') return token.content;
      if (token.type === 'softbreak' || token.type === 'hardbreak') return ' ';
      if (token.type === 'image') return inlineText(token.children ?? []);
      return '';
    })
    .join('');
}

/** The text a person reads in `markdown`, on one line. */
export function plainText(markdown: string): string {
  const parts: string[] = [];
  for (const token of md.parse(markdown, {})) {
    if (token.type === 'inline') parts.push(inlineText(token.children ?? []));
    else if (token.type === 'fence' || token.type === 'code_block') parts.push(token.content);
  }
  return emojify(parts.join(' ')).replace(/\s+/g, ' ').trim();
}

/** `text` cut to `max` code points (never inside a surrogate pair), with "…" when it was longer. */
export function clip(text: string, max = PREVIEW_LENGTH): string {
  const points = Array.from(text);
  return points.length <= max
    ? text
    : `${points
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** The preview of a message's text. */
export function preview(markdown: string): string {
  return clip(plainText(markdown));
}
