import { describe, expect, it } from 'vitest';
import { renderMarkdown, type MessageRenderContext } from './render.ts';

/** A message that mentions these three, as its stored mentions say. */
const ctx: MessageRenderContext = { mentioned: new Set(['alice', 'bob', 'o.brien']), self: 'alice' };
const render = (text: string) => renderMarkdown(text, ctx);

describe('renderMarkdown', () => {
  it('escapes raw HTML instead of passing it through', () => {
    for (const payload of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<svg onload=alert(1)>',
      '<iframe src="https://example.com"></iframe>',
      '<a href="https://example.com" onclick="alert(1)">x</a>',
      '<style>*{display:none}</style>',
    ]) {
      const html = render(payload);
      // What is left are paragraphs and (linkified, safe) links; no tag carries a handler.
      const tags = [...html.matchAll(/<(\w+)([^>]*)>/g)];
      expect(
        tags.map((t) => t[1]).filter((name) => name !== 'p' && name !== 'a'),
        payload,
      ).toEqual([]);
      expect(
        tags.filter((t) => /\son\w+=/i.test(t[2]!)),
        payload,
      ).toEqual([]);
      expect(html).toContain('&lt;');
    }
  });

  it('keeps only http, https and mailto links, opening outside without opener or referrer', () => {
    expect(render('[x](https://example.com/a)')).toBe(
      '<p><a href="https://example.com/a" target="_blank" rel="noopener noreferrer">x</a></p>\n',
    );
    expect(render('<mailto:ops@example.com>')).toContain('href="mailto:ops@example.com"');
    for (const bad of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      '/relative',
    ]) {
      expect(render(`[x](${bad})`), bad).not.toContain('<a');
    }
    expect(render('<javascript:alert(1)>')).not.toContain('<a');
  });

  it('turns bare addresses into links', () => {
    expect(render('see https://example.com/docs.')).toContain('<a href="https://example.com/docs"');
  });

  it('never renders images', () => {
    expect(render('![alt](https://example.com/x.png)')).not.toContain('<img');
  });

  it('renders code blocks and inline code escaped, without emoji or mentions inside', () => {
    expect(render('```\n<b>:tada: @bob</b>\n```')).toBe(
      '<pre><code>&lt;b&gt;:tada: @bob&lt;/b&gt;\n</code></pre>\n',
    );
    expect(render('`:tada:`')).toBe('<p><code>:tada:</code></p>\n');
  });

  it('replaces emoji shortcodes in text', () => {
    expect(render('ship it :tada:')).toBe('<p>ship it 🎉</p>\n');
    expect(render('not a code :no-such-emoji:')).toContain(':no-such-emoji:');
  });

  it('styles only the names the message mentions, as stored: a user who exists now but was not mentioned is text', () => {
    const before = { mentioned: new Set<string>(), self: 'alice' };
    // Sent before bob existed: the server stored no mention, so none is styled, now that he exists or not.
    expect(renderMarkdown('ask @bob', before)).toBe('<p>ask @bob</p>\n');
    expect(renderMarkdown('ask @bob', { mentioned: new Set(['bob']), self: 'alice' })).toBe(
      '<p>ask <span class="mention">@bob</span></p>\n',
    );
    // The server's rule for what is a name: usernames are lower case, and a hyphen before @ is part of a word.
    for (const text of ['ask @Bob', 'ask x-@bob'])
      expect(renderMarkdown(text, { mentioned: new Set(['bob']), self: 'alice' })).not.toContain('mention');
  });

  it('highlights mentions of existing users, the reader differently', () => {
    expect(render('hi @bob and @alice')).toBe(
      '<p>hi <span class="mention">@bob</span> and <span class="mention mention-self">@alice</span></p>\n',
    );
    expect(render('@o.brien.')).toBe('<p><span class="mention">@o.brien</span>.</p>\n');
    expect(render('@nobody and mail@bob.example')).not.toContain('mention');
    expect(render('[@bob](https://example.com)')).not.toContain('class="mention"');
  });

  it('keeps line breaks', () => {
    expect(render('one\ntwo')).toBe('<p>one<br>\ntwo</p>\n');
  });
});
