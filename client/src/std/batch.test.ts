// The batcher between the core and one UI: an idle UI gets each change at once; while it is busy,
// messages and channel lists gather — each message once, in its latest state — and go out when it
// says it is ready, or after MAX_WAIT_MS; other events go out at once, after what was waiting.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../tests/support/clock.ts';
import { channelSummary, stored } from '../../../tests/support/fixtures.ts';
import { EventBatcher, MAX_WAIT_MS } from './batch.ts';
import type { SessionEventName, SessionEvents } from './contract.ts';
import { displayKey, queuedMessage, sentMessage } from './display.ts';

function batcher() {
  const time = manualClock();
  const sent: { name: SessionEventName; payload: unknown }[] = [];
  const batch = new EventBatcher((name, payload) => sent.push({ name, payload }), time.clock);
  const messages = (channelId: string, list: ReturnType<typeof sentMessage>[], extra = {}) =>
    batch.push('messages', { channelId, messages: list, ...extra });
  const texts = () =>
    sent.map(({ name, payload }) =>
      name === 'messages'
        ? `${(payload as SessionEvents['messages']).channelId}:${(payload as SessionEvents['messages']).messages.map((m) => m.text).join(',')}`
        : name,
    );
  return { batch, time, sent, messages, texts };
}

const pending = queuedMessage(
  { clientId: 'k1', channelId: 'c1', text: 'hi', queuedAt: 5, state: 'pending' },
  'me',
);

describe('EventBatcher', () => {
  it('sends at once to a UI that is ready, then gathers until it says it handled what it got', () => {
    const { batch, messages, texts } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'a', seq: 1 }))]);
    expect(texts()).toEqual(['c1:a']);

    messages('c1', [sentMessage(stored({ clientId: 'c', seq: 3 }))]);
    messages('c1', [sentMessage(stored({ clientId: 'b', seq: 2 }))]);
    messages('c1', [sentMessage(stored({ clientId: 'c', seq: 3, changeSeq: 4, text: 'edited' }))]);
    messages('c2', [pending]);
    batch.push('channels', [channelSummary('old')]);
    batch.push('channels', [channelSummary('c1'), channelSummary('c2')]);
    expect(texts()).toEqual(['c1:a']);

    batch.ready(1);
    expect(texts()).toEqual(['c1:a', 'channels', 'c1:b,edited', 'c2:hi']);
    expect(texts()).toHaveLength(4);
    // Only the latest channel list went out.
    expect(texts().filter((t) => t === 'channels')).toHaveLength(1);
  });

  it('does not wait for ever on a UI that never says it is ready', () => {
    const { messages, texts, time } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'a' }))]);
    messages('c1', [sentMessage(stored({ clientId: 'b', seq: 2 }))]);
    time.advance(MAX_WAIT_MS - 1);
    expect(texts()).toEqual(['c1:a']);
    time.advance(1);
    expect(texts()).toEqual(['c1:a', 'c1:b']);
  });

  it('keeps the order of events: others go out after what was waiting', () => {
    const { batch, messages, texts } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'a' }))]);
    messages('c1', [sentMessage(stored({ clientId: 'b', seq: 2 }))]);
    batch.push('connection', { status: 'offline', reason: 'no network connection' });
    expect(texts()).toEqual(['c1:a', 'c1:b', 'connection']);
  });

  it('lets a stored copy take its queued message’s place, applies removals first, and a reset replaces all', () => {
    const { batch, messages, sent } = batcher();
    messages('c0', []); // the UI is busy from here on
    messages('c1', [pending]);
    messages('c1', [sentMessage(stored({ clientId: 'k1', authorId: 'me', text: 'hi' }))], {
      removed: [displayKey(pending)],
    });
    messages('c1', [
      queuedMessage({ clientId: 'k2', channelId: 'c1', text: 'x', queuedAt: 6, state: 'failed' }, 'me'),
    ]);
    messages('c1', [], { removed: ['me/k2'] });
    messages('c3', [sentMessage(stored({ clientId: 'old', channelId: 'c3' }))]);
    messages('c3', [sentMessage(stored({ clientId: 'new', channelId: 'c3', seq: 90 }))], { reset: true });
    batch.ready(1);
    expect(sent.slice(1).map((e) => e.payload)).toEqual([
      {
        channelId: 'c1',
        messages: [expect.objectContaining({ clientId: 'k1', delivery: 'sent' })],
        removed: ['me/k2'],
      },
      { channelId: 'c3', messages: [expect.objectContaining({ clientId: 'new' })], reset: true },
    ]);

    // A UI that went away: what waited is dropped.
    messages('c1', [pending]);
    messages('c1', [pending]);
    batch.clear();
    batch.ready(100);
    expect(sent).toHaveLength(3);
  });
});
