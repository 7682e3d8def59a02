// The Socket.IO transport against a real server: handshake, live events, typing, presence and limits.
import { describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io-client';
import {
  newId,
  PROTOCOL_VERSION,
  User,
  type ChannelSummary,
  type MessageStreamEvent,
  type StreamEvent,
} from '@switchboard/protocol';
import {
  api,
  call,
  codeOf,
  connect,
  createChannelWith,
  createConnectedUser,
  createUser,
  flush,
  nextEvent,
  record,
  summaryOf,
  uniqueName,
  unwrap,
  type ConnectedUser,
  type TestSocket,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const MAX_CONNECTIONS = 3;

const { server } = useTestServer({ maxConnectionsPerUser: MAX_CONNECTIONS });

const ok = async <T = any>(socket: TestSocket, event: string, payload: unknown) =>
  unwrap(await call<T>(socket, event, payload), event);
const errorCode = async (socket: TestSocket, event: string, payload: unknown) =>
  codeOf(await call(socket, event, payload));

const channelWith = (owner: ConnectedUser, members: ConnectedUser[], visibility: 'public' | 'private') =>
  createChannelWith(server, 'socket', owner, members, visibility);

const headSeq = async (who: ConnectedUser, channelId: string) =>
  (await summaryOf(server, 'socket', who, channelId)).headSeq;

async function presenceOf(socket: TestSocket, userId: string): Promise<string> {
  const { users } = await ok<{ users: { id: string; presence: string }[] }>(socket, 'user.list', {});
  return users.find((u) => u.id === userId)!.presence;
}

describe('handshake', () => {
  it('greets with hello: protocol, epoch, user and limits; long-polling works too', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    for (const transports of [['websocket'], ['polling']] as const) {
      const { socket, hello } = await connect(server.url, alice.token, { transports: [...transports] });
      expect(hello).toMatchObject({
        protocolVersion: PROTOCOL_VERSION,
        serverVersion: server.ctx.version,
        epoch: server.ctx.epoch,
        user: alice.user,
        limits: {
          maxPayloadBytes: server.ctx.config.maxPayloadBytes,
          maxMessageLength: server.ctx.config.maxMessageLength,
        },
      });
      const channel = await ok<ChannelSummary>(socket, 'channel.create', {
        name: uniqueName('poll'),
        visibility: 'public',
      });
      const delivered = nextEvent<MessageStreamEvent>(
        socket,
        'stream.event',
        (e) => e.channelId === channel.id,
      );
      await ok(socket, 'message.send', { channelId: channel.id, clientId: newId(), text: transports[0] });
      expect((await delivered).message.text).toBe(transports[0]);
      socket.disconnect();
    }
  });

  it('sends the user in hello exactly in the documented User shape, whatever token connected', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const script = await server.ctx.accounts.createToken(alice.user.id, { kind: 'access' });
    for (const token of [alice.token, script.token]) {
      const { socket, hello } = await connect(server.url, token);
      expect(Object.keys(hello.user).sort()).toEqual(Object.keys(User.shape).sort());
      expect(hello.user).toEqual(alice.user);
      socket.disconnect();
    }
  });

  it('refuses a protocol version it does not speak', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    for (const protocolVersion of [PROTOCOL_VERSION + 1, 0]) {
      await expect(connect(server.url, alice.token, { protocolVersion })).rejects.toMatchObject({
        data: { code: 'unsupported_version' },
      });
    }
  });

  it('refuses connections beyond the per-user limit with too_many_connections, even in a burst', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const attempts = await Promise.allSettled(
      Array.from({ length: MAX_CONNECTIONS + 2 }, () => connect(server.url, alice.token)),
    );
    const sockets = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.socket] : []));
    expect(sockets).toHaveLength(MAX_CONNECTIONS);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected')
        expect(attempt.reason).toMatchObject({ data: { code: 'too_many_connections' } });
    }
    // Another user is not affected.
    const bob = await createUser(server, uniqueName('bob'));
    (await connect(server.url, bob.token)).socket.disconnect();

    // A closed connection frees its place.
    sockets.pop()!.disconnect();
    await vi.waitFor(() => expect(server.ctx.presence.count(alice.user.id)).toBe(MAX_CONNECTIONS - 1));
    sockets.push((await connect(server.url, alice.token)).socket);
    await expect(connect(server.url, alice.token)).rejects.toMatchObject({
      data: { code: 'too_many_connections' },
    });
    for (const socket of sockets) socket.disconnect();
  });
});

describe('events', () => {
  it('answers an unknown event with unknown_event', async () => {
    const alice = await createConnectedUser(server, 'alice');
    for (const event of ['message.sendx', 'hello', 'stream.event', 'constructor']) {
      const res = await call(alice.socket, event, {});
      expect(res).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    }
  });

  it('answers payloads of the wrong type with validation_failed and stores nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await channelWith(alice, [], 'public');
    const good = { channelId: channel.id, clientId: newId(), text: 'hi' };
    for (const payload of ['hi', 42, null, [good], { ...good, text: null }, { ...good, channelId: 7 }]) {
      expect(await errorCode(alice.socket, 'message.send', payload)).toBe('validation_failed');
    }
    // Two payloads where one is expected.
    const twice = await (alice.socket.timeout(5_000) as unknown as Socket).emitWithAck(
      'message.send',
      good,
      good,
    );
    expect(twice).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await errorCode(alice.socket, 'channel.create', { name: uniqueName('x'), visibility: 1 })).toBe(
      'validation_failed',
    );
    expect(await errorCode(alice.socket, 'channel.list', { extra: true })).toBe('validation_failed');
    expect(await headSeq(alice, channel.id)).toBe(0);
  });

  it('delivers stream.event to every socket of every member and to nobody else', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const { socket: aliceOther } = await connect(server.url, alice.token);
    const priv = await channelWith(alice, [bob], 'private');
    const pub = await channelWith(alice, [bob], 'public');
    const carolSaw = record<StreamEvent>(carol.socket, 'stream.event');

    for (const channel of [priv, pub]) {
      const receivers = [alice.socket, aliceOther, bob.socket].map((s) =>
        nextEvent<StreamEvent>(s, 'stream.event', (e) => e.channelId === channel.id),
      );
      const ack = await ok(alice.socket, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text: 'news',
      });
      // In the private channel, the notice that bob was added came first.
      expect(ack.seq).toBe(channel === priv ? 2 : 1);
      for (const event of await Promise.all(receivers)) {
        expect(event).toMatchObject({
          channelId: channel.id,
          seq: ack.seq,
          kind: 'created',
          message: { id: ack.id, text: 'news' },
        });
      }
    }
    await flush(carol.socket);
    expect(carolSaw).toEqual([]);
    aliceOther.disconnect();
  });

  it('sends typing to the other members only and stores nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const carol = await createConnectedUser(server, 'carol');
    const channel = await channelWith(alice, [bob], 'public');
    const priv = await channelWith(alice, [], 'private');
    const aliceSaw = record(alice.socket, 'typing');
    const carolSaw = record(carol.socket, 'typing');

    const seen = nextEvent(bob.socket, 'typing');
    expect(await call(alice.socket, 'typing', { channelId: channel.id })).toEqual({ ok: true, data: null });
    expect(await seen).toEqual({ channelId: channel.id, userId: alice.user.id });
    // Typing needs no ack.
    const seenAgain = nextEvent(bob.socket, 'typing');
    alice.socket.emit('typing', { channelId: channel.id });
    expect(await seenAgain).toEqual({ channelId: channel.id, userId: alice.user.id });

    expect(await errorCode(carol.socket, 'typing', { channelId: channel.id })).toBe('forbidden');
    expect(await errorCode(carol.socket, 'typing', { channelId: priv.id })).toBe('not_found');
    expect(await errorCode(carol.socket, 'typing', { channelId: 5 })).toBe('validation_failed');
    await flush(alice.socket);
    await flush(carol.socket);
    expect(aliceSaw).toEqual([]);
    expect(carolSaw).toEqual([]);
    expect(await headSeq(alice, channel.id)).toBe(0);
  });

  it('tracks presence per user: online with the first socket, offline only after the last', async () => {
    const watcher = await createConnectedUser(server, 'watcher');
    const alice = await createUser(server, uniqueName('alice'));
    const seen = record<{ changes: { userId: string; status: string }[] }>(watcher.socket, 'presence');
    const aliceEvents = () =>
      seen
        .flatMap((e) => e.changes)
        .filter((c) => c.userId === alice.user.id)
        .map((c) => c.status);
    const change = (status: string) =>
      nextEvent(watcher.socket, 'presence', (e: { changes: { userId: string }[] }) =>
        e.changes.some((c) => c.userId === alice.user.id),
      )
        .then((e) => e.changes.find((c: { userId: string }) => c.userId === alice.user.id))
        .then((c) => {
          expect(c).toEqual({ userId: alice.user.id, status });
        });
    const restPresence = async () =>
      (await api(server.url, 'GET', '/api/v1/users', { token: watcher.token })).body.users.find(
        (u: { id: string }) => u.id === alice.user.id,
      ).presence;

    expect(await presenceOf(watcher.socket, alice.user.id)).toBe('offline');
    const online = change('online');
    const first = (await connect(server.url, alice.token)).socket;
    await online;
    expect(await presenceOf(watcher.socket, alice.user.id)).toBe('online');

    const second = (await connect(server.url, alice.token)).socket;
    first.disconnect();
    await vi.waitFor(() => expect(server.ctx.presence.count(alice.user.id)).toBe(1));
    // A wrongly queued 'offline' would go out no later than the batch announcing the next change, which
    // a marker user's first connection makes: once the marker is seen online, alice's would have been too.
    const marker = await createUser(server, uniqueName('marker'));
    const markerOnline = nextEvent(watcher.socket, 'presence', (e: { changes: { userId: string }[] }) =>
      e.changes.some((c) => c.userId === marker.user.id),
    );
    const markerSocket = (await connect(server.url, marker.token)).socket;
    await markerOnline;
    markerSocket.disconnect();
    expect(aliceEvents()).toEqual(['online']);
    expect(await presenceOf(watcher.socket, alice.user.id)).toBe('online');
    expect(await restPresence()).toBe('online');

    const offline = change('offline');
    second.disconnect();
    await offline;
    expect(aliceEvents()).toEqual(['online', 'offline']);
    expect(await presenceOf(watcher.socket, alice.user.id)).toBe('offline');
    expect(await restPresence()).toBe('offline');
  });
});

describe('packet size', () => {
  const tooBig = () => 'x'.repeat(server.ctx.config.maxPayloadBytes + 10);

  it('closes a WebSocket connection whose packet is larger than maxPayloadBytes', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const disconnected = new Promise<string>((resolve) => alice.socket.once('disconnect', resolve));
    alice.socket.emit('typing', { channelId: tooBig() });
    expect(await disconnected).toBe('transport close');
    await vi.waitFor(() => expect(server.ctx.presence.count(alice.user.id)).toBe(0));
  });

  it('closes a long-polling session whose packet is too large the same way, not only that request', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const session = `${base}&sid=${(JSON.parse(open.slice(1)) as { sid: string }).sid}`;
    const connected = await fetch(session, {
      method: 'POST',
      body: `40${JSON.stringify({ token: alice.token })}`,
    });
    expect(await connected.text()).toBe('ok');
    await vi.waitFor(() => expect(server.ctx.presence.count(alice.user.id)).toBe(1));

    const big = await fetch(session, {
      method: 'POST',
      body: `42${JSON.stringify(['typing', { channelId: tooBig() }])}`,
    });
    expect(big.status).toBe(413);
    await big.arrayBuffer();
    await vi.waitFor(() => expect(server.ctx.presence.count(alice.user.id)).toBe(0), { timeout: 5_000 });
    const next = await fetch(session);
    expect(next.status).toBe(400);
    expect(await next.json()).toMatchObject({ message: 'Session ID unknown' });
  });
});
