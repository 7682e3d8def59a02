// Graceful shutdown, per transport: every send the server accepted is committed and acknowledged, each
// client gets `server.shutdown` and then a Socket.IO DISCONNECT, HTTP answers 503 while the server
// drains, and whatever lingers is cut after the grace period.
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Result, SendAck } from '@switchboard/protocol';
import {
  api,
  call,
  connect,
  createUser,
  nextEvent,
  startTestServer,
  type TestServer,
} from '../../tests/support/server.ts';

const GRACE_SECONDS = 2;

type Outcome = Result<SendAck> | 'no ack';

/** A channel and a connected socket of a fresh user on `server`. */
async function sender(server: TestServer, transports: ('websocket' | 'polling')[]) {
  const alice = await createUser(server, 'alice');
  const made = await api(server.url, 'POST', '/api/v1/channels', {
    token: alice.token,
    json: { name: 'last-words', visibility: 'public' },
  });
  const { socket } = await connect(server.url, alice.token, { transports });
  return { alice, channelId: made.body.id as string, socket };
}

describe.each([['websocket'], ['polling']] as const)('shutdown over %s', (transport) => {
  it('acks every send it stored, sends server.shutdown then DISCONNECT, and loses nothing acked', async () => {
    const server = await startTestServer({ shutdownGraceSeconds: GRACE_SECONDS });
    const { alice, channelId, socket } = await sender(server, [transport]);
    const shutdown = nextEvent<{ reconnectAfterMs: number }>(socket, 'server.shutdown', () => true, 10_000);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    // The signal lands mid-burst: when the 10th send reaches the domain, with more on the wire.
    let closing: Promise<void> | undefined;
    let sendsSeen = 0;
    const send = server.ctx.messages.send.bind(server.ctx.messages);
    server.ctx.messages.send = (actor, input) => {
      if (++sendsSeen === 10) closing = server.close();
      return send(actor, input);
    };
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call<SendAck>(
          socket,
          'message.send',
          { channelId, clientId: `last-${transport}-${i}`, text: `n${i}` },
          8_000,
        ).then(
          (result): Outcome => result,
          (): Outcome => 'no ack',
        ),
      ),
    );
    expect(closing).toBeDefined();
    expect((await shutdown).reconnectAfterMs).toBeLessThan(5_000);
    // 'io server disconnect' is what a client reports for a DISCONNECT packet; a cut connection is 'transport close'.
    expect(await disconnected).toBe('io server disconnect');
    await closing;

    const acked = new Map(
      outcomes.flatMap((o) =>
        o !== 'no ack' && o.ok ? [[o.data.message.clientId, o.data.id] as const] : [],
      ),
    );
    for (const outcome of outcomes)
      if (outcome !== 'no ack' && !outcome.ok) expect(outcome.error.code).toBe('unavailable');
    expect(acked.size).toBeGreaterThanOrEqual(10);
    const again = await startTestServer({ dataDir: server.dataDir });
    try {
      const login = await api(again.url, 'POST', '/api/v1/auth/login', {
        json: { username: 'alice', password: alice.password },
      });
      const history = await api(
        again.url,
        'GET',
        `/api/v1/channels/${channelId}/messages?after=0&limit=200`,
        {
          token: login.body.token,
        },
      );
      const stored = new Map(
        (history.body.messages as { clientId: string; id: string }[]).map((m) => [m.clientId, m.id]),
      );
      // Everything stored was acknowledged, and everything acknowledged was stored.
      expect(stored).toEqual(acked);
    } finally {
      await again.close();
    }
  });
});

/** Opens a WebSocket by hand and then ignores everything, close frames included. */
async function deafWebSocket(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await once(socket, 'data');
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  return socket;
}

/** An Engine.IO long-polling session that connects to Socket.IO and then never polls again. */
async function silentPollingSession(server: TestServer, token: string): Promise<void> {
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const post = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: `40${JSON.stringify({ token })}` });
  expect(await post.text()).toBe('ok');
}

describe('shutdown over plain HTTP, with clients that linger', () => {
  it('answers 503 with Connection: close while draining, then cuts lingering clients after the grace', async () => {
    const server = await startTestServer({ shutdownGraceSeconds: GRACE_SECONDS });
    const bob = await createUser(server, 'bob');
    const deaf = await deafWebSocket(server.port);
    await silentPollingSession(server, bob.token);
    const idle = net.connect(server.port, '127.0.0.1');
    await once(idle, 'connect');

    const started = Date.now();
    const closing = server.close();
    const during = await fetch(`${server.url}/healthz`);
    expect(during.status).toBe(503);
    expect(during.headers.get('connection')).toBe('close');
    expect(((await during.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    const page = await fetch(`${server.url}/api/v1/auth/status`);
    expect(page.status).toBe(503);
    await page.arrayBuffer();

    const cut = Promise.all([once(deaf, 'close'), once(idle, 'close')]);
    await closing;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 100);
    expect(took).toBeLessThan(GRACE_SECONDS * 1000 + 3_000);
    await cut;
  });

  it('finishes at once when no client lingers', async () => {
    const server = await startTestServer({ shutdownGraceSeconds: 30 });
    const carol = await createUser(server, 'carol');
    const { socket } = await connect(server.url, carol.token, { transports: ['polling'] });
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await disconnected).toBe('io server disconnect');
  });
});
