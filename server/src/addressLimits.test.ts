// Limits per client address on what costs the server before anyone has signed in: open TCP
// connections, and Engine.IO sessions that have not completed the Socket.IO handshake.
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../tests/support/lifecycle.ts';
import { connect, createUser, uniqueName } from '../../tests/support/server.ts';

describe('TCP connections per address', () => {
  const { server } = useTestServer({ maxConnectionsPerAddress: 3 });

  it('closes a connection beyond the limit at once, and admits one again when another closes', async () => {
    const open: net.Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const socket = net.connect(server.port, '127.0.0.1');
      await once(socket, 'connect');
      open.push(socket);
    }
    const extra = net.connect(server.port, '127.0.0.1');
    extra.on('error', () => undefined);
    await once(extra, 'close');

    const first = open.shift()!;
    const gone = once(first, 'close');
    first.destroy();
    await gone;
    // The server has seen that one go once a new one gets an answer.
    await expect.poll(async () => (await fetch(`${server.url}/healthz`).catch(() => null))?.status).toBe(200);
    for (const socket of open) socket.destroy();
  });
});

describe('Engine.IO sessions that have not signed in, per address', () => {
  // A session that signs in and never polls again holds the shutdown for its grace period.
  const { server } = useTestServer({ maxPendingSessionsPerAddress: 2, shutdownGraceSeconds: 1 });
  const handshake = () => fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
  const sidOf = async (res: Response) => (JSON.parse((await res.text()).slice(1)) as { sid: string }).sid;

  it('refuses a new session while too many from the address are still signing in', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const session = (sid: string) => `${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const first = await sidOf(await handshake());
    const second = await sidOf(await handshake());
    const refused = await handshake();
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();

    // Signing in on one of them frees its place; closing the other frees another.
    const signIn = await fetch(session(first), {
      method: 'POST',
      body: `40${JSON.stringify({ token: alice.token })}`,
    });
    expect(await signIn.text()).toBe('ok');
    const close = await fetch(session(second), { method: 'POST', body: '1' });
    expect(await close.text()).toBe('ok');
    // Signed-in connections do not count: more of them than the limit connect one after another.
    for (let i = 0; i < 3; i++) (await connect(server.url, alice.token)).socket.disconnect();
  });
});
