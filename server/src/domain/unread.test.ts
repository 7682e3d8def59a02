// Unread counts come from counters kept with every change (sends, edits, deletes, reads, leaving and
// joining again, retention), not from counting history. Each test checks them against a count of
// the stored history, on the database the suite runs on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type ChannelSummary } from '@switchboard/protocol';
import { createUser, startTestServer, uniqueName, type TestServer } from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { countUnreadFromHistory } from '../store/unreadCounters.ts';

const clock = manualClock(Date.UTC(2026, 0, 1));
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({}, { clock: clock.now });
});
afterAll(async () => {
  await server.close();
});

interface Person {
  id: string;
  isAdmin: boolean;
}

async function people(n: number): Promise<Person[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const { user } = await createUser(server, uniqueName('reader'));
      return { id: user.id, isAdmin: false };
    }),
  );
}

/**
 * Unread messages of a member counted from the stored history: others' messages after the cursor, not
 * deleted, in the channel's list (thread replies count there only when also sent to the channel).
 */
async function countedFromHistory(userId: string, channelId: string): Promise<number> {
  const db = server.ctx.db;
  const member = await db
    .selectFrom('channel_members')
    .select('read_seq')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId)
    .where('seq', '>', Number(member.read_seq))
    .where('deleted_at', 'is', null)
    .where('author_id', '<>', userId)
    .where((eb) => eb.or([eb('parent_id', 'is', null), eb('also_in_channel', '=', 1)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const unreadOf = async (userId: string, channelId: string): Promise<ChannelSummary> =>
  server.ctx.channels.summaryFor(userId, channelId);

async function expectCountsMatchHistory(members: Person[], channelId: string): Promise<void> {
  const summaries = new Map<string, ChannelSummary[]>();
  for (const m of members) summaries.set(m.id, await server.ctx.channels.summariesFor(m.id));
  for (const m of members) {
    const listed = summaries.get(m.id)!.find((c) => c.id === channelId);
    if (!listed) continue; // not a member (left)
    const counted = await countedFromHistory(m.id, channelId);
    expect({ member: m.id, unread: listed.unreadCount }).toEqual({ member: m.id, unread: counted });
    expect((await unreadOf(m.id, channelId)).unreadCount).toBe(counted);
  }
}

const send = (who: Person, channelId: string, text = 'hello') =>
  server.ctx.messages.send(who, { channelId, clientId: newId(), text });

describe('unread counters', () => {
  it('follow sends, edits, deletes before and after the cursor, reading, leaving and joining again', async () => {
    const [alice, bob] = await people(2);
    const channel = await server.ctx.channels.create(alice!, {
      name: uniqueName('unread'),
      visibility: 'public',
    });
    await server.ctx.channels.join(bob!, channel.id);
    const id = channel.id;

    const first = await send(alice!, id);
    const second = await send(alice!, id);
    await send(alice!, id);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(3);
    expect((await unreadOf(alice!.id, id)).unreadCount).toBe(0);

    await server.ctx.messages.edit(alice!, first.id, 'edited');
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(3);

    // Reading up to the second message; then the first (read) and a later one (unread) are deleted.
    expect((await server.ctx.channels.markRead(bob!, id, second.seq)).unreadCount).toBe(1);
    const fourth = await send(alice!, id);
    await send(alice!, id);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(3);
    await server.ctx.messages.delete(alice!, first.id);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(3);
    await server.ctx.messages.delete(alice!, fourth.id);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(2);

    // Bob writes: everything before is read, and his own message is not unread to him.
    await send(bob!, id);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(0);
    expect((await unreadOf(alice!.id, id)).unreadCount).toBe(1);

    // Bob leaves and comes back: the history he did not write and that is not deleted is unread again.
    await server.ctx.channels.leave(bob!, id);
    await send(alice!, id);
    const back = await server.ctx.channels.join(bob!, id);
    expect(back.unreadCount).toBe(await countedFromHistory(bob!.id, id));
    expect(back.unreadCount).toBe(4); // the second, third and fifth, and the one sent while he was away
    await expectCountsMatchHistory([alice!, bob!], id);

    // Reading to the head clears it; reading backwards changes nothing.
    const head = (await unreadOf(bob!.id, id)).headSeq;
    expect((await server.ctx.channels.markRead(bob!, id, head)).unreadCount).toBe(0);
    expect((await server.ctx.channels.markRead(bob!, id, 1)).unreadCount).toBe(0);

    // A reply only in its thread is not unread in the channel; one also sent to the channel is.
    await server.ctx.messages.send(alice!, {
      channelId: id,
      clientId: newId(),
      text: 'in thread',
      parentId: second.id,
    });
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(0);
    const alsoInChannel = await server.ctx.messages.send(alice!, {
      channelId: id,
      clientId: newId(),
      text: 'in thread and channel',
      parentId: second.id,
      alsoInChannel: true,
    });
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(1);
    await server.ctx.messages.delete(alice!, alsoInChannel.id);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(0);
    await expectCountsMatchHistory([alice!, bob!], id);
  });

  it('match a count of the history after hundreds of random changes, and a recount from history agrees', async () => {
    const members = await people(4);
    const [owner, ...others] = members;
    const channel = await server.ctx.channels.create(owner!, {
      name: uniqueName('random'),
      visibility: 'public',
    });
    const id = channel.id;
    for (const m of others) await server.ctx.channels.join(m, id);
    const inChannel = new Set(members.map((m) => m.id));
    const sent: { id: string; author: Person; deleted: boolean; reply: boolean }[] = [];
    // A fixed sequence of pseudo-random choices, so a failure can be replayed.
    let state = 12345;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    for (let step = 0; step < 300; step++) {
      const who = members[random(members.length)]!;
      const choice = random(100);
      if (!inChannel.has(who.id)) {
        await server.ctx.channels.join(who, id);
        inChannel.add(who.id);
      } else if (choice < 50) {
        // Several at once, so some share a group commit.
        const burst = 1 + random(4);
        // Some are thread replies, only in the thread or also in the channel.
        const live = sent.filter((m) => !m.deleted && !m.reply);
        const parent = random(5) === 0 ? live[random(live.length || 1)] : undefined;
        const alsoInChannel = random(2) === 0;
        const acks = await Promise.all(
          Array.from({ length: burst }, () =>
            parent
              ? server.ctx.messages.send(who, {
                  channelId: id,
                  clientId: newId(),
                  text: 'reply',
                  parentId: parent.id,
                  alsoInChannel,
                })
              : send(who, id),
          ),
        );
        for (const ack of acks)
          sent.push({ id: ack.id, author: who, deleted: false, reply: parent !== undefined });
      } else if (choice < 62) {
        const own = sent.filter((m) => m.author.id === who.id && !m.deleted);
        const target = own[random(own.length || 1)];
        if (target) {
          await server.ctx.messages.delete(who, target.id);
          target.deleted = true;
        }
      } else if (choice < 70) {
        const own = sent.filter((m) => m.author.id === who.id && !m.deleted);
        const target = own[random(own.length || 1)];
        if (target) await server.ctx.messages.edit(who, target.id, `edit ${step}`);
      } else if (choice < 95) {
        const head = (await unreadOf(who.id, id)).headSeq;
        await server.ctx.channels.markRead(who, id, random(head + 2));
      } else if (who.id !== owner!.id) {
        await server.ctx.channels.leave(who, id);
        inChannel.delete(who.id);
      }
      await expectCountsMatchHistory(members, id);
    }

    // The migration's recount from history gives the same counts as the counters kept all along.
    const before = new Map<string, number>();
    for (const m of members.filter((p) => inChannel.has(p.id)))
      before.set(m.id, (await unreadOf(m.id, id)).unreadCount);
    await server.ctx.db.updateTable('channel_members').set({ read_ord: 0, hidden_after: 0 }).execute();
    await countUnreadFromHistory(server.ctx.db);
    for (const [memberId, unread] of before) expect((await unreadOf(memberId, id)).unreadCount).toBe(unread);
  });

  it('stay exact when a read and a delete in the same channel happen at once', async () => {
    const [author, reader] = await people(2);
    const channel = await server.ctx.channels.create(author!, {
      name: uniqueName('racing'),
      visibility: 'public',
    });
    await server.ctx.channels.join(reader!, channel.id);
    // Each round: the reader reads up to the middle of four new messages while their author deletes
    // the one just before that point, which the read passes over. The read starts a few turns of the
    // event loop after the delete, a different number each round, so that it lands in different
    // places of the delete's transaction.
    for (let round = 0; round < 60; round++) {
      const acks = [];
      for (let i = 0; i < 4; i++) acks.push(await send(author!, channel.id));
      const deleting = server.ctx.messages.delete(author!, acks[1]!.id);
      for (let i = 0; i < round % 6; i++) await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([server.ctx.channels.markRead(reader!, channel.id, acks[2]!.seq), deleting]);
      await expectCountsMatchHistory([author!, reader!], channel.id);
    }
  });

  it('forget messages retention removes, and members who join afterwards count from there', async () => {
    const [alice, bob, carol] = await people(3);
    const channel = await server.ctx.channels.create(alice!, {
      name: uniqueName('retained'),
      visibility: 'public',
    });
    const id = channel.id;
    await server.ctx.channels.join(bob!, id);
    const old = [];
    for (let i = 0; i < 6; i++) old.push(await send(alice!, id));
    await send(bob!, id);
    await server.ctx.messages.delete(alice!, old[4]!.id);
    clock.advance(60_000);
    const cutoff = clock.now();
    clock.advance(60_000);
    await send(alice!, id);
    await send(alice!, id);
    await server.ctx.messages.delete(alice!, old[5]!.id); // a change after the cutoff, to a removed message
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(2);

    // Bob had read up to his own message; Alice's reads are all hers. Prune everything before the cutoff.
    await server.ctx.messages.pruneOlderThan(cutoff);
    expect((await unreadOf(bob!.id, id)).unreadCount).toBe(2);
    expect((await unreadOf(alice!.id, id)).unreadCount).toBe(0);
    const joined = await server.ctx.channels.join(carol!, id);
    expect(joined.unreadCount).toBe(2);
    await expectCountsMatchHistory([alice!, bob!, carol!], id);
  });
});
