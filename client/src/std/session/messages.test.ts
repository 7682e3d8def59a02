// Message views: a queued message shows until its stored copy takes its place (by ack or by being
// seen) — or just goes where its channel is not loaded —, changes reach the UI and the cache, streams
// of channels left are forgotten, and a channel's window stays bounded unless its reader reads history.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryPage, Message } from '@switchboard/protocol';
import type { SessionEvents } from '../contract.ts';
import { HistoryCache } from '../cache.ts';
import { Outbox } from '../outbox.ts';
import type { Synchronizer } from '../sync.ts';
import { manualClock } from '../../../../tests/support/clock.ts';
import { MemoryStorage } from '../../../../tests/support/memoryStorage.ts';
import { stored } from '../../../../tests/support/fixtures.ts';
import { WINDOW_KEEP, WINDOW_LIMIT } from '../stream.ts';
import { MAX_HELD, MessageViews } from './messages.ts';

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

/** The server's history of c1: pages before a seq, newest first as the server reads them. */
function historyOf(messages: Message[]) {
  return async ({ before, limit }: { before: number; limit: number }): Promise<HistoryPage> => {
    const older = messages.filter((m) => m.seq < before);
    return { messages: older.slice(-limit), hasMore: older.length > limit };
  };
}

async function setup(history = historyOf([])) {
  const storage = new MemoryStorage();
  const time = manualClock();
  const told: SessionEvents['messages'][] = [];
  const outbox = await Outbox.open(
    storage,
    'user/me/outbox/',
    { delivered: () => {}, changed: () => {}, removed: () => {} },
    { clock: time.clock },
  );
  closing.push(() => outbox.close());
  const cache = new HistoryCache(storage, 'user/me/', { clock: time.clock });
  const counted: number[] = [];
  // Catch-up is the synchronizer's job, tested with a real server in sync.test.ts.
  const sync = { catchUp: async () => {} } as unknown as Synchronizer;
  const views = new MessageViews({
    account: () => ({ userId: 'me', cache, outbox, sync }),
    online: () => false,
    history,
    counted: (event) => counted.push(event.seq),
    messageChanged: () => {},
    tell: (change) => told.push(change),
  });
  return { views, outbox, cache, told, counted, time };
}

describe('MessageViews', () => {
  it('shows a queued message until the ack’s stored copy takes its place', async () => {
    const { views, outbox, told } = await setup();
    views.load(
      new Map([['c1', { cursor: 1, hasOlder: false, messages: [stored({ clientId: 'a', seq: 1 })] }]]),
    );
    const entry = await outbox.add({ clientId: 'k1-abcdefgh', channelId: 'c1', text: 'hi', queuedAt: 5 });
    views.queued(entry);
    const opened = await views.open('c1');
    expect(opened.messages.map((m) => `${m.clientId}:${m.delivery}`)).toEqual([
      'a:sent',
      'k1-abcdefgh:pending',
    ]);
    expect(told.at(-1)?.messages.map((m) => m.delivery)).toEqual(['pending']);

    const message = stored({ clientId: 'k1-abcdefgh', authorId: 'me', seq: 2, text: 'hi' });
    views.delivered(entry, { id: message.id, seq: 2, ts: 1, duplicate: false, message });
    expect(told.at(-1)).toEqual({
      channelId: 'c1',
      messages: [expect.objectContaining({ delivery: 'sent', seq: 2 })],
    });
  });

  it('drops a delivered message from view where its channel is not loaded', async () => {
    const { views, outbox, told } = await setup();
    const entry = await outbox.add({ clientId: 'k3-abcdefgh', channelId: 'c7', text: 'away', queuedAt: 5 });
    const message = stored({ clientId: 'k3-abcdefgh', channelId: 'c7', authorId: 'me', seq: 4 });
    views.delivered(entry, { id: message.id, seq: 4, ts: 1, duplicate: false, message });
    expect(told).toEqual([{ channelId: 'c7', messages: [], removed: ['me/k3-abcdefgh'] }]);
  });

  it('settles a queued message whose stored copy is seen first, and counts every live change', async () => {
    const { views, outbox, counted } = await setup();
    views.load(new Map([['c1', { cursor: 0, hasOlder: false, messages: [] }]]));
    await outbox.add({ clientId: 'k2-abcdefgh', channelId: 'c1', text: 'seen', queuedAt: 5 });
    const message = stored({ clientId: 'k2-abcdefgh', authorId: 'me', seq: 1 });
    views.onStreamEvent({ channelId: 'c1', seq: 1, kind: 'created', message });
    expect(outbox.has('k2-abcdefgh')).toBe(false);
    views.onStreamEvent({
      channelId: 'elsewhere',
      seq: 7,
      kind: 'created',
      message: stored({ clientId: 'x', channelId: 'elsewhere' }),
    });
    expect(counted).toEqual([1, 7]);
  });

  it('needs a channel opened before older pages, and forgets streams of channels left', async () => {
    const { views, cache, time } = await setup();
    await expect(views.loadOlder('c9')).rejects.toMatchObject({ code: 'bad_request' });
    views.load(
      new Map([
        ['c1', { cursor: 1, hasOlder: false, messages: [] }],
        ['c2', { cursor: 1, hasOlder: false, messages: [] }],
      ]),
    );
    views.applied(views.stream('c1')!, [], false);
    time.advance(1_000);
    await cache.flush();
    views.retain((id) => id === 'c2');
    expect(views.stream('c1')).toBeUndefined();
    expect(views.stream('c2')).toBeDefined();
    await vi.waitFor(async () => expect([...(await cache.loadStreams()).keys()]).toEqual([]));
  });

  describe('a channel’s window', () => {
    const message = (seq: number) => stored({ clientId: `m${seq}`, seq });
    const all = Array.from({ length: WINDOW_LIMIT * 2 }, (_, i) => message(i + 1));
    const arrive = (views: MessageViews, from: number, to: number) => {
      for (let seq = from; seq <= to; seq++)
        views.onStreamEvent({ channelId: 'c1', seq, kind: 'created', message: all[seq - 1]! });
    };
    const removed = (told: SessionEvents['messages'][]) => told.flatMap((t) => t.removed ?? []);

    it('lets the oldest go past its limit, tells the UI, and loads them again in order', async () => {
      const { views, told } = await setup(historyOf(all));
      views.load(new Map([['c1', { cursor: 0, hasOlder: false, messages: [] }]]));
      arrive(views, 1, WINDOW_LIMIT);
      expect(removed(told)).toEqual([]);
      arrive(views, WINDOW_LIMIT + 1, WINDOW_LIMIT + 1);
      const firstKept = WINDOW_LIMIT + 2 - WINDOW_KEEP;
      expect(told.at(-1)).toEqual({
        channelId: 'c1',
        messages: [expect.objectContaining({ seq: WINDOW_LIMIT + 1 })],
        removed: all.slice(0, firstKept - 1).map((m) => `${m.authorId}/${m.clientId}`),
        hasOlder: true,
      });
      expect((await views.open('c1')).messages.map((m) => m.seq)[0]).toBe(firstKept);

      // Scrolling back: each older page ends just below what is shown, down to the first message.
      const shown = (await views.open('c1')).messages.map((m) => m.seq);
      for (let page = await views.loadOlder('c1'); ; page = await views.loadOlder('c1')) {
        shown.unshift(...page.messages.map((m) => m.seq));
        if (!page.hasOlder) break;
      }
      expect(shown).toEqual(Array.from({ length: WINDOW_LIMIT + 1 }, (_, i) => i + 1));
    });

    it('is kept whole while a reader reads its history, and trimmed once none does', async () => {
      const { views, told } = await setup();
      views.load(new Map([['c1', { cursor: 0, hasOlder: false, messages: [] }]]));
      // Two UIs leave the newest messages; one comes back, the other still reads.
      views.follow('c1', false);
      views.follow('c1', false);
      arrive(views, 1, WINDOW_LIMIT + 50);
      views.follow('c1', true);
      arrive(views, WINDOW_LIMIT + 51, WINDOW_LIMIT + 60);
      expect(removed(told)).toEqual([]);
      expect(views.stream('c1')?.size).toBe(WINDOW_LIMIT + 60);

      // The last one is back: trimmed at once, without waiting for the next message.
      views.follow('c1', true);
      expect(told.at(-1)).toMatchObject({ channelId: 'c1', messages: [], hasOlder: true });
      expect(removed(told)).toHaveLength(WINDOW_LIMIT + 60 - WINDOW_KEEP);
      expect(views.stream('c1')?.oldestSeq).toBe(WINDOW_LIMIT + 61 - WINDOW_KEEP);
    });

    it('holds at most MAX_HELD channels: a UI that never comes back costs no more', async () => {
      const { views } = await setup();
      views.load(new Map([['c1', { cursor: 0, hasOlder: false, messages: [] }]]));
      views.follow('c1', false);
      for (let n = 0; n < MAX_HELD; n++) views.follow(`other${n}`, false);
      arrive(views, 1, WINDOW_LIMIT + 1);
      expect(views.stream('c1')?.size).toBe(WINDOW_KEEP);
    });
  });
});
