import { describe, expect, it } from 'vitest';
import { compareJson, compareText, matchesShape, parseJsonValues } from './match.ts';

describe('matchesShape', () => {
  it.each([
    ['01a1fd3e-31ec-…', '01a24bbf-8b12-7d53-829d-620c12d31fe3'],
    ['01a1fd3e-3235-7346-9dd5-4a04b5c8a40f', '01a24bbf-8b12-7d53-829d-620c12d31fe3'],
    ['dm-01a1fd3e-6a10-…', 'dm-01a24bbf-da38-7861-b327-907e6f792bc4'],
    ['sb_cFdRvc4udFZMvU4lAGTYRrJ86PTDVdu1zxKfoLKJvjA', 'sb_h7Gdu0zsq2uEkH0f7l8yEQeTaXMzzzGpSd7ELTpQjvw'],
    [
      'reset_Fk1d0dY7v4c3kZrjQ3sCz1H0q8o5aVXSJQw9nOe2mTk',
      'reset_zBehp_na0vtk5wmW9XWmB4xaUSNUPfkMWQho3SHK3kE',
    ],
    ['expires 2027-02-19T08:36:36.682Z', 'expires 2027-03-06T14:25:39.933Z'],
    ['"time":1795250065988,', '"time":1796567173455,'],
    ['"time":1795250065,', '"time":1796567173,'],
    ['2d6abe004e11f28c', '83cb78260961f0b7'],
    ['password: …', 'password: rX-yFyGLWo0GQMHpdOSXwzOS'],
    ['(known: SWITCHBOARD_PORT, …)', '(known: SWITCHBOARD_PORT, SWITCHBOARD_HOST)'],
  ])('%j matches %j', (sample, actual) => {
    expect(matchesShape(sample, actual)).toBe(true);
  });

  it.each([
    ['01a1fd3e-31ec-…', 'not-an-id'],
    ['sb_cFdRvc4udFZMvU4lAGTYRrJ86PTDVdu1zxKfoLKJvjA', 'inv_h7Gdu0zsq2uEkH0f7l8yEQeTaXMzzzGpSd7ELTpQjvw'],
    ['reset_Fk1d0dY7v4c3kZrjQ3sCz1H0q8o5aVXSJQw9nOe2mTk', 'inv_h7Gdu0zsq2uEkH0f7l8yEQeTaXMzzzGpSd7ELTpQjvw'],
    ['sb_cFdRvc4udFZMvU4lAGTYRrJ86PTDVdu1zxKfoLKJvjA', 'sb_short'],
    ['general', 'generals'],
    ['a.b', 'axb'],
    ['created admin alice (id 01a1fd40-…)', 'created user alice (id 01a24bbf-023c-73d7-b40f-c9f835537b22)'],
  ])('%j does not match %j', (sample, actual) => {
    expect(matchesShape(sample, actual)).toBe(false);
  });
});

describe('compareJson', () => {
  it('accepts the same fields with values of the right shape, in any order', () => {
    expect(
      compareJson(
        { id: '01a1fd3e-31ec-…', n: 1, at: 1795250074103, ok: true, none: null, list: ['x'] },
        {
          list: ['x'],
          none: null,
          ok: true,
          at: 1796567173455,
          n: 1,
          id: '01a24bbf-8b12-7d53-829d-620c12d31fe3',
        },
      ),
    ).toEqual([]);
  });

  it('names every field that differs, is missing, or is not in the page', () => {
    expect(
      compareJson(
        { user: { name: 'admin', seq: 1, at: 1795250074103, gone: 'x' }, list: [1, 2] },
        { user: { name: 'root', seq: 2, at: null, extra: false }, list: [1] },
      ),
    ).toEqual([
      { where: '$.user.extra', expected: '(not in the page)', actual: 'false' },
      { where: '$.user.name', expected: '"admin"', actual: '"root"' },
      { where: '$.user.seq', expected: '1', actual: '2' },
      { where: '$.user.at', expected: '1795250074103', actual: 'null' },
      { where: '$.user.gone', expected: '"x"', actual: '(missing)' },
      { where: '$.list.length', expected: '2', actual: '1' },
    ]);
  });
});

describe('compareText', () => {
  it('compares line by line, whatever the horizontal space, ignoring trailing blank lines', () => {
    expect(compareText('a\tb  c\n\n', 'a b c\n')).toEqual([]);
    expect(compareText('one\ntwo\n', 'one\n')).toEqual([
      { where: 'line 2', expected: 'two', actual: '(no line)' },
    ]);
  });
});

describe('parseJsonValues', () => {
  it('reads values one after another, strings with brackets included', () => {
    expect(parseJsonValues('{"a":"}{"}\n[1,{"b":[2]}] 3 "x" null\n')).toEqual([
      { a: '}{' },
      [1, { b: [2] }],
      3,
      'x',
      null,
    ]);
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseJsonValues('204\nnot json')).toThrow();
  });
});
