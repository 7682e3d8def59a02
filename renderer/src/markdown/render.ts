// Message text → safe HTML. markdown-it with raw HTML off escapes everything a sender types, so the
// output can be inserted as markup; on top of that: links only to http(s) and mailto, always opened
// outside the app, no images (they would fetch from anywhere), emoji shortcodes (of the emoji set
// reactions use too, protocol/src/emoji.ts) and @mentions.
import MarkdownIt, { type Token } from 'markdown-it';
import { mentionsIn } from '@switchboard/protocol';
import { emojifyShortcodes } from '@switchboard/protocol/emoji';

/** What a list of messages knows for all of them. */
export interface RenderContext {
  /** The reader's username: mentions of them stand out. */
  self: string | null;
}

/** One message's: the usernames it mentions, as the server stored them when it was sent. */
export interface MessageRenderContext extends RenderContext {
  /**
   * Only these `@name`s are styled as mentions: a name that was no user (or no member) when the
   * message was sent mentioned nobody, even if such a user exists now.
   */
  mentioned: ReadonlySet<string>;
}

const ALLOWED_LINK = /^(https?:|mailto:)/i;
const SHORTCODE = /:[a-z0-9_+-]+:/i;

type TokenCtor = new (type: string, tag: string, nesting: -1 | 0 | 1) => Token;

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image']);
md.validateLink = (url) => ALLOWED_LINK.test(url.trim());

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, idx, options);
};

md.renderer.rules.mention = (tokens, idx) => {
  const token = tokens[idx]!;
  const own = token.meta?.self === true ? ' mention-self' : '';
  return `<span class="mention${own}">@${md.utils.escapeHtml(token.content)}</span>`;
};

/** Splits one text token into text and mention tokens. */
function splitMentions(token: Token, ctx: MessageRenderContext, Ctor: TokenCtor): Token[] {
  const out: Token[] = [];
  const text = token.content;
  let last = 0;
  // The server's rule for what is a mention (protocol/src/mentions.ts), so both read the same names.
  for (const { name, index: start } of mentionsIn(text)) {
    if (!ctx.mentioned.has(name)) continue;
    if (start > last) out.push(textToken(text.slice(last, start), token, Ctor));
    const mention = new Ctor('mention', '', 0);
    mention.content = name;
    mention.meta = { self: name === ctx.self };
    out.push(mention);
    last = start + 1 + name.length;
  }
  if (out.length === 0) return [token];
  if (last < text.length) out.push(textToken(text.slice(last), token, Ctor));
  return out;
}

function textToken(content: string, like: Token, Ctor: TokenCtor): Token {
  const t = new Ctor('text', '', 0);
  t.content = content;
  t.level = like.level;
  return t;
}

md.core.ruler.push('switchboard_text', (state) => {
  const ctx = state.env as unknown as MessageRenderContext;
  const Ctor = state.Token as unknown as TokenCtor;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children: Token[] = [];
    let inLink = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') inLink += 1;
      if (token.type === 'link_close') inLink -= 1;
      if (token.type !== 'text') {
        children.push(token);
        continue;
      }
      if (SHORTCODE.test(token.content)) token.content = emojifyShortcodes(token.content);
      children.push(...(inLink > 0 ? [token] : splitMentions(token, ctx, Ctor)));
    }
    block.children = children;
  }
});

const cache = new Map<string, string>();
const CACHE_LIMIT = 2_000;

/** Renders message text; results are cached because virtualized rows re-render as they scroll. */
export function renderMarkdown(text: string, ctx: MessageRenderContext): string {
  const key = `${ctx.self ?? ''}\u0000${[...ctx.mentioned].sort().join(' ')}\u0000${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = md.render(text, { ...ctx });
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, html);
  return html;
}
