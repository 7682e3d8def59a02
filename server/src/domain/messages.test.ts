// Sending, editing, deleting, history, access control and catch-up against a real server, over both transports.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  MAX_SYNC_CURSORS,
  newId,
  type Message,
  type SendAck,
  type StreamCatchUp,
  type MessageStreamEvent,
  type SyncResponse,
} from '@switchboard/protocol';
import {
  api,
  call,
  connect,
  createChannelWith,
  createConnectedUser,
  flush,
  perform,
  record,
  startTestServer,
  TEST_DATABASE,
  summaryOf,
  unwrap,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { MAX_CATCH_UP_MESSAGES, MAX_MENTIONS } from './messages.ts';

const { server, ok, errorCode, send, aliceAndBob } = useTestServer();

const channelWith = (
  via: Transport,
  owner: ConnectedUser,
  members: ConnectedUser[] = [],
  visibility?: 'private',
) => createChannelWith(server, via, owner, members, visibility);

const history = (via: Transport, who: ConnectedUser, channelId: string, query = {}, on = server) =>
  ok<{ messages: Message[]; hasMore: boolean }>(via, who, 'channel.history', { channelId, ...query }, on);

const headSeq = async (via: Transport, who: ConnectedUser, channelId: string) =>
  (await summaryOf(server, via, who, channelId)).headSeq;

describe('REST shapes', () => {
  it('a send answers 201 {id, seq, ts}; the same clientId answers 200 with the same message', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith('rest', alice);
    const path = `/api/v1/channels/${channel.id}/messages`;
    const clientId = newId();
    const first = await api(server.url, 'POST', path, {
      token: alice.token,
      json: { clientId, text: 'hello' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: expect.any(String),
      seq: 1,
      ts: expect.any(Number),
      text: 'hello',
    });
    const again = await api(server.url, 'POST', path, {
      token: alice.token,
      json: { clientId, text: 'hello' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, seq: 1, ts: first.body.ts, duplicate: true });
    const listed = await api(server.url, 'GET', `${path}?after=0`, { token: alice.token });
    expect(listed.status).toBe(200);
    expect(listed.body.messages.map((m: Message) => m.id)).toEqual([first.body.id]);
  });

  it('a history query that is not a number is a validation error', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith('rest', alice);
    const res = await api(server.url, 'GET', `/api/v1/channels/${channel.id}/messages?after=abc`, {
      token: alice.token,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe.each<Transport>(['rest', 'socket'])('messages over %s', (via) => {
  it('stores a clientId once per author: a repeat returns the same message and stores nothing', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const other = await channelWith(via, alice);
    const events = record<MessageStreamEvent>(bob.socket, 'stream.event');
    const clientId = newId();

    const first = await ok<SendAck>(via, alice, 'message.send', {
      channelId: channel.id,
      clientId,
      text: 'first',
    });
    expect(first).toMatchObject({ id: expect.any(String), seq: 1, ts: expect.any(Number), duplicate: false });
    expect(first.message).toMatchObject({ id: first.id, seq: 1, changeSeq: 1, clientId, text: 'first' });
    const again = await ok<SendAck>(via, alice, 'message.send', {
      channelId: channel.id,
      clientId,
      text: 'retry',
    });
    expect(again).toMatchObject({ id: first.id, seq: 1, ts: first.ts, duplicate: true });
    expect(again.message.text).toBe('first');
    expect((await history(via, alice, channel.id)).messages).toHaveLength(1);
    expect(await headSeq(via, alice, channel.id)).toBe(1);

    // The key belongs to its author in one channel: elsewhere it is a conflict, for others it is free.
    expect(await errorCode(via, alice, 'message.send', { channelId: other.id, clientId, text: 'x' })).toBe(
      'conflict',
    );
    expect((await history(via, alice, other.id)).messages).toHaveLength(0);
    expect(await headSeq(via, alice, other.id)).toBe(0);
    const bobs = await ok<SendAck>(via, bob, 'message.send', {
      channelId: channel.id,
      clientId,
      text: 'mine',
    });
    expect(bobs).toMatchObject({ seq: 2, duplicate: false });

    await flush(bob.socket);
    expect(events.map((e) => [e.seq, e.message.id])).toEqual([
      [1, first.id],
      [2, bobs.id],
    ]);
  });

  it('gives creates, edits and deletes contiguous seqs and keeps a tombstone', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const events = record<MessageStreamEvent>(bob.socket, 'stream.event');

    const [m1, m2] = [await send(via, alice, channel.id, 'one'), await send(via, alice, channel.id, 'two')];
    await send(via, alice, channel.id, 'three');
    const edited = await ok<Message>(via, alice, 'message.edit', {
      messageId: m2.id,
      text: `two @${bob.user.username}`,
    });
    expect(edited).toMatchObject({
      id: m2.id,
      seq: 2,
      changeSeq: 4,
      editedAt: expect.any(Number),
      deletedAt: null,
    });
    expect(edited.mentions).toEqual([bob.user.id]);
    const deleted = await ok<Message>(via, alice, 'message.delete', { messageId: m1.id });
    expect(deleted).toMatchObject({
      id: m1.id,
      seq: 1,
      changeSeq: 5,
      text: '',
      deletedAt: expect.any(Number),
    });
    expect((await send(via, alice, channel.id, 'four')).seq).toBe(6);
    expect(await headSeq(via, alice, channel.id)).toBe(6);

    await flush(bob.socket);
    expect(events.map((e) => [e.seq, e.kind, e.message.seq])).toEqual([
      [1, 'created', 1],
      [2, 'created', 2],
      [3, 'created', 3],
      [4, 'edited', 2],
      [5, 'deleted', 1],
      [6, 'created', 6],
    ]);
    const { messages } = await history(via, bob, channel.id);
    expect(messages.map((m) => [m.seq, m.text])).toEqual([
      [1, ''],
      [2, `two @${bob.user.username}`],
      [3, 'three'],
      [6, 'four'],
    ]);
    expect(messages[0]).toMatchObject({ id: m1.id, deletedAt: expect.any(Number), mentions: [] });
    expect(messages[1]!.editedAt).toEqual(expect.any(Number));
  });

  it('applies concurrent changes one at a time: a delete is never written over, a clientId is stored once', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const events = record<MessageStreamEvent>(bob.socket, 'stream.event');
    for (let round = 0; round < 3; round++) {
      const message = await send(via, alice, channel.id, 'original');
      const [deleted, edited] = await Promise.all([
        perform<Message>(server, via, alice, 'message.delete', { messageId: message.id }),
        perform<Message>(server, via, alice, 'message.edit', {
          messageId: message.id,
          text: `@${bob.user.username}`,
        }),
      ]);
      expect(deleted.ok).toBe(true);
      // The edit either landed before the delete or was refused; either way the tombstone stays empty.
      if (edited.ok && deleted.ok) expect(edited.data.changeSeq).toBeLessThan(deleted.data.changeSeq);
      else expect(edited).toMatchObject({ ok: false, error: { code: 'conflict' } });
      const stored = (await history(via, alice, channel.id, { after: message.seq - 1, limit: 1 }))
        .messages[0]!;
      expect(stored).toMatchObject({ id: message.id, text: '', mentions: [], deletedAt: expect.any(Number) });
    }
    const summary = await summaryOf(server, via, bob, channel.id);
    expect(summary).toMatchObject({ unreadCount: 0, mentionCount: 0 });
    // A refused change takes no seq: the stream stays gap-free.
    await flush(bob.socket);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: summary.headSeq }, (_, i) => i + 1));

    const clientId = newId();
    const sends = await Promise.all(
      [1, 2].map(() =>
        ok<SendAck>(via, alice, 'message.send', { channelId: channel.id, clientId, text: 'once' }),
      ),
    );
    expect(sends[0]!.id).toBe(sends[1]!.id);
    expect(sends.map((s) => s.duplicate).sort()).toEqual([false, true]);
    expect(
      (await history(via, alice, channel.id)).messages.filter((m) => m.clientId === clientId),
    ).toHaveLength(1);
  });

  it('pages history forward, backward and from the newest page, with hasMore', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith(via, alice);
    for (let i = 1; i <= 7; i++) await send(via, alice, channel.id, `m${i}`);
    const page = async (query: object) => {
      const res = await history(via, alice, channel.id, query);
      return { seqs: res.messages.map((m) => m.seq), hasMore: res.hasMore };
    };
    expect(await page({ limit: 3 })).toEqual({ seqs: [5, 6, 7], hasMore: true });
    expect(await page({ before: 5, limit: 3 })).toEqual({ seqs: [2, 3, 4], hasMore: true });
    expect(await page({ before: 2, limit: 3 })).toEqual({ seqs: [1], hasMore: false });
    expect(await page({ after: 0, limit: 3 })).toEqual({ seqs: [1, 2, 3], hasMore: true });
    expect(await page({ after: 4, limit: 3 })).toEqual({ seqs: [5, 6, 7], hasMore: false });
    expect(await page({ after: 7 })).toEqual({ seqs: [], hasMore: false });
    expect(await page({})).toEqual({ seqs: [1, 2, 3, 4, 5, 6, 7], hasMore: false });
    for (const bad of [{ after: 1, before: 5 }, { limit: 0 }, { limit: 201 }, { after: -1 }]) {
      expect(await errorCode(via, alice, 'channel.history', { channelId: channel.id, ...bad })).toBe(
        'validation_failed',
      );
    }
  });

  it('enforces the message length limit and refuses empty text, storing nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith(via, alice);
    const max = alice.hello.limits.maxMessageLength;
    const refusal = (text: string) =>
      errorCode(via, alice, 'message.send', { channelId: channel.id, clientId: newId(), text });
    expect(await refusal('x'.repeat(max + 1))).toBe('payload_too_large');
    expect(await refusal('')).toBe('validation_failed');
    expect(await refusal(' \n\t ')).toBe('validation_failed');
    expect(await headSeq(via, alice, channel.id)).toBe(0);
    const longest = await send(via, alice, channel.id, 'y'.repeat(max));
    expect(longest.message.text).toHaveLength(max);
    expect(
      await errorCode(via, alice, 'message.edit', { messageId: longest.id, text: 'z'.repeat(max + 1) }),
    ).toBe('payload_too_large');
    expect(await headSeq(via, alice, channel.id)).toBe(1);
  });

  it('holds text to the bytes its limits leave for it, by the rule clients check before sending', async () => {
    // A payload limit of 4 KiB leaves 3 KiB for the text (messageTextTooLarge in protocol/src/limits.ts).
    const own = await startTestServer({ maxPayloadBytes: 4096 });
    try {
      const alice = await createConnectedUser(own, 'alice');
      const channel = await createChannelWith(own, via, alice);
      const send = (text: string) =>
        perform(own, via, alice, 'message.send', { channelId: channel.id, clientId: newId(), text });
      expect(await send('x'.repeat(3100))).toMatchObject({
        ok: false,
        error: { code: 'payload_too_large', message: 'message is too large for this server' },
      });
      expect(await send('x'.repeat(3000))).toMatchObject({ ok: true });
      expect((await history(via, alice, channel.id, {}, own)).messages).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('refuses payloads of the wrong shape and stores nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith(via, alice);
    const clientId = newId();
    const bad = [
      { channelId: channel.id, clientId, text: 42 },
      { channelId: channel.id, clientId, text: ['a'] },
      { channelId: channel.id, clientId: 'short', text: 'x' },
      { channelId: channel.id, clientId: 12345678, text: 'x' },
      { channelId: channel.id, clientId, text: 'x', admin: true },
      { channelId: channel.id, clientId },
    ];
    for (const payload of bad)
      expect(await errorCode(via, alice, 'message.send', payload)).toBe('validation_failed');
    const message = await send(via, alice, channel.id, 'fine');
    expect(await errorCode(via, alice, 'message.edit', { messageId: message.id, text: { t: 1 } })).toBe(
      'validation_failed',
    );
    expect(await errorCode(via, alice, 'read.mark', { channelId: channel.id, seq: '1' })).toBe(
      'validation_failed',
    );
    expect(await errorCode(via, alice, 'read.mark', { channelId: channel.id, seq: 1.5 })).toBe(
      'validation_failed',
    );
    const { messages } = await history(via, alice, channel.id);
    expect(messages.map((m) => [m.seq, m.text])).toEqual([[1, 'fine']]);
  });

  it('lets only the author edit and the author or an admin delete', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const admin = await createConnectedUser(server, 'admin', { isAdmin: true });
    const channel = await channelWith(via, alice, [bob, admin]);
    const [a1, a2] = [await send(via, alice, channel.id, 'a1'), await send(via, alice, channel.id, 'a2')];
    const b1 = await send(via, bob, channel.id, 'b1');

    expect(await errorCode(via, bob, 'message.edit', { messageId: a1.id, text: 'hacked' })).toBe('forbidden');
    expect(await errorCode(via, bob, 'message.delete', { messageId: a1.id })).toBe('forbidden');
    expect(await errorCode(via, admin, 'message.edit', { messageId: a1.id, text: 'moderated' })).toBe(
      'forbidden',
    );
    expect(await errorCode(via, bob, 'message.edit', { messageId: 'no-such-message', text: 'x' })).toBe(
      'not_found',
    );
    expect((await history(via, alice, channel.id)).messages.map((m) => m.text)).toEqual(['a1', 'a2', 'b1']);

    expect((await ok<Message>(via, bob, 'message.edit', { messageId: b1.id, text: 'b1!' })).text).toBe('b1!');
    expect((await ok<Message>(via, admin, 'message.delete', { messageId: a1.id })).deletedAt).toEqual(
      expect.any(Number),
    );
    expect((await ok<Message>(via, alice, 'message.delete', { messageId: a2.id })).text).toBe('');
    // A tombstone stays a tombstone.
    expect(await errorCode(via, alice, 'message.edit', { messageId: a2.id, text: 'back' })).toBe('conflict');
    expect(await errorCode(via, alice, 'message.delete', { messageId: a2.id })).toBe('conflict');
    const { messages } = await history(via, alice, channel.id);
    expect(messages.map((m) => [m.text, m.deletedAt === null])).toEqual([
      ['', false],
      ['', false],
      ['b1!', true],
    ]);
  });

  it('keeps private channels and unjoined ones out of reach', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const carol = await createConnectedUser(server, 'carol');
    const priv = await channelWith(via, alice, [], 'private');
    const pub = await channelWith(via, alice);
    const secret = await send(via, alice, priv.id, 'secret');
    const open = await send(via, alice, pub.id, 'open');

    expect(await errorCode(via, carol, 'channel.history', { channelId: priv.id })).toBe('not_found');
    expect(await errorCode(via, carol, 'channel.history', { channelId: priv.id, after: 0 })).toBe(
      'not_found',
    );
    const carolSends = (channelId: string) =>
      errorCode(via, carol, 'message.send', { channelId, clientId: newId(), text: 'hi' });
    expect(await carolSends(priv.id)).toBe('not_found');
    expect(await errorCode(via, carol, 'message.edit', { messageId: secret.id, text: 'x' })).toBe(
      'not_found',
    );
    expect(await errorCode(via, carol, 'message.delete', { messageId: secret.id })).toBe('not_found');
    const sync = await ok<SyncResponse>(via, carol, 'sync', { epoch: null, cursors: { [priv.id]: 0 } });
    expect(sync.streams).toEqual([]);
    expect(sync.channels.map((c) => c.id)).not.toContain(priv.id);

    // A public channel may be read before joining, but written only after.
    expect((await history(via, carol, pub.id)).messages.map((m) => m.id)).toEqual([open.id]);
    expect(await carolSends(pub.id)).toBe('forbidden');
    expect(await errorCode(via, carol, 'message.edit', { messageId: open.id, text: 'x' })).toBe('forbidden');
    expect((await history(via, alice, priv.id)).messages.map((m) => m.text)).toEqual(['secret']);
    expect(await headSeq(via, alice, pub.id)).toBe(1);
  });
});

describe.each<Transport>(['rest', 'socket'])('catch-up over %s', (via) => {
  const syncOf = async (who: ConnectedUser, cursors: Record<string, number>, extra: object = {}) =>
    ok<SyncResponse>(via, who, 'sync', { epoch: who.hello.epoch, cursors, ...extra });
  const stream = (res: SyncResponse, channelId: string): StreamCatchUp =>
    res.streams.find((s) => s.channelId === channelId)!;

  it('gives a reconnecting client what it missed, each message once in its latest state', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const m1 = await send(via, alice, channel.id, 'one');
    const before = stream(await syncOf(bob, { [channel.id]: 0 }), channel.id);
    expect(before).toMatchObject({ status: 'ok', cursor: 1, headSeq: 1, hasMore: false });
    expect(before.messages.map((m) => m.id)).toEqual([m1.id]);

    bob.socket.disconnect();
    const m2 = await send(via, alice, channel.id, 'two');
    const m3 = await send(via, alice, channel.id, 'three');
    await ok(via, alice, 'message.edit', { messageId: m2.id, text: 'two, edited' });
    await ok(via, alice, 'message.edit', { messageId: m2.id, text: 'two, edited again' });
    await ok(via, alice, 'message.delete', { messageId: m1.id });

    const back = { ...bob, ...(await connect(server.url, bob.token)) };
    const caught = stream(await syncOf(back, { [channel.id]: before.cursor }), channel.id);
    expect(caught).toMatchObject({ status: 'ok', cursor: 6, headSeq: 6, hasMore: false });
    expect(caught.messages.map((m) => [m.id, m.changeSeq, m.text])).toEqual([
      [m3.id, 3, 'three'],
      [m2.id, 5, 'two, edited again'],
      [m1.id, 6, ''],
    ]);
    const again = stream(await syncOf(back, { [channel.id]: caught.cursor }), channel.id);
    expect(again).toMatchObject({ status: 'ok', messages: [], cursor: 6, hasMore: false });
    back.socket.disconnect();
  });

  it('pages a long catch-up with hasMore and a cursor per page', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith(via, alice);
    const sent: SendAck[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await send(via, alice, channel.id, `m${i}`));
    await ok(via, alice, 'message.edit', { messageId: sent[0]!.id, text: 'm1 edited' });
    await ok(via, alice, 'message.edit', { messageId: sent[1]!.id, text: 'm2 edited' });

    const pages: StreamCatchUp[] = [];
    let cursor = 0;
    for (let round = 0; round < 10; round++) {
      const page = stream(await syncOf(alice, { [channel.id]: cursor }, { limit: 2 }), channel.id);
      pages.push(page);
      expect(page.cursor).toBeGreaterThan(cursor);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(pages.map((p) => [p.messages.length, p.cursor, p.hasMore])).toEqual([
      [2, 4, true],
      [2, 6, true],
      [1, 7, false],
    ]);
    const all = pages.flatMap((p) => p.messages);
    expect(all.map((m) => m.text)).toEqual(['m3', 'm4', 'm5', 'm1 edited', 'm2 edited']);
  });

  it('answers reset for another epoch or a cursor ahead of the stream', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith(via, alice);
    await send(via, alice, channel.id, 'one');
    await send(via, alice, channel.id, 'two');
    const reset = { status: 'reset', messages: [], channel: null, cursor: 2, headSeq: 2, hasMore: false };

    const otherEpoch = await ok<SyncResponse>(via, alice, 'sync', {
      epoch: 'another-epoch',
      cursors: { [channel.id]: 1 },
    });
    expect(otherEpoch.epoch).toBe(alice.hello.epoch);
    expect(stream(otherEpoch, channel.id)).toEqual({ channelId: channel.id, ...reset });
    expect(stream(await syncOf(alice, { [channel.id]: 3 }), channel.id)).toEqual({
      channelId: channel.id,
      ...reset,
    });
    // A cursor without an epoch: nothing says it belongs to this history, so it is reset too...
    const unvouched = await ok<SyncResponse>(via, alice, 'sync', {
      epoch: null,
      cursors: { [channel.id]: 1 },
    });
    expect(stream(unvouched, channel.id)).toEqual({ channelId: channel.id, ...reset });
    // ...but cursor 0 claims nothing, so a first catch-up needs no epoch.
    const first = await ok<SyncResponse>(via, alice, 'sync', { epoch: null, cursors: { [channel.id]: 0 } });
    expect(stream(first, channel.id)).toMatchObject({ status: 'ok', cursor: 2 });
    expect(stream(first, channel.id).messages.map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('answers reset for a cursor older than retention', async () => {
    // Pruning is server-wide, so this case gets a server of its own.
    const clock = manualClock(Date.now());
    const own = await startTestServer({}, { clock: clock.now });
    try {
      const alice = await createConnectedUser(own, 'alice');
      const channel = await createChannelWith(own, via, alice);
      await send(via, alice, channel.id, 'old one', {}, own);
      await send(via, alice, channel.id, 'old two', {}, own);
      clock.advance(1);
      const cutoff = clock.now();
      clock.advance(1);
      const kept = await send(via, alice, channel.id, 'new', {}, own);
      expect(await own.ctx.messages.pruneOlderThan(cutoff)).toBe(2);

      const syncAt = async (cursor: number) => {
        const res = await ok<SyncResponse>(
          via,
          alice,
          'sync',
          { epoch: alice.hello.epoch, cursors: { [channel.id]: cursor } },
          own,
        );
        return stream(res, channel.id);
      };
      for (const cursor of [0, 1]) {
        expect(await syncAt(cursor)).toMatchObject({ status: 'reset', messages: [], cursor: 3, headSeq: 3 });
      }
      const current = await syncAt(2);
      expect(current).toMatchObject({ status: 'ok', cursor: 3, hasMore: false });
      expect(current.messages.map((m) => m.id)).toEqual([kept.id]);
      expect((await history(via, alice, channel.id, {}, own)).messages.map((m) => m.id)).toEqual([kept.id]);
    } finally {
      await own.close();
    }
  });
});

describe('sync stays bounded', () => {
  it.each<Transport>(['rest', 'socket'])(
    'the largest sync fits the default body and packet over %s; one cursor more is refused',
    async (via) => {
      const alice = await createConnectedUser(server, `cursors-${via}`);
      const cursors = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, () => [newId(), Number.MAX_SAFE_INTEGER]));
      const largest = { epoch: 'f'.repeat(64), cursors: cursors(MAX_SYNC_CURSORS), limit: 200 };
      const answer = await ok<SyncResponse>(via, alice, 'sync', largest);
      expect(answer.streams).toEqual([]); // none of those channels is hers
      expect(
        await errorCode(via, alice, 'sync', { ...largest, cursors: cursors(MAX_SYNC_CURSORS + 1) }),
      ).toBe('validation_failed');
    },
  );

  it('ignores cursors for channels the user is not in and caps one answer, paging the rest', async () => {
    const own = await startTestServer();
    try {
      const alice = await createConnectedUser(own, 'alice');
      const channels = [
        await createChannelWith(own, 'socket', alice),
        await createChannelWith(own, 'socket', alice),
      ];
      const perChannel = MAX_CATCH_UP_MESSAGES * 0.75;
      for (const channel of channels) {
        for (let i = 0; i < perChannel; i += 50) {
          await Promise.all(
            Array.from({ length: 50 }, (_, j) =>
              own.ctx.messages.send(alice.user, {
                channelId: channel.id,
                clientId: newId(),
                text: `m${i + j}`,
              }),
            ),
          );
        }
      }
      const made = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`made-up-${i}`, 0]));
      let cursors: Record<string, number> = { ...made, [channels[0]!.id]: 0, [channels[1]!.id]: 0 };
      const seen = new Map<string, number>();
      for (let round = 0; round < 10; round++) {
        const answer = unwrap(
          await call<SyncResponse>(alice.socket, 'sync', { epoch: alice.hello.epoch, cursors, limit: 200 }),
        );
        expect(answer.streams.map((s) => s.channelId).sort()).toEqual(channels.map((c) => c.id).sort());
        expect(answer.streams.reduce((n, s) => n + s.messages.length, 0)).toBeLessThanOrEqual(
          MAX_CATCH_UP_MESSAGES,
        );
        for (const s of answer.streams) {
          seen.set(s.channelId, (seen.get(s.channelId) ?? 0) + s.messages.length);
          cursors = { ...cursors, [s.channelId]: s.cursor };
        }
        if (answer.streams.every((s) => !s.hasMore)) break;
      }
      expect(channels.map((c) => seen.get(c.id))).toEqual([perChannel, perChannel]);
    } finally {
      await own.close();
    }
  });
});

describe('group commit isolation', () => {
  it('a send that fails inside a group fails alone; the others in the group are stored', async () => {
    const own = await startTestServer();
    try {
      const alice = await createConnectedUser(own, 'alice');
      const bob = await createConnectedUser(own, 'bob');
      const channel = await createChannelWith(own, 'socket', alice, [bob]);
      // Make bob's insert fail inside the transaction: a trigger refuses his text, as a broken row would.
      if (TEST_DATABASE === 'postgres') {
        await sql`create function refuse_poison() returns trigger language plpgsql as $$
          begin raise exception 'poisoned'; end $$`.execute(own.ctx.db);
        await sql`create trigger refuse_poison before insert on messages for each row
          when (new.text = 'poison') execute function refuse_poison()`.execute(own.ctx.db);
      } else {
        await sql`create trigger refuse_poison before insert on messages when new.text = 'poison'
          begin select raise(abort, 'poisoned'); end`.execute(own.ctx.db);
      }
      const sends = [
        own.ctx.messages.send(alice.user, { channelId: channel.id, clientId: newId(), text: 'fine one' }),
        own.ctx.messages.send(bob.user, { channelId: channel.id, clientId: newId(), text: 'poison' }),
        own.ctx.messages.send(alice.user, { channelId: channel.id, clientId: newId(), text: 'fine two' }),
      ];
      const results = await Promise.allSettled(sends);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const stored = await own.ctx.messages.history(alice.user, { channelId: channel.id });
      expect(stored.messages.map((m) => [m.seq, m.text])).toEqual([
        [1, 'fine one'],
        [2, 'fine two'],
      ]);
    } finally {
      await own.close();
    }
  });

  it(`resolves at most ${MAX_MENTIONS} distinct mentions per message`, async () => {
    const alice = await createConnectedUser(server, 'mentioner');
    const channel = await createChannelWith(server, 'socket', alice);
    const text = Array.from({ length: 1000 }, (_, i) => `@u${i}`).join(' ') + ` @${alice.user.username}`;
    const ack = await server.ctx.messages.send(alice.user, {
      channelId: channel.id,
      clientId: newId(),
      text,
    });
    // The member's own name comes after the cap, so it is plain text; within the cap it counts.
    expect(ack.message.mentions).toEqual([]);
    const early = await server.ctx.messages.send(alice.user, {
      channelId: channel.id,
      clientId: newId(),
      text: `@${alice.user.username} ${text}`,
    });
    expect(early.message.mentions).toEqual([alice.user.id]);
  });
});
