import { describe, expect, it } from 'vitest';
import { mentionedUsernames, mentionsIn } from './mentions.ts';

describe('mentions', () => {
  it('reads @names at word starts, in order, without a sentence-ending dot', () => {
    expect(mentionsIn('@alice, ask @o.brien. or @bob')).toEqual([
      { name: 'alice', index: 0 },
      { name: 'o.brien', index: 12 },
      { name: 'bob', index: 25 },
    ]);
    expect(mentionedUsernames('@bob @alice @bob')).toEqual(['bob', 'alice']);
  });

  it('is no mention inside an address or a word, nor with capitals usernames cannot have', () => {
    expect(mentionedUsernames('mail@bob.example x-@bob _@bob @@bob @Bob')).toEqual([]);
  });
});
