// Channel details against a real server, over both transports: display names in any script with a
// derived slug, topic and purpose, rename and archive as changes of the channel's stream (live and
// by catch-up), and archived channels refusing every write.
import { describe, expect, it } from 'vitest';
import {
  newId,
  type Channel,
  type ChannelStreamEvent,
  type ChannelSummary,
  type Message,
  type SendAck,
  type StreamCatchUp,
  type StreamEvent,
  type SyncResponse,
} from '@switchboard/protocol';
import {
  createChannelWith,
  createConnectedUser,
  flush,
  nextEvent,
  perform,
  record,
  summaryOf,
  uniqueName,
  type ConnectedUser,
  type SharedAction,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const { server, ok, errorCode, send, aliceAndBob } = useTestServer();

const create = (via: Transport, who: ConnectedUser, request: Record<string, unknown>) =>
  ok<ChannelSummary>(via, who, 'channel.create', { visibility: 'public', ...request });

const update = (via: Transport, who: ConnectedUser, channelId: string, changes: Record<string, unknown>) =>
  ok<Channel>(via, who, 'channel.update', { channelId, ...changes });

const catchUp = async (via: Transport, who: ConnectedUser, channelId: string, cursor: number) => {
  const answer = await ok<SyncResponse>(via, who, 'sync', {
    epoch: who.hello.epoch,
    cursors: { [channelId]: cursor },
  });
  return answer.streams.find((s) => s.channelId === channelId)!;
};

describe.each<Transport>(['rest', 'socket'])('channel names over %s', (via) => {
  it('keeps a display name in any script and derives a unique ASCII slug from it', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const tag = uniqueName('team').replace(/-/g, '');
    const latin = await create(via, alice, { displayName: `Général ${tag} Chat` });
    expect(latin).toMatchObject({ displayName: `Général ${tag} Chat`, name: `general-${tag}-chat` });
    const again = await create(via, alice, { displayName: `General ${tag} chat!` });
    expect(again).toMatchObject({ displayName: `General ${tag} chat!`, name: `general-${tag}-chat-2` });

    // A name in another script gets a short slug from the channel's id, not a fragment of the name.
    const korean = await create(via, alice, { displayName: ' 개발팀 공지 ' });
    expect(korean.displayName).toBe('개발팀 공지');
    expect(korean.name).toBe(`c-${korean.id.replace(/-/g, '').slice(-8)}`);
    expect(korean.name).toMatch(/^c-[0-9a-f]{8}$/);

    // As before 0.2: a slug alone is also the display name; a slug someone chose is theirs or a conflict.
    const plain = uniqueName('plain');
    expect(await create(via, alice, { name: plain })).toMatchObject({ name: plain, displayName: plain });
    expect(await errorCode(via, alice, 'channel.create', { name: plain, visibility: 'public' })).toBe(
      'conflict',
    );
    const both = await create(via, alice, { name: uniqueName('ops'), displayName: '운영 Ops' });
    expect(both.displayName).toBe('운영 Ops');

    for (const bad of [
      { visibility: 'public' },
      { displayName: '   ', visibility: 'public' },
      { displayName: 'x'.repeat(81), visibility: 'public' },
      { displayName: 'line\nbreak', visibility: 'public' },
      { displayName: 'evil\u202egnp', visibility: 'public' },
      { name: 'General Chat', visibility: 'public' },
    ])
      expect(await errorCode(via, alice, 'channel.create', bad)).toBe('validation_failed');
  });
});

describe.each<Transport>(['rest', 'socket'])('channel details over %s', (via) => {
  it('lets members set the topic and purpose; renaming is for the creator and admins', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const admin = await createConnectedUser(server, 'admin', { isAdmin: true });
    const channel = await createChannelWith(server, via, alice, [bob, admin]);

    const topic = await update(via, bob, channel.id, { topic: 'Release train', purpose: 'Ship weekly' });
    expect(topic).toMatchObject({ topic: 'Release train', purpose: 'Ship weekly', changeSeq: 1, headSeq: 1 });
    expect(await errorCode(via, bob, 'channel.update', { channelId: channel.id, displayName: 'Mine' })).toBe(
      'forbidden',
    );
    expect(await errorCode(via, bob, 'channel.update', { channelId: channel.id, archived: true })).toBe(
      'forbidden',
    );
    const renamed = await update(via, alice, channel.id, { displayName: '릴리스 Train' });
    // Renaming keeps the slug (links keep working) unless a new one is given.
    expect(renamed).toMatchObject({ displayName: '릴리스 Train', name: channel.name, changeSeq: 2 });
    const slug = uniqueName('release');
    expect(await update(via, admin, channel.id, { name: slug })).toMatchObject({ name: slug, changeSeq: 3 });
    const taken = await create(via, alice, { name: uniqueName('taken') });
    expect(await errorCode(via, alice, 'channel.update', { channelId: channel.id, name: taken.name })).toBe(
      'conflict',
    );

    // A change that changes nothing stores nothing and takes no seq.
    expect(await update(via, alice, channel.id, { topic: 'Release train' })).toMatchObject({ changeSeq: 3 });
    expect((await summaryOf(server, via, alice, channel.id)).headSeq).toBe(3);

    const outsider = await createConnectedUser(server, 'outsider');
    expect(await errorCode(via, outsider, 'channel.update', { channelId: channel.id, topic: 'x' })).toBe(
      'forbidden',
    );
    const secret = await createChannelWith(server, via, alice, [], 'private');
    expect(await errorCode(via, outsider, 'channel.update', { channelId: secret.id, topic: 'x' })).toBe(
      'not_found',
    );
    const direct = await ok<ChannelSummary>(via, alice, 'direct.open', { userId: bob.user.id });
    expect(await errorCode(via, alice, 'channel.update', { channelId: direct.id, topic: 'x' })).toBe(
      'forbidden',
    );
    for (const bad of [{}, { topic: 'x'.repeat(501) }, { purpose: 'a\u0007b' }, { archived: 'yes' }])
      expect(await errorCode(via, alice, 'channel.update', { channelId: channel.id, ...bad })).toBe(
        'validation_failed',
      );
  });

  it('sends a rename and an archive live as changes of the stream, and by catch-up to who was away', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const first = await send(via, alice, channel.id, 'before');
    await flush(bob.socket);
    const live = record<StreamEvent>(bob.socket, 'stream.event');

    await update(via, alice, channel.id, { displayName: 'Renamed', topic: 'New topic' });
    const archived = await update(via, alice, channel.id, { archived: true });
    expect(archived.archivedAt).toEqual(expect.any(Number));
    await flush(bob.socket);
    expect(live.map((e) => [e.seq, e.kind])).toEqual([
      [2, 'channel'],
      [3, 'channel'],
    ]);
    expect((live[1] as ChannelStreamEvent).channel).toMatchObject({
      id: channel.id,
      displayName: 'Renamed',
      topic: 'New topic',
      archivedAt: archived.archivedAt,
      changeSeq: 3,
    });

    // Bob was away since seq 1: catch-up brings the channel's latest details once, with the cursor.
    const missed: StreamCatchUp = await catchUp(via, bob, channel.id, first.seq);
    expect(missed).toMatchObject({ status: 'ok', messages: [], cursor: 3, headSeq: 3 });
    expect(missed.channel).toMatchObject({ displayName: 'Renamed', archivedAt: archived.archivedAt });
    // Caught up: nothing again.
    expect((await catchUp(via, bob, channel.id, 3)).channel).toBeNull();
    // The summaries carry it too, and archived channels stay readable.
    expect(await summaryOf(server, via, bob, channel.id)).toMatchObject({
      displayName: 'Renamed',
      archivedAt: archived.archivedAt,
    });
    expect(
      (await ok<{ messages: Message[] }>(via, bob, 'channel.history', { channelId: channel.id })).messages,
    ).toHaveLength(1);
  });

  it('refuses every write to an archived channel, and takes them again once it is restored', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const admin = await createConnectedUser(server, 'admin', { isAdmin: true });
    const channel = await createChannelWith(server, via, alice, [bob, admin]);
    const message = await send(via, bob, channel.id, 'hello');
    const stored = await ok<SendAck>(via, bob, 'message.send', {
      channelId: channel.id,
      clientId: 'stored-before-archive',
      text: 'kept',
    });
    await update(via, admin, channel.id, { archived: true });
    const head = (await summaryOf(server, via, bob, channel.id)).headSeq;

    const refusals: [SharedAction, Record<string, unknown>][] = [
      ['message.send', { channelId: channel.id, clientId: newId(), text: 'late' }],
      ['message.send', { channelId: channel.id, clientId: newId(), text: 'reply', parentId: message.id }],
      ['message.edit', { messageId: message.id, text: 'changed' }],
      ['message.delete', { messageId: message.id }],
      ['reaction.add', { messageId: message.id, emoji: '👍' }],
      ['channel.update', { channelId: channel.id, topic: 'members cannot' }],
    ];
    for (const [action, payload] of refusals) {
      const res = await perform(server, via, bob, action, payload);
      expect(res, action).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      if (!res.ok && action !== 'channel.update') expect(res.error.message).toMatch(/archived/);
    }
    expect((await summaryOf(server, via, bob, channel.id)).headSeq).toBe(head);
    // A send retried with a clientId already stored still gets its message back.
    expect(
      await ok<SendAck>(via, bob, 'message.send', {
        channelId: channel.id,
        clientId: 'stored-before-archive',
        text: 'kept',
      }),
    ).toMatchObject({ id: stored.id, duplicate: true });

    // The creator may still say where the conversation went, and restore it.
    expect(await update(via, alice, channel.id, { purpose: 'Moved to #new' })).toMatchObject({
      purpose: 'Moved to #new',
    });
    expect(await update(via, alice, channel.id, { archived: false })).toMatchObject({ archivedAt: null });
    expect(await send(via, bob, channel.id, 'back')).toMatchObject({ duplicate: false });
  });
});

describe('channel details on the socket', () => {
  it('reaches every member connection at once, with the seq after the last change', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const channel = await createChannelWith(server, 'socket', alice, [bob]);
    const seen = nextEvent<StreamEvent>(bob.socket, 'stream.event', (e) => e.kind === 'channel');
    await update('socket', alice, channel.id, { topic: 'Live' });
    expect(await seen).toMatchObject({
      channelId: channel.id,
      seq: 1,
      kind: 'channel',
      channel: { topic: 'Live' },
    });
  });
});
