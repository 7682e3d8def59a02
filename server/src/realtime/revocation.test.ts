// Credentials that stop working also stop live connections: logout, token revocation, password
// change and deactivation reach sockets that are already open.
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@switchboard/protocol';
import {
  api,
  call,
  connect,
  createChannelWith,
  createConnectedUser,
  createUser,
  record,
  startTestServer,
  uniqueName,
  unwrap,
  type TestSocket,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { silentNotifier } from '../domain/notifier.ts';
import { openServices } from '../server.ts';

const { server } = useTestServer();

const disconnected = (socket: TestSocket) =>
  new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

describe('revocation reaches open sockets', () => {
  it('logout over REST disconnects the sockets of that token only', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const second = await api(server.url, 'POST', '/api/v1/auth/login', {
      json: { username: alice.user.username, password: alice.password },
    });
    const { socket: revoked } = await connect(server.url, alice.token);
    const { socket: kept } = await connect(server.url, second.body.token);
    const dropped = disconnected(revoked);
    expect((await api(server.url, 'POST', '/api/v1/auth/logout', { token: alice.token })).status).toBe(204);
    expect(await dropped).toBe('io server disconnect');
    expect((await call(kept, 'channel.list', {})).ok).toBe(true);
    kept.disconnect();
  });

  it('a password change disconnects every other signed-in socket of the user', async () => {
    const bob = await createUser(server, uniqueName('bob'));
    const laptop = await api(server.url, 'POST', '/api/v1/auth/login', {
      json: { username: bob.user.username, password: bob.password },
    });
    const { socket: elsewhere } = await connect(server.url, laptop.body.token);
    const { socket: here } = await connect(server.url, bob.token);
    const dropped = disconnected(elsewhere);
    const res = await api(server.url, 'POST', '/api/v1/me/password', {
      token: bob.token,
      json: { currentPassword: bob.password, newPassword: 'a-new-long-password' },
    });
    expect(res.status).toBe(204);
    expect(await dropped).toBe('io server disconnect');
    // The session that changed the password keeps its connection.
    expect((await call(here, 'channel.list', {})).ok).toBe(true);
    here.disconnect();
  });

  it('deactivating a user disconnects them, refuses sign-in, and keeps their messages in history', async () => {
    const admin = await createUser(server, uniqueName('admin'), { isAdmin: true });
    const carol = await createConnectedUser(server, uniqueName('carol'));
    const channel = await createChannelWith(server, 'socket', carol, [], 'public');
    const sent = unwrap(
      await call(carol.socket, 'message.send', {
        channelId: channel.id,
        clientId: 'carol-msg-0001',
        text: 'still here',
      }),
    );
    const dropped = disconnected(carol.socket);
    expect(
      (await api(server.url, 'DELETE', `/api/v1/users/${carol.user.id}`, { token: admin.token })).status,
    ).toBe(204);
    expect(await dropped).toBe('io server disconnect');

    const login = await api(server.url, 'POST', '/api/v1/auth/login', {
      json: { username: carol.user.username, password: carol.password },
    });
    expect(login.status).toBe(401);
    const history = await api(server.url, 'GET', `/api/v1/channels/${channel.id}/messages`, {
      token: admin.token,
    });
    expect(history.body.messages.map((m: { id: string }) => m.id)).toEqual([sent.id]);
    const users = await api(server.url, 'GET', '/api/v1/users', { token: admin.token });
    expect(users.body.users.find((u: { id: string }) => u.id === carol.user.id)).toMatchObject({
      deactivated: true,
    });
  });

  it('refuses to deactivate the last active admin', async () => {
    const solo = await startTestServer();
    try {
      const root = await createUser(solo, 'root', { isAdmin: true });
      const res = await api(solo.url, 'DELETE', `/api/v1/users/${root.user.id}`, { token: root.token });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/last admin/);
    } finally {
      await solo.close();
    }
  });

  it('a sweep catches revocations made by another process, such as the CLI', async () => {
    const swept = await startTestServer({}, { revocationSweepMs: 200 });
    try {
      const dave = await createUser(swept, 'dave');
      const { socket } = await connect(swept.url, dave.token);
      const dropped = disconnected(socket);
      // A second connection to the same database, as `switchboard-server token revoke` would open.
      const cli = await openServices(swept.ctx.config, { notifier: silentNotifier });
      const [token] = await cli.accounts.listTokens('dave');
      await cli.accounts.revokeToken(token!.id);
      await cli.db.destroy();
      expect(await dropped).toBe('io server disconnect');
    } finally {
      await swept.close();
    }
  });
});

describe('a revocation that races the handshake', () => {
  it('still drops the socket when the token is revoked after the handshake checked it', async () => {
    const gail = await createUser(server, uniqueName('gail'));
    const [session] = await server.ctx.accounts.listTokens(gail.user.username);
    // The revocation lands after the handshake has checked the token but before the socket is live,
    // where the in-process revocation cannot see it yet.
    const authenticate = server.ctx.accounts.authenticate.bind(server.ctx.accounts);
    server.ctx.accounts.authenticate = async (token) => {
      const user = await authenticate(token);
      if (token === gail.token) await server.ctx.accounts.revokeToken(session!.id);
      return user;
    };
    try {
      const socket: TestSocket = io(server.url, {
        auth: { token: gail.token, protocolVersion: PROTOCOL_VERSION },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const helloed = record(socket, 'hello');
      expect(await disconnected(socket)).toBe('io server disconnect');
      expect(helloed).toEqual([]);
    } finally {
      server.ctx.accounts.authenticate = authenticate;
    }
  });
});

describe('per-address limits behind a trusted proxy', () => {
  it('counts Socket.IO handshakes per X-Forwarded-For address when the proxy is trusted', async () => {
    const proxied = await startTestServer({ trustProxy: '127.0.0.1', rateLimitIp: 2, rateLimitUser: 1000 });
    try {
      const erin = await createUser(proxied, 'erin');
      const handshake = (forwardedFor: string) =>
        connect(proxied.url, erin.token, { extraHeaders: { 'x-forwarded-for': forwardedFor } }).then(
          ({ socket }) => (socket.disconnect(), 'ok'),
          (err: { data?: { code: string } }) => err.data?.code,
        );
      // createUser's login used the login limiter only; each address gets its own 2 per minute.
      expect(await handshake('203.0.113.1')).toBe('ok');
      expect(await handshake('203.0.113.1')).toBe('ok');
      expect(await handshake('203.0.113.1')).toBe('rate_limited');
      expect(await handshake('203.0.113.2')).toBe('ok');
    } finally {
      await proxied.close();
    }
  });
});

describe('protocol version', () => {
  it('tells the client the supported range in machine-readable details', async () => {
    const frank = await createUser(server, uniqueName('frank'));
    const err = await connect(server.url, frank.token, { protocolVersion: 999 }).then(
      () => undefined,
      (e: { data?: unknown }) => e.data,
    );
    expect(err).toMatchObject({ code: 'unsupported_version', details: { minProtocol: 1, maxProtocol: 1 } });
  });
});
