// Channels at scale: a per-user creation limit, paged and searchable browsing of public channels,
// a direct lookup by id, and unread counts that stop counting at a cap instead of scanning history.
import { describe, expect, it, vi } from 'vitest';
import { UNREAD_COUNT_CAP, type ChannelSummary } from '@switchboard/protocol';
import {
  api,
  createConnectedUser,
  createUser,
  perform,
  summaryOf,
  uniqueName,
  unwrap,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const LIMIT = 3;
const { server, ok, errorCode, send, aliceAndBob } = useTestServer({ maxChannelsPerUser: LIMIT });

interface BrowsePage {
  channels: (ChannelSummary & { joined: boolean })[];
  nextCursor: string | null;
}

describe.each<Transport>(['rest', 'socket'])('over %s', (via) => {
  it('limits how many channels one user creates; admins, directs and other users are not held back', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    for (let i = 0; i < LIMIT; i++)
      await ok(via, alice, 'channel.create', { name: uniqueName('quota'), visibility: 'public' });
    const over = await perform(server, via, alice, 'channel.create', {
      name: uniqueName('quota'),
      visibility: 'private',
    });
    expect(over).toMatchObject({ ok: false, error: { code: 'forbidden', details: { limit: LIMIT } } });
    expect(over.ok || over.error.message).toMatch(/created 3 channels/);
    // A direct conversation is not a channel someone created to fill the list.
    await ok(via, alice, 'direct.open', { userId: bob.user.id });
    await ok(via, bob, 'channel.create', { name: uniqueName('quota'), visibility: 'public' });
    const admin = await createConnectedUser(server, 'admin', { isAdmin: true });
    for (let i = 0; i <= LIMIT; i++)
      await ok(via, admin, 'channel.create', { name: uniqueName('quota'), visibility: 'public' });
  });

  it('browses public channels in name order, a page at a time, searching names and topics', async () => {
    const owner = await createConnectedUser(server, 'owner', { isAdmin: true });
    const reader = await createConnectedUser(server, 'reader');
    const prefix = uniqueName(`zz-${via}`);
    const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `${prefix}-${n}`);
    for (const [i, name] of names.entries())
      await ok(via, owner, 'channel.create', {
        name,
        visibility: 'public',
        topic: i === 3 ? `Kubernetes_100%-${via}` : '',
      });
    await ok(via, owner, 'channel.create', { name: `${prefix}-hidden`, visibility: 'private' });
    const joined = await ok<ChannelSummary>(via, reader, 'channel.join', {
      channelId: (await ok<BrowsePage>(via, reader, 'channel.browse', { query: names[1] })).channels[0]!.id,
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: BrowsePage = await ok(via, reader, 'channel.browse', {
        query: prefix,
        limit: 2,
        ...(cursor === null ? {} : { cursor }),
      });
      expect(page.channels.length).toBeLessThanOrEqual(2);
      for (const c of page.channels) {
        expect(c).toMatchObject({ kind: 'public', joined: c.id === joined.id });
        seen.push(c.name);
      }
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);

    // Topics are searched too, and %/_ in a query are plain characters.
    const byTopic = await ok<BrowsePage>(via, reader, 'channel.browse', { query: `ubernetes_100%-${via}` });
    expect(byTopic.channels.map((c) => c.name)).toEqual([names[3]]);
    expect((await ok<BrowsePage>(via, reader, 'channel.browse', { query: `${prefix}%` })).channels).toEqual(
      [],
    );
    expect((await ok<BrowsePage>(via, reader, 'channel.browse', { query: `k_bernetes` })).channels).toEqual(
      [],
    );

    for (const bad of [{ limit: 0 }, { limit: 201 }, { query: 'a\nb' }, { cursor: '' }, { extra: 1 }])
      expect(await errorCode(via, reader, 'channel.browse', bad), JSON.stringify(bad)).toBe(
        'validation_failed',
      );
  });

  it('counts unread messages up to a cap, and says when there are more', { timeout: 90_000 }, async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const total = UNREAD_COUNT_CAP + 21;
    // Sent a quarter at a time, so the server commits each quarter in a few groups and no send waits
    // behind a thousand others: on PostgreSQL every send is a few round trips inside its group's
    // transaction, and a loaded machine makes 1,020 of them take tens of seconds.
    const QUARTER = Math.ceil(total / 4);
    for (let from = 0; from < total; from += QUARTER)
      await Promise.all(
        Array.from({ length: Math.min(QUARTER, total - from) }, (_, i) =>
          send(via, alice, channel.id, `m${from + i}`),
        ),
      );
    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({
      headSeq: total,
      unreadCount: UNREAD_COUNT_CAP,
      unreadCapped: true,
    });
    const state = await ok(via, bob, 'read.mark', { channelId: channel.id, seq: total - 10 });
    expect(state).toMatchObject({ readSeq: total - 10, unreadCount: 10, unreadCapped: false });
    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({
      unreadCount: 10,
      unreadCapped: false,
    });
  });
});

describe('REST lookup of one channel', () => {
  it('answers GET /channels/:id of a public channel you have not joined without listing every channel', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createUser(server, uniqueName('bob'));
    const channel = unwrap(
      await perform<ChannelSummary>(server, 'rest', alice, 'channel.create', {
        name: uniqueName('lookup'),
        visibility: 'public',
        topic: 'found directly',
      }),
    );
    const listVisible = vi.spyOn(server.ctx.channels, 'listVisible');
    try {
      const res = await api(server.url, 'GET', `/api/v1/channels/${channel.id}`, { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: channel.id,
        name: channel.name,
        kind: 'public',
        topic: 'found directly',
        createdBy: alice.user.id,
        createdAt: channel.createdAt,
        headSeq: 0,
        displayName: channel.name,
        purpose: '',
        archivedAt: null,
        changeSeq: 0,
      });
      expect(listVisible).not.toHaveBeenCalled();
    } finally {
      listVisible.mockRestore();
    }
  });
});
