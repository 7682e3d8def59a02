// The notification rules as tables: preference × per-conversation mute and override × keywords ×
// do-not-disturb × quiet hours (time zones, a window across midnight) × what is on screen × own
// message × read elsewhere. The catch-up summary's rules are in session/notifications.test.ts.
import { describe, expect, it } from 'vitest';
import type { ChannelSummary, Preferences } from '@switchboard/protocol';
import {
  decide,
  decideTopic,
  dndUntil,
  inQuietHours,
  matchesKeyword,
  minuteOfDay,
  NOTHING_ON_SCREEN,
  reasonFor,
  silenced,
  unreadTotals,
  type Candidate,
  type Decision,
  type OnScreen,
} from './rules.ts';

/** 2026-01-15 12:00 UTC, a Thursday in winter (no daylight saving in Europe or the US). */
const NOON_UTC = Date.UTC(2026, 0, 15, 12, 0);
const at = (hour: number, minute = 0) => Date.UTC(2026, 0, 15, hour, minute);

const message = (changes: Partial<Candidate> = {}): Candidate => ({
  channelId: 'ops',
  direct: false,
  own: false,
  read: false,
  mentioned: false,
  keyword: false,
  ...changes,
});
const dm = (changes: Partial<Candidate> = {}) => message({ channelId: 'dm-bob', direct: true, ...changes });
const mention = (changes: Partial<Candidate> = {}) => message({ mentioned: true, ...changes });
const keyword = (changes: Partial<Candidate> = {}) => message({ keyword: true, ...changes });

const shown = (reason: string, silent = false): Decision => ({ notify: true, reason, silent }) as Decision;
const skipped = (because: string): Decision => ({ notify: false, because }) as Decision;

describe('decide', () => {
  type Row = [string, Candidate, Preferences, Decision, OnScreen?, number?];
  const rows: Row[] = [
    // The preference: all / mentions and direct messages (the default) / nothing.
    ['all: any message', message(), { notify: 'all' }, shown('message')],
    ['default (mentions): a plain message does not', message(), {}, skipped('level')],
    ['mentions: a plain message does not', message(), { notify: 'mentions' }, skipped('level')],
    ['mentions: a mention does', mention(), { notify: 'mentions' }, shown('mention')],
    ['mentions: a direct message does', dm(), { notify: 'mentions' }, shown('direct')],
    ['mentions: a keyword does', keyword(), { notify: 'mentions' }, shown('keyword')],
    ['none: not even a direct message', dm(), { notify: 'none' }, skipped('level')],
    ['none: not a mention', mention(), { notify: 'none' }, skipped('level')],
    ['none: not a keyword', keyword(), { notify: 'none' }, skipped('level')],
    ['a direct message that mentions: direct wins', dm({ mentioned: true }), {}, shown('direct')],
    ['a mention with a keyword: mention wins', mention({ keyword: true }), {}, shown('mention')],
    // Per conversation: mute, and an override of the level either way.
    ['muted: not a mention', mention(), { conversations: { ops: { muted: true } } }, skipped('muted')],
    ['muted: not a direct message', dm(), { conversations: { 'dm-bob': { muted: true } } }, skipped('muted')],
    [
      'muted elsewhere: this one still',
      mention(),
      { conversations: { dev: { muted: true } } },
      shown('mention'),
    ],
    [
      'override all over global none',
      message(),
      { notify: 'none', conversations: { ops: { notify: 'all' } } },
      shown('message'),
    ],
    [
      'override none over global all',
      mention(),
      { notify: 'all', conversations: { ops: { notify: 'none' } } },
      skipped('level'),
    ],
    [
      'override mentions over global all',
      message(),
      { notify: 'all', conversations: { ops: { notify: 'mentions' } } },
      skipped('level'),
    ],
    [
      'muted beats an override',
      message(),
      { conversations: { ops: { muted: true, notify: 'all' } } },
      skipped('muted'),
    ],
    // Facts come first: own messages, read elsewhere, on screen.
    ['own message, even with all', message({ own: true }), { notify: 'all' }, skipped('own')],
    ['own direct message', dm({ own: true }), {}, skipped('own')],
    ['read on another device', mention({ read: true }), {}, skipped('read')],
    ['read elsewhere, in a direct conversation', dm({ read: true }), { notify: 'all' }, skipped('read')],
    [
      'on screen in a focused window',
      mention(),
      {},
      skipped('on-screen'),
      { channelId: 'ops', focused: true },
    ],
    ['on screen, window not focused', mention(), {}, shown('mention'), { channelId: 'ops', focused: false }],
    ['focused on another conversation', mention(), {}, shown('mention'), { channelId: 'dev', focused: true }],
    ['window closed (nothing on screen)', dm(), {}, shown('direct'), NOTHING_ON_SCREEN],
    // Do not disturb: until a time, or until turned off.
    ['DND until turned off', dm(), { dnd: { until: null } }, skipped('dnd')],
    ['DND until later', dm(), { dnd: { until: NOON_UTC + 60_000 } }, skipped('dnd')],
    ['DND that ended', dm(), { dnd: { until: NOON_UTC } }, shown('direct')],
    ['DND that ended earlier', mention(), { dnd: { until: NOON_UTC - 1 } }, shown('mention')],
    ['DND does not make a plain message notify', message(), { dnd: { until: NOON_UTC } }, skipped('level')],
    ['own message in DND: own', dm({ own: true }), { dnd: { until: null } }, skipped('own')],
    // Quiet hours, in the user's own time zone.
    [
      'quiet 11:00–13:00 UTC at 12:00 UTC',
      dm(),
      { quietHours: { from: '11:00', to: '13:00', timeZone: 'UTC' } },
      skipped('quiet-hours'),
    ],
    [
      'quiet 11:00–13:00 Berlin at 12:00 UTC (13:00 there: over)',
      dm(),
      { quietHours: { from: '11:00', to: '13:00', timeZone: 'Europe/Berlin' } },
      shown('direct'),
    ],
    [
      'quiet 22:00–08:00 New York at 12:00 UTC (07:00 there)',
      dm(),
      { quietHours: { from: '22:00', to: '08:00', timeZone: 'America/New_York' } },
      skipped('quiet-hours'),
    ],
    [
      'quiet 22:00–07:00 New York at 12:00 UTC (07:00 there: over)',
      dm(),
      { quietHours: { from: '22:00', to: '07:00', timeZone: 'America/New_York' } },
      shown('direct'),
    ],
    [
      'quiet 20:00–23:00 Seoul at 12:00 UTC (21:00 there)',
      mention(),
      { quietHours: { from: '20:00', to: '23:00', timeZone: 'Asia/Seoul' } },
      skipped('quiet-hours'),
    ],
    // Sound.
    ['sound off: silent', mention(), { notifySound: false }, shown('mention', true)],
    ['sound on', mention(), { notifySound: true }, shown('mention', false)],
    // Mute and the level come before time: a muted conversation says muted, even in DND.
    [
      'muted in DND says muted',
      dm(),
      { dnd: { until: null }, conversations: { 'dm-bob': { muted: true } } },
      skipped('muted'),
    ],
  ];

  it.each(rows)('%s', (_name, candidate, prefs, expected, onScreen = NOTHING_ON_SCREEN, now = NOON_UTC) => {
    expect(decide(candidate, prefs, now, onScreen)).toEqual(expected);
  });

  it('every combination of the rules gives an answer the table above predicts', () => {
    // The cross product, checked against the rules written out once more in plain words.
    const levels = [undefined, 'all', 'mentions', 'none'] as const;
    const kinds = [message(), dm(), mention(), keyword()];
    for (const level of levels)
      for (const override of [undefined, 'all', 'mentions', 'none'] as const)
        for (const muted of [false, true])
          for (const dnd of [false, true])
            for (const quiet of [false, true])
              for (const focused of [false, true])
                for (const own of [false, true])
                  for (const read of [false, true])
                    for (const kind of kinds) {
                      const candidate = { ...kind, own, read };
                      const conversation = {
                        ...(muted ? { muted: true } : {}),
                        ...(override ? { notify: override } : {}),
                      };
                      const prefs: Preferences = {
                        ...(level ? { notify: level } : {}),
                        ...(Object.keys(conversation).length
                          ? { conversations: { [candidate.channelId]: conversation } }
                          : {}),
                        ...(dnd ? { dnd: { until: null } } : {}),
                        ...(quiet ? { quietHours: { from: '11:00', to: '13:00', timeZone: 'UTC' } } : {}),
                      };
                      const onScreen = { channelId: candidate.channelId, focused };
                      const effective = override ?? level ?? 'mentions';
                      const reason = reasonFor(candidate);
                      const wanted =
                        !own &&
                        !read &&
                        !focused &&
                        !muted &&
                        effective !== 'none' &&
                        (effective === 'all' || reason !== 'message') &&
                        !dnd &&
                        !quiet;
                      expect(decide(candidate, prefs, NOON_UTC, onScreen).notify, JSON.stringify(prefs)).toBe(
                        wanted,
                      );
                    }
  });
});

describe('decideTopic', () => {
  const quiet: Preferences = { quietHours: { from: '11:00', to: '13:00', timeZone: 'UTC' } };
  const dnd: Preferences = { dnd: { until: null } };
  const topicOnScreen = (focused: boolean): OnScreen => ({ channelId: null, topic: 'backups', focused });
  const cases: [
    string,
    { priority: number; read?: boolean; muted?: boolean },
    Preferences,
    OnScreen,
    string,
  ][] = [
    ['priority 1 is only listed', { priority: 1 }, {}, NOTHING_ON_SCREEN, 'level'],
    ['priority 2 is only listed', { priority: 2 }, {}, NOTHING_ON_SCREEN, 'level'],
    [
      'priority 3 notifies at the level "mentions": no topic message names the user',
      { priority: 3 },
      { notify: 'mentions' },
      NOTHING_ON_SCREEN,
      'notify',
    ],
    ['the level "nothing" holds back 3', { priority: 3 }, { notify: 'none' }, NOTHING_ON_SCREEN, 'level'],
    ['the level "nothing" holds back 5 too', { priority: 5 }, { notify: 'none' }, NOTHING_ON_SCREEN, 'level'],
    ['muted holds back 3', { priority: 3, muted: true }, {}, NOTHING_ON_SCREEN, 'muted'],
    [
      'muted holds back 5, even at the level "all"',
      { priority: 5, muted: true },
      { notify: 'all' },
      NOTHING_ON_SCREEN,
      'muted',
    ],
    ['priority 4 notifies', { priority: 4 }, {}, NOTHING_ON_SCREEN, 'notify'],
    ['read elsewhere', { priority: 5, read: true }, {}, NOTHING_ON_SCREEN, 'read'],
    ['its view on screen, focused', { priority: 5 }, {}, topicOnScreen(true), 'on-screen'],
    ['its view on screen, window in the back', { priority: 3 }, {}, topicOnScreen(false), 'notify'],
    ['do not disturb holds back 4', { priority: 4 }, dnd, NOTHING_ON_SCREEN, 'dnd'],
    ['do not disturb lets 5 through', { priority: 5 }, dnd, NOTHING_ON_SCREEN, 'notify'],
    ['quiet hours hold back 3', { priority: 3 }, quiet, NOTHING_ON_SCREEN, 'quiet-hours'],
    ['quiet hours let 5 through', { priority: 5 }, quiet, NOTHING_ON_SCREEN, 'notify'],
  ];
  it.each(cases)('%s', (_name, { priority, read = false, muted = false }, prefs, onScreen, expected) => {
    const decision = decideTopic({ topic: 'backups', priority, read, muted }, prefs, NOON_UTC, onScreen);
    expect(decision.notify ? 'notify' : decision.because).toBe(expected);
  });

  it('is silent when sounds are off', () => {
    expect(
      decideTopic(
        { topic: 't', priority: 3, read: false, muted: false },
        { notifySound: false },
        NOON_UTC,
        NOTHING_ON_SCREEN,
      ),
    ).toEqual({ notify: true, reason: 'message', silent: true });
  });
});

describe('quiet hours', () => {
  const overnight = { from: '22:00', to: '07:00', timeZone: 'UTC' };
  it.each([
    ['21:59', at(21, 59), false],
    ['22:00', at(22, 0), true],
    ['23:59', at(23, 59), true],
    ['00:00', at(0, 0), true],
    ['06:59', at(6, 59), true],
    ['07:00', at(7, 0), false],
    ['12:00', at(12, 0), false],
  ])('22:00–07:00 UTC at %s: %s', (_label, now, quiet) => {
    expect(inQuietHours(overnight, now)).toBe(quiet);
  });

  it('follows the zone’s daylight saving time', () => {
    // 08:30 UTC is 09:30 in Berlin in winter (UTC+1) and 10:30 in summer (UTC+2).
    const window = { from: '09:00', to: '10:00', timeZone: 'Europe/Berlin' };
    expect(inQuietHours(window, Date.UTC(2026, 0, 15, 8, 30))).toBe(true);
    expect(inQuietHours(window, Date.UTC(2026, 6, 15, 8, 30))).toBe(false);
  });

  it('reads the wall clock of zones with odd offsets', () => {
    expect(minuteOfDay(at(12, 0), 'Asia/Kolkata')).toBe(17 * 60 + 30);
    expect(minuteOfDay(at(12, 0), 'Asia/Kathmandu')).toBe(17 * 60 + 45);
    expect(minuteOfDay(at(23, 30), 'UTC')).toBe(23 * 60 + 30);
  });

  it('do not disturb lasts an hour, until 09:00 tomorrow local time, or until turned off', () => {
    const now = new Date(2026, 0, 15, 22, 30).getTime();
    expect(dndUntil('hour', now)).toBe(now + 3_600_000);
    expect(dndUntil('tomorrow', now)).toBe(new Date(2026, 0, 16, 9, 0).getTime());
    expect(dndUntil('tomorrow', new Date(2026, 0, 31, 1, 0).getTime())).toBe(
      new Date(2026, 1, 1, 9, 0).getTime(),
    );
    expect(dndUntil('off', now)).toBeNull();
  });

  it('silenced() is DND or quiet hours', () => {
    expect(silenced({}, NOON_UTC)).toBe(false);
    expect(silenced({ dnd: { until: NOON_UTC + 1 } }, NOON_UTC)).toBe(true);
    expect(silenced({ quietHours: { from: '11:00', to: '12:30', timeZone: 'UTC' } }, NOON_UTC)).toBe(true);
  });
});

describe('keywords', () => {
  it.each([
    ['deploy is done', ['deploy'], true],
    ['DEPLOY is done', ['deploy'], true],
    ['redeploy is done', ['deploy'], false],
    ['deployment is done', ['deploy'], false],
    ['the deploy.', ['deploy'], true],
    ['#deploy', ['deploy'], true],
    ['on-call tonight', ['on-call'], true],
    ['nothing here', ['deploy', 'outage'], false],
    ['an outage in 서울', ['서울'], true],
    ['서울역', ['서울'], false],
    ['anything', [], false],
  ])('%j with %j: %s', (text, keywords, expected) => {
    expect(matchesKeyword(text, keywords)).toBe(expected);
  });
});

describe('unread totals', () => {
  const channel = (id: string, kind: ChannelSummary['kind'], unreadCount: number, mentionCount: number) =>
    ({ id, kind, unreadCount, mentionCount }) as ChannelSummary;

  it('counts every unread message, and mentions plus everything unread in direct conversations', () => {
    const channels = [
      channel('ops', 'public', 5, 1),
      channel('dm', 'direct', 2, 0),
      channel('x', 'private', 0, 0),
    ];
    expect(unreadTotals(channels, {})).toEqual({ unread: 7, mentions: 3 });
  });

  it('adds the unread messages of followed topics to the unread count, not to those for the user', () => {
    const channels = [channel('ops', 'public', 5, 1)];
    expect(
      unreadTotals(channels, {}, [
        { unreadCount: 3, muted: false },
        { unreadCount: 0, muted: false },
      ]),
    ).toEqual({ unread: 8, mentions: 1 });
  });

  it('leaves muted topics out, as muted conversations', () => {
    const channels = [channel('ops', 'public', 5, 1)];
    expect(
      unreadTotals(channels, {}, [
        { unreadCount: 3, muted: true },
        { unreadCount: 4, muted: false },
      ]),
    ).toEqual({ unread: 9, mentions: 1 });
  });

  it('leaves muted conversations out', () => {
    const channels = [channel('ops', 'public', 5, 1), channel('dm', 'direct', 2, 0)];
    expect(unreadTotals(channels, { conversations: { ops: { muted: true } } })).toEqual({
      unread: 2,
      mentions: 2,
    });
  });
});
