// One stream's local state: the cursor moves only over contiguous changes, a gap is seen and filled,
// live changes wait while the first page loads, a copy never replaces a later change, and the window
// stays bounded: the oldest go, and older history brings them back.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '@switchboard/protocol';
import { channelSummary, stored } from '../../../tests/support/fixtures.ts';
import { Stream, WINDOW_KEEP, WINDOW_LIMIT } from './stream.ts';

const created = (seq: number): StreamEvent => ({
  channelId: 'c1',
  seq,
  kind: 'created',
  message: stored({ clientId: `m${seq}`, seq }),
});

describe('Stream', () => {
  it('keeps live changes while its first page loads, then replays them over it', () => {
    const stream = new Stream('c1');
    expect(stream.applyLive(created(3))).toEqual([]);
    const replay = stream.load(
      [stored({ clientId: 'm1', seq: 1 }), stored({ clientId: 'm2', seq: 2 })],
      2,
      false,
    );
    expect(replay).toEqual([created(3)]);
    expect(stream.applyLive(replay[0]!).map((m) => m.seq)).toEqual([3]);
    expect(stream.cursor).toBe(3);
    expect(stream.list().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('sees a gap, shows what came past it, and moves the cursor once the gap is filled', () => {
    const stream = new Stream('c1');
    stream.load([], 1, false);
    stream.applyLive(created(3));
    expect(stream.hasGap).toBe(true);
    expect(stream.cursor).toBe(1);
    expect(stream.list().map((m) => m.seq)).toEqual([3]);
    stream.applyPage({
      channelId: 'c1',
      status: 'ok',
      messages: [stored({ clientId: 'm2', seq: 2 })],
      channel: null,
      cursor: 2,
      headSeq: 3,
      hasMore: false,
    });
    expect(stream.hasGap).toBe(false);
    expect(stream.cursor).toBe(3);
  });

  it('takes a copy only if it is a later change, and ignores what is older than its window', () => {
    const stream = new Stream('c1');
    stream.load([stored({ clientId: 'm10', seq: 10 })], 10, true);
    const edit = stored({ clientId: 'm10', seq: 10, changeSeq: 11, text: 'edited' });
    expect(stream.applyLive({ channelId: 'c1', seq: 11, kind: 'edited', message: edit })).toEqual([edit]);
    expect(
      stream.applyPage({
        channelId: 'c1',
        status: 'ok',
        messages: [stored({ clientId: 'm10', seq: 10 })],
        channel: null,
        cursor: 11,
        headSeq: 11,
        hasMore: false,
      }),
    ).toEqual([]);
    expect(stream.get('m-m10')?.text).toBe('edited');
    // A change to a message below the window: loading older history brings its latest state anyway.
    expect(
      stream.applyLive({
        channelId: 'c1',
        seq: 12,
        kind: 'edited',
        message: stored({ clientId: 'm2', seq: 2, changeSeq: 12 }),
      }),
    ).toEqual([]);
    expect(stream.cursor).toBe(12);
    expect(
      stream.addOlder([stored({ clientId: 'm2', seq: 2, changeSeq: 12 })], false).map((m) => m.seq),
    ).toEqual([2]);
    expect(stream.oldestSeq).toBe(2);
  });

  it('snapshots its newest messages for the cache and comes back from one; a reset clears it', () => {
    const stream = new Stream('c1');
    stream.load(
      [1, 2, 3].map((seq) => stored({ clientId: `m${seq}`, seq })),
      3,
      false,
    );
    const snapshot = stream.snapshot(2);
    expect(snapshot).toMatchObject({ cursor: 3, hasOlder: true });
    expect(snapshot.messages.map((m) => m.seq)).toEqual([2, 3]);
    const restored = new Stream('c1', snapshot);
    expect(restored.list().map((m) => m.seq)).toEqual([2, 3]);
    expect(restored.hasOlder).toBe(true);

    const generation = restored.generation;
    restored.clear();
    expect(restored.cursor).toBeNull();
    expect(restored.list()).toEqual([]);
    expect(restored.generation).toBeGreaterThan(generation);
  });

  it('moves the cursor over a change of the channel’s details, which changes no message', () => {
    const stream = new Stream('c1');
    stream.load([stored({ clientId: 'm1', seq: 1 })], 1, false);
    const channel = { ...channelSummary('c1'), headSeq: 2, changeSeq: 2 };
    expect(stream.applyLive({ channelId: 'c1', seq: 2, kind: 'channel', channel })).toEqual([]);
    expect(stream.cursor).toBe(2);
    expect(stream.hasGap).toBe(false);
  });

  it('lets its oldest messages go past its limit: the floor rises and older history brings them back', () => {
    const stream = new Stream('c1');
    stream.load([], 0, false);
    for (let seq = 1; seq <= WINDOW_LIMIT; seq++) stream.applyLive(created(seq));
    expect(stream.trim()).toEqual([]);
    expect(stream.hasOlder).toBe(false);

    stream.applyLive(created(WINDOW_LIMIT + 1));
    const dropped = stream.trim();
    const firstKept = WINDOW_LIMIT + 2 - WINDOW_KEEP;
    expect(dropped.map((m) => m.seq)).toEqual(Array.from({ length: firstKept - 1 }, (_, i) => i + 1));
    expect(stream.size).toBe(WINDOW_KEEP);
    expect(stream.oldestSeq).toBe(firstKept);
    expect(stream.hasOlder).toBe(true);
    expect(stream.cursor).toBe(WINDOW_LIMIT + 1);

    // A change to a message let go is below the floor now: ignored, though the cursor moves over it.
    const edit = stored({ clientId: 'm5', seq: 5, changeSeq: WINDOW_LIMIT + 2, text: 'edited' });
    expect(
      stream.applyLive({ channelId: 'c1', seq: WINDOW_LIMIT + 2, kind: 'edited', message: edit }),
    ).toEqual([]);
    expect(stream.get(edit.id)).toBeUndefined();
    expect(stream.cursor).toBe(WINDOW_LIMIT + 2);

    // Older history, a page at a time from the oldest kept down (as loadOlder asks), in its latest
    // state: every message once, in order, with no gap.
    while (stream.hasOlder) {
      const before = stream.oldestSeq!;
      const page = Array.from({ length: Math.min(50, before - 1) }, (_, i) => before - 1 - i)
        .reverse()
        .map((seq) => (seq === 5 ? edit : stored({ clientId: `m${seq}`, seq })));
      expect(stream.addOlder(page, page[0]!.seq > 1)).toEqual(page);
    }
    expect(stream.list().map((m) => m.seq)).toEqual(
      Array.from({ length: WINDOW_LIMIT + 1 }, (_, i) => i + 1),
    );
    expect(stream.get(edit.id)?.text).toBe('edited');
  });

  it('keeps its messages in seq order whatever order they arrived in, across trims', () => {
    const stream = new Stream('c1');
    stream.load([], 0, false);
    const seqs = Array.from({ length: 120 }, (_, i) => i + 1).sort(
      (a, b) => ((a * 37) % 120) - ((b * 37) % 120),
    );
    for (const seq of seqs) stream.applyLive(created(seq));
    expect(stream.list().map((m) => m.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(stream.trim(100, 60).map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(stream.list().map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 61));
    // A new message below the floor (a gap filled late) is not taken in above a hole.
    expect(
      stream.applyPage({
        channelId: 'c1',
        status: 'ok',
        messages: [stored({ clientId: 'm30', seq: 30 })],
        channel: null,
        cursor: 120,
        headSeq: 120,
        hasMore: false,
      }),
    ).toEqual([]);
    expect(stream.oldestSeq).toBe(61);
  });
});
