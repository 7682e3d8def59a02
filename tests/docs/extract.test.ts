import { describe, expect, it } from 'vitest';
import { extractExamples } from './extract.ts';

const page = (text: string) => extractExamples(text, 'page.md');

describe('extractExamples', () => {
  it('pairs a script with the json or text fence right after it, and only that one', () => {
    const { steps, shown } = page(
      [
        '# Title',
        '```sh',
        'curl -s $SB/healthz',
        '```',
        '',
        '```json',
        '{ "status": "ok" }',
        '```',
        '',
        'A shape, not an output:',
        '',
        '```json',
        '{ "id": "…" }',
        '```',
        '```yaml',
        'port: 1',
        '```',
      ].join('\n'),
    );
    expect(steps).toEqual([
      {
        kind: 'example',
        line: 2,
        heading: 'Title',
        commands: [
          {
            text: 'curl -s $SB/healthz\n',
            expected: { lang: 'json', text: '{ "status": "ok" }\n', line: 6 },
          },
        ],
        transcript: false,
        exit: 0,
      },
    ]);
    expect(shown).toEqual([
      { line: 12, lang: 'json' },
      { line: 15, lang: 'yaml' },
    ]);
  });

  it('reads skip, exit and file directives from the comment right before a fence', () => {
    const { steps } = page(
      [
        '<!-- doc-test: skip — needs systemd; and root -->',
        '```sh',
        'sudo systemctl start x',
        '```',
        '<!-- doc-test: exit 1 -->',
        '```console',
        '$ switchboard-server --port abc',
        'error [validation_failed]: …',
        '$ a \\',
        '  b',
        '```',
        '<!-- doc-test: file -->',
        '```yaml',
        '# /etc/switchboard/switchboard.yaml',
        'port: 8080',
        '```',
      ].join('\n'),
    );
    expect(steps[0]).toMatchObject({ skip: 'needs systemd; and root', line: 2 });
    expect(steps[1]).toMatchObject({
      transcript: true,
      exit: 1,
      commands: [
        {
          text: 'switchboard-server --port abc',
          expected: { text: 'error [validation_failed]: …\n', line: 7 },
        },
        { text: 'a \\\n  b', expected: { text: '', line: 9 } },
      ],
    });
    expect(steps[2]).toEqual({
      kind: 'file',
      line: 13,
      path: '/etc/switchboard/switchboard.yaml',
      content: '# /etc/switchboard/switchboard.yaml\nport: 8080\n',
    });
  });

  it.each([
    ['an unknown directive', '<!-- doc-test: maybe -->\n```sh\nx\n```', /unknown doc-test directive "maybe"/],
    [
      'a directive far from its fence',
      '<!-- doc-test: exit 1 -->\n\nSome text.\n\n```sh\nx\n```',
      /not followed by a fence/,
    ],
    ['a fence without a language', '```\nnpm test\n```', /without a language/],
    [
      'a file fence without its path',
      '<!-- doc-test: file -->\n```yaml\nport: 1\n```',
      /starts with "# \/absolute\/path"/,
    ],
  ])('refuses %s, naming the line', (_what, text, message) => {
    expect(() => page(text)).toThrow(message);
  });
});
