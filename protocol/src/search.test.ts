import { describe, expect, it } from 'vitest';
import {
  dayBounds,
  formatSearchQuery,
  formatSearchTerms,
  matchRanges,
  parseSearchQuery,
  utcDayStart,
} from './search.ts';

describe('parseSearchQuery', () => {
  it('reads words, phrases and every operator', () => {
    expect(
      parseSearchQuery('deploy "build failed" in:#ops from:@alice before:2026-12-01 after:2026-1-5 has:file'),
    ).toEqual({
      terms: [
        { text: 'deploy', phrase: false },
        { text: 'build failed', phrase: true },
      ],
      channel: 'ops',
      from: 'alice',
      before: { year: 2026, month: 12, day: 1 },
      after: { year: 2026, month: 1, day: 5 },
      hasFile: true,
      notes: [],
    });
  });

  it('takes operators without their sigils, in any case, with quoted values', () => {
    const parsed = parseSearchQuery('IN:ops From:alice in:"#ops"');
    expect(parsed).toMatchObject({ channel: 'ops', from: 'alice', terms: [] });
    expect(parsed.notes).toEqual([{ kind: 'repeated-operator', operator: 'in' }]);
  });

  it('searches what it cannot read as an operator as text, and says why', () => {
    const parsed = parseSearchQuery('colour:red before:2026-02-30 has:link in: "in:ops" https://x.test');
    expect(parsed.terms).toEqual([
      { text: 'colour:red', phrase: false },
      { text: 'in:ops', phrase: true },
      { text: 'https://x.test', phrase: false },
    ]);
    expect(parsed.notes).toEqual([
      { kind: 'unknown-operator', operator: 'colour' },
      { kind: 'bad-date', operator: 'before', value: '2026-02-30' },
      { kind: 'bad-has', value: 'link' },
      { kind: 'empty-operator', operator: 'in' },
    ]);
    expect(parsed.before).toBeUndefined();
  });

  it('runs an unclosed quote to the end and keeps Korean as it is', () => {
    expect(parseSearchQuery('서버 "점검 일정').terms).toEqual([
      { text: '서버', phrase: false },
      { text: '점검 일정', phrase: true },
    ]);
    expect(parseSearchQuery('   ').terms).toEqual([]);
  });

  it('formats a whole query back into text that parses the same', () => {
    const parsed = parseSearchQuery(
      'deploy "build failed" in:#ops from:@al before:2026-1-2 after:2025-12-31 has:file',
    );
    const { notes: _notes, ...rest } = parsed;
    expect(parseSearchQuery(formatSearchQuery(rest))).toEqual(parsed);
  });

  it('formats terms back into a q that parses to the same terms', () => {
    const terms = parseSearchQuery('deploy "build failed" "in:ops" 서버').terms;
    expect(parseSearchQuery(formatSearchTerms(terms)).terms).toEqual(terms);
  });
});

describe('dayBounds', () => {
  it('before is the start of the day, after the end of it', () => {
    const day = { year: 2026, month: 12, day: 1 };
    expect(dayBounds({ before: day, after: day }, utcDayStart)).toEqual({
      before: Date.UTC(2026, 11, 1),
      after: Date.UTC(2026, 11, 2) - 1,
    });
  });
});

describe('matchRanges', () => {
  it('finds every occurrence of every term, ignoring case, merged and in order', () => {
    const terms = [
      { text: 'Deploy', phrase: false },
      { text: 'ploy', phrase: false },
      { text: '서버', phrase: false },
    ];
    expect(matchRanges('deploy 서버 and DEPLOY', terms)).toEqual([
      [0, 6],
      [7, 9],
      [14, 20],
    ]);
    expect(matchRanges('nothing here', terms)).toEqual([]);
    expect(matchRanges('text', [{ text: ' ', phrase: false }])).toEqual([]);
  });
});
