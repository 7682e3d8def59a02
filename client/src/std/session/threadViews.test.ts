// Open threads: the root and its replies by the latest change, our queued replies shown pending
// until their stored copy takes their place, several UIs opening one thread, and a reset reloading it.
import { describe, expect, it, vi } from 'vitest';
import type { Message, ThreadPage, ThreadRequest } from '@switchboard/protocol';
import { stored } from '../../../../tests/support/fixtures.ts';
import type { SessionEvents } from '../contract.ts';
import type { OutboxEntry } from '../outbox.ts';
import { MAX_OPEN_THREADS, ThreadViews } from './threadViews.ts';

const root = stored({ clientId: 'root', seq: 1 });
const reply = (seq: number, over: Partial<Message> = {}) =>
  stored({ clientId: `r${seq}`, seq, parentId: root.id, ...over });

function setup(pages: Record<string, ThreadPage> = {}) {
  const told: SessionEvents['thread'][] = [];
  const asked: ThreadRequest[] = [];
  const queued: OutboxEntry[] = [];
  const views = new ThreadViews({
    account: () => ({ userId: 'me', queued: () => queued }),
    fetch: async (request) => {
      asked.push(request);
      const page = pages[request.messageId];
      if (!page) throw new Error('no such thread');
      return page;
    },
    tell: (change) => told.push(change),
  });
  return { views, told, asked, queued };
}

describe('ThreadViews', () => {
  it('opens a thread by any of its messages and follows its changes by changeSeq', async () => {
    const page = { root, replies: [reply(2)], hasMore: true };
    const { views, told } = setup({ [root.id]: page, [reply(2).id]: page });
    const opened = await views.open(reply(2).id);
    expect(opened).toMatchObject({ rootId: root.id, hasOlder: true });
    expect(opened.replies.map((m) => m.text)).toEqual(['r2']);

    views.apply([reply(3), stored({ clientId: 'elsewhere', seq: 4 })]);
    views.apply([reply(2, { changeSeq: 5, text: 'edited' }), reply(2, { changeSeq: 1, text: 'stale' })]);
    views.apply([{ ...root, changeSeq: 6, replyCount: 2 }]);
    expect(told.map((t) => t.messages.map((m) => `${m.text}@${m.changeSeq}`))).toEqual([
      ['r3@3'],
      ['edited@5'],
      ['root@6'],
    ]);
  });

  it('shows our queued replies pending, in the thread they go to, until they are stored', async () => {
    const { views, told, queued } = setup({ [root.id]: { root, replies: [reply(2)], hasMore: false } });
    const entry: OutboxEntry = {
      clientId: 'mine-0001',
      channelId: 'c1',
      text: 'on its way',
      files: [],
      queuedAt: 7,
      state: 'pending',
      parentId: reply(2).id,
    };
    queued.push(entry);
    const opened = await views.open(root.id);
    expect(opened.replies.map((m) => `${m.text}:${m.delivery}`)).toEqual(['r2:sent', 'on its way:pending']);
    views.queued({ ...entry, state: 'failed' });
    views.unqueued(entry);
    views.queued({ ...entry, clientId: 'other-thread', parentId: 'elsewhere' });
    expect(told.map((t) => [t.messages.map((m) => m.delivery), t.removed])).toEqual([
      [['failed'], undefined],
      [[], ['me/mine-0001']],
    ]);
  });

  it('keeps a thread open while any UI has it, at most MAX_OPEN_THREADS, and reloads it after a reset', async () => {
    const pages: Record<string, ThreadPage> = {};
    for (let i = 0; i <= MAX_OPEN_THREADS; i++) {
      const r = stored({ clientId: `t${i}`, seq: 1, channelId: i === 0 ? 'c1' : 'c2' });
      pages[r.id] = { root: r, replies: [], hasMore: false };
    }
    const { views, told } = setup(pages);
    const first = Object.keys(pages)[0]!;
    await views.open(first);
    await views.open(first);
    views.close(first);
    views.apply([stored({ clientId: 'a1', seq: 2, parentId: first })]);
    expect(told).toHaveLength(1);
    views.close(first);
    views.apply([stored({ clientId: 'a2', seq: 3, parentId: first })]);
    expect(told).toHaveLength(1);

    for (const id of Object.keys(pages)) await views.open(id);
    // The least recently opened went: a change to it is no longer told.
    views.apply([stored({ clientId: 'b1', seq: 4, parentId: first })]);
    expect(told).toHaveLength(1);

    const last = Object.keys(pages).at(-1)!;
    views.reload('c2');
    await vi.waitFor(() => expect(told.filter((t) => t.reset).map((t) => t.rootId)).toContain(last));
  });
});
