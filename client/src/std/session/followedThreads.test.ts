// Followed threads and their counts: live replies counted as the server counts them, the server's
// list taken except for what changed here meanwhile, and a new follow asking for the list again.
import { describe, expect, it, vi } from 'vitest';
import type { FollowedThread, MessageChangeKind, ThreadsPage, ThreadState } from '@switchboard/protocol';
import { stored } from '../../../../tests/support/fixtures.ts';
import { FollowedThreads } from './followedThreads.ts';

const root = stored({ clientId: 'root', seq: 1, authorId: 'me' });
const followed = (over: Partial<FollowedThread> = {}): FollowedThread => ({
  threadId: root.id,
  channelId: 'c1',
  readSeq: 0,
  unreadCount: 0,
  unreadCapped: false,
  mentionCount: 0,
  lastReplyAt: null,
  root,
  ...over,
});
const reply = (kind: MessageChangeKind, seq: number, over: Partial<Parameters<typeof stored>[0]> = {}) => ({
  channelId: 'c1',
  seq,
  kind,
  message: stored({ clientId: `r${seq}`, seq, parentId: root.id, ...over }),
});

function setup(answers: ThreadsPage[] = []) {
  const told = { changed: 0, fetched: 0 };
  let release: (() => void) | null = null;
  const threads = new FollowedThreads({
    fetch: async () => {
      told.fetched += 1;
      const page = answers.shift() ?? { threads: [], nextCursor: null };
      // A test that sets `hold` gets to say when the answer arrives.
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return page;
    },
    markRead: async (threadId, seq): Promise<ThreadState> => ({ ...followed(), threadId, readSeq: seq }),
    changed: () => (told.changed += 1),
  });
  let hold = false;
  return {
    threads,
    told,
    hold: () => (hold = true),
    /** Lets the held answer arrive; later ones are not held. */
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('FollowedThreads', () => {
  it('counts replies by others and mentions of us, and takes our own reply as having read the thread', () => {
    const { threads } = setup();
    threads.load([followed()]);
    threads.countChange(reply('created', 2), 'me', undefined);
    const mention = reply('created', 3, { mentions: ['me'] });
    threads.countChange(mention, 'me', undefined);
    expect(threads.list()[0]).toMatchObject({ unreadCount: 2, mentionCount: 1 });
    const deleted = { ...mention, seq: 4, kind: 'deleted' as const };
    deleted.message = { ...mention.message, changeSeq: 4, deletedAt: 5, mentions: [] };
    threads.countChange(deleted, 'me', mention.message);
    expect(threads.list()[0]).toMatchObject({ unreadCount: 1, mentionCount: 0 });
    threads.countChange(reply('created', 5, { authorId: 'me' }), 'me', undefined);
    expect(threads.list()[0]).toMatchObject({ readSeq: 5, unreadCount: 0 });
    // The root's new summary is kept with the thread.
    const summary = { ...root, changeSeq: 6, replyCount: 3, lastReplyAt: 60 };
    threads.countChange({ channelId: 'c1', seq: 6, kind: 'thread', message: summary }, 'me', undefined);
    expect(threads.list()[0]).toMatchObject({ lastReplyAt: 60, root: { replyCount: 3 } });
  });

  it('asks again after a list that was on its way when a reply to a thread not listed yet came', async () => {
    // Our reply makes us follow; the server reads its list before the next reply is stored.
    const before = { threads: [followed({ root: { ...root, replyCount: 1 } })], nextCursor: null };
    const after = {
      threads: [followed({ unreadCount: 1, root: { ...root, replyCount: 2 } })],
      nextCursor: null,
    };
    const { threads, told, hold, release } = setup([before, after]);
    hold();
    threads.countChange(reply('created', 2, { authorId: 'me' }), 'me', undefined);
    threads.countChange(reply('created', 3, { authorId: 'other' }), 'me', undefined);
    release();
    await vi.waitFor(() =>
      expect(threads.list()).toMatchObject([{ unreadCount: 1, root: { replyCount: 2 } }]),
    );
    expect(told.fetched).toBe(2);
  });

  it('asks for the list again when a change shows a thread we now follow', async () => {
    const page = { threads: [followed({ unreadCount: 1 })], nextCursor: null };
    const { threads, told } = setup([page, page]);
    threads.countChange(reply('created', 2, { authorId: 'other' }), 'me', undefined);
    expect(told.fetched).toBe(0);
    threads.countChange(reply('created', 3, { authorId: 'other', mentions: ['me'] }), 'me', undefined);
    await threads.refresh();
    expect(told.fetched).toBe(2);
    expect(threads.list()).toMatchObject([{ threadId: root.id, unreadCount: 1 }]);
  });

  it('keeps what changed here while the server’s list was on its way', async () => {
    const { threads, hold, release } = setup([
      { threads: [followed({ unreadCount: 3 })], nextCursor: null },
      { threads: [followed({ unreadCount: 0, readSeq: 9 })], nextCursor: null },
    ]);
    threads.load([followed({ unreadCount: 3 })]);
    hold();
    const refreshed = threads.refresh();
    await Promise.resolve();
    threads.applyState({ ...followed(), readSeq: 9, unreadCount: 0 });
    release();
    await refreshed;
    expect(threads.list()[0]).toMatchObject({ readSeq: 9, unreadCount: 0 });
  });

  it('marks read only forward, only threads it follows, and forgets a channel left', async () => {
    const { threads } = setup();
    threads.load([followed({ readSeq: 4, unreadCount: 2 })]);
    await threads.markRead(root.id, 3);
    expect(threads.list()[0]).toMatchObject({ readSeq: 4, unreadCount: 2 });
    await threads.markRead(root.id, 7);
    expect(threads.list()[0]).toMatchObject({ readSeq: 7, unreadCount: 0 });
    await threads.markRead('unknown', 9);
    threads.forgetChannel('c1');
    expect(threads.list()).toEqual([]);
  });
});
