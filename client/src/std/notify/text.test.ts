import { describe, expect, it } from 'vitest';
import type { SessionNotification } from '../contract.ts';
import { ENGLISH_NOTIFICATION_STRINGS, notificationText } from './text.ts';

const base: SessionNotification = {
  id: 'm1',
  channelId: 'c1',
  conversation: '#ops',
  reason: 'message',
  messageId: 'm1',
  seq: 4,
  lastSeq: 4,
  author: { id: 'u1', name: 'Bob' },
  preview: 'deploy done',
  hidden: false,
  summary: false,
  count: 1,
  silent: false,
  ts: 0,
};

describe('what a notification says', () => {
  it.each<[string, Partial<SessionNotification>, { title: string; body: string }]>([
    ['a channel message', {}, { title: '#ops', body: 'Bob: deploy done' }],
    ['a mention', { reason: 'mention' }, { title: '#ops', body: 'Bob: deploy done' }],
    ['a direct message', { reason: 'direct', conversation: 'Bob' }, { title: 'Bob', body: 'deploy done' }],
    [
      'a summary',
      { summary: true, count: 12, preview: null, author: null },
      { title: '#ops', body: '12 new messages in #ops' },
    ],
    ['hidden', { hidden: true, preview: null }, { title: 'Switchboard', body: 'You have a new message' }],
    [
      'a hidden summary',
      { hidden: true, summary: true, count: 3, preview: null },
      { title: 'Switchboard', body: 'You have 3 new messages' },
    ],
  ])('%s', (_name, changes, expected) => {
    expect(notificationText({ ...base, ...changes }, ENGLISH_NOTIFICATION_STRINGS)).toEqual(expected);
  });
});
