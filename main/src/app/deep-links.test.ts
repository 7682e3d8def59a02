import { describe, expect, it } from 'vitest';
import { deepLinkIn, parseDeepLink } from './deep-links.ts';

describe('parseDeepLink', () => {
  it.each([
    [
      'switchboard://open?server=https%3A%2F%2Fchat.example.org&channel=ch_1',
      { action: 'open', server: 'https://chat.example.org', channel: 'ch_1' },
    ],
    [
      'switchboard://open/?server=http://127.0.0.1:8080&channel=abc',
      { action: 'open', server: 'http://127.0.0.1:8080', channel: 'abc' },
    ],
    [
      'switchboard://open?server=https://chat.example.org&channel=c1&message=m9',
      { action: 'open', server: 'https://chat.example.org', channel: 'c1', message: 'm9' },
    ],
    [
      'switchboard://join?server=https://chat.example.org&invite=INV-42',
      { action: 'join', server: 'https://chat.example.org', invite: 'INV-42' },
    ],
  ])('accepts %s', (link, target) => {
    expect(parseDeepLink(link)).toEqual({ ok: true, target });
  });

  it.each([
    ['https://chat.example.org', 'not a switchboard: link'],
    ['switchboard://delete?server=https://a.org&channel=x', 'action'],
    ['switchboard://open?server=file:///etc/passwd&channel=x', 'server'],
    ['switchboard://open?server=javascript:alert(1)&channel=x', 'server'],
    ['switchboard://open?server=https://a.org', 'channel'],
    ['switchboard://open?server=https://a.org&channel=', 'channel'],
    ['switchboard://open?server=https://a.org&channel=x&extra=1', 'extra'],
    ['switchboard://open?server=https://a.org&channel=x&message=', 'message'],
    ['switchboard://join?server=https://a.org&invite=x&message=m', 'message'],
    ['switchboard://open?server=https://a.org&channel=x&channel=y', 'given twice'],
    ['switchboard://open/some/path?server=https://a.org&channel=x', 'unexpected path'],
    ['switchboard://join?server=https://a.org&invite=' + 'x'.repeat(300), 'invite'],
    ['not a url', 'not a URL'],
    ['switchboard://open?' + 'a'.repeat(5000), 'too long'],
  ])('refuses %s', (link, reason) => {
    const result = parseDeepLink(link);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('deepLinkIn', () => {
  it('finds the link among the arguments Windows and Linux start the app with', () => {
    expect(deepLinkIn(['/opt/Switchboard/switchboard', '--no-sandbox', 'switchboard://open?x=1'])).toBe(
      'switchboard://open?x=1',
    );
    expect(deepLinkIn(['/opt/Switchboard/switchboard', '--original-process-start-time=1'])).toBeUndefined();
  });
});
