// The display rules: one key across a message's life, one order, and the view that keeps them.
import { describe, expect, it } from 'vitest';
import { stored } from '../../../tests/support/fixtures.ts';
import { displayKey, displayOrder, MessageView, queuedMessage, sentMessage } from './display.ts';

const queued = (clientId: string, queuedAt: number, state: 'pending' | 'failed' = 'pending') =>
  queuedMessage({ clientId, channelId: 'c1', text: clientId, queuedAt, state }, 'u-me');

describe('display', () => {
  it('gives a queued message and its stored copy the same key, and nobody else’s', () => {
    const mine = queued('k1', 5);
    expect(mine).toMatchObject({ id: 'k1', seq: 0, changeSeq: 0, authorId: 'u-me', delivery: 'pending' });
    expect(displayKey(sentMessage(stored({ clientId: 'k1', authorId: 'u-me' })))).toBe(displayKey(mine));
    expect(displayKey(sentMessage(stored({ clientId: 'k1', authorId: 'u-other' })))).not.toBe(
      displayKey(mine),
    );
  });

  it('orders stored messages by seq, then queued ones as they were queued', () => {
    const list = [
      queued('late', 9),
      sentMessage(stored({ clientId: 'b', seq: 2 })),
      queued('early', 3, 'failed'),
      sentMessage(stored({ clientId: 'a', seq: 1 })),
    ].sort(displayOrder);
    expect(list.map((m) => m.clientId)).toEqual(['a', 'b', 'early', 'late']);
  });

  it('keeps a view: latest change wins, a stored copy replaces its queued message, removal by key', () => {
    const view = new MessageView();
    view.upsert([
      sentMessage(stored({ clientId: 'a', seq: 1, changeSeq: 5, text: 'edited' })),
      queued('k1', 5),
    ]);
    view.upsert([sentMessage(stored({ clientId: 'a', seq: 1, changeSeq: 1, text: 'original' }))]);
    expect(view.list().map((m) => m.text)).toEqual(['edited', 'k1']);

    const first = view.list();
    expect(view.list()).toBe(first);
    view.upsert([sentMessage(stored({ clientId: 'k1', authorId: 'u-me', seq: 2 }))]);
    expect(view.list()).not.toBe(first);
    expect(view.list().map((m) => `${m.clientId}:${m.delivery}`)).toEqual(['a:sent', 'k1:sent']);

    view.remove([displayKey({ authorId: 'u-other', clientId: 'a' })]);
    expect(view.list().map((m) => m.clientId)).toEqual(['k1']);
    view.clear();
    expect(view.list()).toEqual([]);
  });
});
