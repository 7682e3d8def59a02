import { describe, expect, it } from 'vitest';
import { clip, plainText, preview, PREVIEW_LENGTH } from './preview.ts';

describe('notification previews', () => {
  it.each([
    ['**bold** and _italic_ and ~~gone~~', 'bold and italic and gone'],
    ['a [link](https://example.org) here', 'a link here'],
    ['`npm test` passed', 'npm test passed'],
    ['# Heading\n\n- one\n- two', 'Heading one two'],
    ['> quoted\nreply', 'quoted reply'],
    ['```\nconst a = 1;\n```', 'const a = 1;'],
    ['deploy done :tada:', 'deploy done 🎉'],
    ['<b>not html</b>', '<b>not html</b>'],
    ['   lots\n\n\n  of   space  ', 'lots of space'],
    ['@alice look', '@alice look'],
  ])('%j → %j', (markdown, text) => {
    expect(plainText(markdown)).toBe(text);
  });

  it('cuts long text with an ellipsis, never inside a surrogate pair', () => {
    const long = 'word '.repeat(100);
    const cut = preview(long);
    expect(Array.from(cut)).toHaveLength(PREVIEW_LENGTH);
    expect(cut.endsWith('…')).toBe(true);
    const emoji = '😀'.repeat(200);
    const clipped = clip(emoji, 10);
    expect(Array.from(clipped)).toEqual([...'😀'.repeat(9), '…']);
    expect(clip('short')).toBe('short');
  });
});
