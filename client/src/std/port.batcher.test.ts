// The batcher between the core and one UI (port.ts): an idle UI gets each change at once; while it is busy,
// messages and channel lists gather — each message once, in its latest state — and go out when it
// says it is ready, or after MAX_WAIT_MS; other events go out at once, after what was waiting.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../tests/support/clock.ts';
import { channelSummary, stored } from '../../../tests/support/fixtures.ts';
import { EventBatcher, MAX_WAIT_MS, type OutgoingEvent } from './port.ts';
import type { SessionEventName, SessionEvents } from './contract.ts';
import { displayKey, queuedMessage, sentMessage } from './display.ts';

/** Lets the batcher finish the change under way (it looks at what gathered in a microtask). */
const changeDone = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function batcher() {
  const time = manualClock();
  const frames: OutgoingEvent[][] = [];
  const sent: { name: SessionEventName; payload: unknown }[] = [];
  const batch = new EventBatcher((events) => {
    frames.push(events);
    sent.push(...events);
  }, time.clock);
  const messages = (channelId: string, list: ReturnType<typeof sentMessage>[], extra = {}) =>
    batch.push('messages', { channelId, messages: list, ...extra });
  const texts = () =>
    sent.map(({ name, payload }) =>
      name === 'messages'
        ? `${(payload as SessionEvents['messages']).channelId}:${(payload as SessionEvents['messages']).messages.map((m) => m.text).join(',')}`
        : name,
    );
  return { batch, time, sent, frames, messages, texts };
}

const pending = queuedMessage(
  { clientId: 'k1', channelId: 'c1', text: 'hi', queuedAt: 5, state: 'pending' },
  'me',
);

describe('EventBatcher', () => {
  it('sends a change at once, in one frame, then gathers until the UI says it handled it', async () => {
    const { batch, messages, texts, frames } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'a', seq: 1 }))]);
    batch.push('channels', [channelSummary('c1')]);
    await changeDone();
    expect(texts()).toEqual(['channels', 'c1:a']);
    expect(frames).toHaveLength(1);

    messages('c1', [sentMessage(stored({ clientId: 'c', seq: 3 }))]);
    messages('c1', [sentMessage(stored({ clientId: 'b', seq: 2 }))]);
    messages('c1', [sentMessage(stored({ clientId: 'c', seq: 3, changeSeq: 4, text: 'edited' }))]);
    messages('c2', [pending]);
    batch.push('channels', [channelSummary('old')]);
    batch.push('channels', [channelSummary('c1'), channelSummary('c2')]);
    await changeDone();
    expect(frames).toHaveLength(1);

    batch.ready(1);
    expect(frames).toHaveLength(2);
    expect(texts().slice(2)).toEqual(['channels', 'c1:b,edited', 'c2:hi']);
    // Only the latest channel list went out.
    expect(frames[1]![0]!.payload).toHaveLength(2);
  });

  it('does not wait for ever on a UI that never says it is ready', async () => {
    const { messages, texts, time } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'a' }))]);
    await changeDone();
    messages('c1', [sentMessage(stored({ clientId: 'b', seq: 2 }))]);
    await changeDone();
    time.advance(MAX_WAIT_MS - 1);
    expect(texts()).toEqual(['c1:a']);
    time.advance(1);
    expect(texts()).toEqual(['c1:a', 'c1:b']);
  });

  it('keeps the order of events: others go out at once, after what was waiting, in the same frame', async () => {
    const { batch, messages, frames } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'a' }))]);
    batch.push('connection', { status: 'offline', reason: 'no-network' });
    expect(frames.map((f) => f.map((e) => e.name))).toEqual([['messages', 'connection']]);
    await changeDone();
    expect(frames).toHaveLength(1);
  });

  it('lets a stored copy take its queued message’s place, applies removals first, and a reset replaces all', async () => {
    const { batch, messages, frames } = batcher();
    messages('c0', [pending]);
    await changeDone(); // sent: the UI is busy from here on
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
    await changeDone();
    batch.ready(1);
    expect(frames[1]!.map((e) => e.payload)).toEqual([
      {
        channelId: 'c1',
        messages: [expect.objectContaining({ clientId: 'k1', delivery: 'sent' })],
        removed: ['me/k2'],
      },
      { channelId: 'c3', messages: [expect.objectContaining({ clientId: 'new' })], reset: true },
    ]);

    // A UI that went away: what waited is dropped.
    messages('c1', [pending]);
    batch.clear();
    await changeDone();
    batch.ready(100);
    expect(frames).toHaveLength(2);
  });

  it('lets go of messages a trim let go while they waited, and carries the latest hasOlder', async () => {
    const { batch, messages, sent } = batcher();
    messages('c1', [sentMessage(stored({ clientId: 'first', seq: 1 }))]);
    await changeDone();
    const a = sentMessage(stored({ clientId: 'a', seq: 2 }));
    const b = sentMessage(stored({ clientId: 'b', seq: 3 }));
    messages('c1', [a, b]);
    messages('c1', [], {
      removed: [displayKey(stored({ clientId: 'first' })), displayKey(a)],
      hasOlder: true,
    });
    await changeDone();
    batch.ready(1);
    expect(sent.at(-1)?.payload).toEqual({
      channelId: 'c1',
      messages: [b],
      removed: ['u-other/first', 'u-other/a'],
      hasOlder: true,
    });
  });
});
