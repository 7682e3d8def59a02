import { describe, expect, it } from 'vitest';
import { channelSummary } from '../../tests/support/fixtures.ts';
import {
  formatClockTime,
  formatDay,
  formatFullDate,
  formatTime,
  serverInitials,
  totalUnread,
  unreadText,
} from './format.ts';

const ts = Date.UTC(2026, 2, 14, 15, 9);
const t = ((key: string) => key) as Parameters<typeof formatDay>[2];

describe('date formatting', () => {
  it('formats in each language as Intl does, also when languages alternate (formatters are kept)', () => {
    for (const language of ['en-US', 'ko', 'en-US', 'ko']) {
      expect(formatTime(ts, language)).toBe(
        new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit' }).format(ts),
      );
      expect(formatFullDate(ts, language)).toBe(
        new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'short' }).format(ts),
      );
    }
  });

  it('names the day, with the year only when it is not this one', () => {
    const now = Date.UTC(2026, 5, 1, 12);
    const long = { weekday: 'long', month: 'long', day: 'numeric' } as const;
    expect(formatDay(ts, 'en-US', t, now)).toBe(new Intl.DateTimeFormat('en-US', long).format(ts));
    const lastYear = Date.UTC(2025, 2, 14, 15, 9);
    expect(formatDay(lastYear, 'en-US', t, now)).toBe(
      new Intl.DateTimeFormat('en-US', { ...long, year: 'numeric' }).format(lastYear),
    );
    expect(formatDay(now, 'en-US', t, now)).toBe('messages.today');
  });
});

describe('serverInitials', () => {
  it.each([
    ['chat.example.org', 'CH'],
    ['www.example.org', 'EX'],
    ['This computer', 'TC'],
    ['New server', 'NS'],
    ['127.0.0.1:8443', '43'],
    ['[::1]:41234', '34'],
  ])('%s → %s', (name, expected) => expect(serverInitials(name)).toBe(expected));
});

describe('the gutter time', () => {
  it('leaves out the day period, so it fits beside a message in every language', () => {
    expect(formatClockTime(ts, 'en-US')).toMatch(/^\d{1,2}:09$/);
    expect(formatClockTime(ts, 'ko')).toMatch(/^\d{1,2}:09$/);
  });
});

describe('unread counts', () => {
  it('show the server’s cap as "999+", alone and in the total', () => {
    expect(unreadText(7, false)).toBe('7');
    expect(unreadText(999, true)).toBe('999+');
    expect(totalUnread([])).toBeNull();
    expect(totalUnread([channelSummary('a'), channelSummary('b')])).toBeNull();
    expect(
      totalUnread([channelSummary('a', { unreadCount: 3 }), channelSummary('b', { unreadCount: 4 })]),
    ).toBe('7');
    expect(
      totalUnread([channelSummary('a', { unreadCount: 999, unreadCapped: true }), channelSummary('b')]),
    ).toBe('999+');
    expect(
      totalUnread([channelSummary('a', { unreadCount: 600 }), channelSummary('b', { unreadCount: 600 })]),
    ).toBe('999+');
  });

  it('count followed topics in the total', () => {
    expect(totalUnread([channelSummary('a', { unreadCount: 2 })], [{ unreadCount: 5 }])).toBe('7');
    expect(totalUnread([], [{ unreadCount: 1 }])).toBe('1');
    expect(totalUnread([], [{ unreadCount: 0 }])).toBeNull();
    expect(totalUnread([], [{ unreadCount: 998 }, { unreadCount: 2 }])).toBe('999+');
  });
});
