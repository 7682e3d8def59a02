// The batcher: what the UI is told within a few milliseconds arrives as one event per channel, each
// message once in its latest state, in display order.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../tests/support/clock.ts';
import { EventBatcher } from './batch.ts';
import type { SessionEvents } from './contract.ts';
import { displayKey, queuedMessage, sentMessage } from './display.ts';
import { stored } from '../../../tests/support/fixtures.ts';

function batcher() {
  const time = manualClock();
  const told: SessionEvents['messages'][] = [];
  let channelLists = 0;
  const batch = new EventBatcher(
    { messages: (payload) => told.push(payload), channels: () => (channelLists += 1) },
    time.clock,
  );
  return { batch, time, told, channelLists: () => channelLists };
}

const pending = queuedMessage(
  { clientId: 'k1', channelId: 'c1', text: 'hi', queuedAt: 5, state: 'pending' },
  'me',
);

describe('EventBatcher', () => {
  it('tells nothing until its time, then one event per channel with each message once, latest first', () => {
    const { batch, time, told, channelLists } = batcher();
    batch.upsert('c1', [sentMessage(stored({ clientId: 'b', seq: 2 }))]);
    batch.upsert('c1', [sentMessage(stored({ clientId: 'a', seq: 1 }))]);
    batch.upsert('c1', [sentMessage(stored({ clientId: 'b', seq: 2, changeSeq: 3, text: 'edited' }))]);
    batch.upsert('c2', [pending]);
    batch.channelList();
    batch.channelList();
    time.advance(9);
    expect(told).toEqual([]);
    time.advance(1);
    expect(channelLists()).toBe(1);
    expect(told.map((e) => [e.channelId, e.messages.map((m) => m.text)])).toEqual([
      ['c1', ['a', 'edited']],
      ['c2', ['hi']],
    ]);
    expect(time.pending()).toBe(0);
  });

  it('lets a stored copy take its queued message’s place, and tells removals by key', () => {
    const { batch, told } = batcher();
    batch.upsert('c1', [pending]);
    batch.remove('c1', [displayKey(pending)]);
    batch.upsert('c1', [sentMessage(stored({ clientId: 'k1', authorId: 'me', text: 'hi' }))]);
    batch.upsert('c1', [queuedMessage({ ...pending, clientId: 'k2', queuedAt: 6, state: 'failed' }, 'me')]);
    batch.remove('c1', [displayKey({ authorId: 'me', clientId: 'k2' })]);
    batch.flush();
    expect(told).toEqual([
      {
        channelId: 'c1',
        messages: [expect.objectContaining({ clientId: 'k1', delivery: 'sent' })],
        removed: ['me/k2'],
      },
    ]);
  });

  it('replaces everything on a reset, and drops what waits on clear', () => {
    const { batch, time, told } = batcher();
    batch.upsert('c1', [sentMessage(stored({ clientId: 'old' }))]);
    batch.reset('c1', [sentMessage(stored({ clientId: 'new', seq: 90 }))]);
    batch.remove('c1', ['u-other/gone']);
    batch.flush();
    expect(told).toEqual([
      { channelId: 'c1', messages: [expect.objectContaining({ clientId: 'new' })], reset: true },
    ]);

    batch.upsert('c1', [pending]);
    batch.clear();
    time.advance(1_000);
    expect(told).toHaveLength(1);
  });
});
