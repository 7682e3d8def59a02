// Sign-in, tokens, first-admin setup and registration against a real server over HTTP and Socket.IO.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  connect,
  createUser,
  login,
  startTestServer,
  uniqueName,
  type TestServer,
} from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const PASSWORD = 'correct-horse-battery';

/** The token is refused the same way on both transports. */
async function expectRefused(server: TestServer, token: string): Promise<void> {
  const me = await api(server.url, 'GET', '/api/v1/me', { token });
  expect(me.status).toBe(401);
  expect(me.body.error.code).toBe('unauthorized');
  await expect(connect(server.url, token)).rejects.toMatchObject({ data: { code: 'unauthorized' } });
}

async function expectAccepted(server: TestServer, token: string, username: string): Promise<void> {
  const me = await api(server.url, 'GET', '/api/v1/me', { token });
  expect(me.status).toBe(200);
  expect(me.body.username).toBe(username);
  const { socket, hello } = await connect(server.url, token);
  expect(hello.user.username).toBe(username);
  socket.disconnect();
}

describe('accounts on a server with closed registration', () => {
  const clock = manualClock(Date.now());
  const { server } = useTestServer({}, { clock: clock.now });

  it('signs in with the right password and answers 401 with a code otherwise', async () => {
    const name = uniqueName('login');
    await server.ctx.accounts.createUser({ username: name, password: PASSWORD });

    const ok = await login(server.url, name, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ username: name, isAdmin: false });
    expect(ok.body.token).toEqual(expect.any(String));
    await expectAccepted(server, ok.body.token, name);

    const wrong = await login(server.url, name, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    // An unknown user gets the very same answer, so sign-in does not reveal who has an account.
    const unknown = await login(server.url, uniqueName('nobody'), 'not-the-password');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual(wrong.body.error);
  });

  it('requires a bearer token on REST and a token in the socket handshake', async () => {
    for (const headers of [undefined, 'Token abc', 'Bearer', 'Bearer not-a-real-token']) {
      const res = await fetch(`${server.url}/api/v1/me`, {
        headers: headers ? { authorization: headers } : {},
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('unauthorized');
    }
    const channels = await api(server.url, 'POST', '/api/v1/channels', {
      json: { name: uniqueName('anon'), visibility: 'public' },
    });
    expect(channels.status).toBe(401);
    await expect(connect(server.url, '')).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    await expect(connect(server.url, 'sb_not-a-real-token')).rejects.toMatchObject({
      data: { code: 'unauthorized' },
    });
  });

  it('logout revokes that session only', async () => {
    const alice = await createUser(server, uniqueName('logout'));
    const other = await login(server.url, alice.user.username, alice.password);
    const out = await api(server.url, 'POST', '/api/v1/auth/logout', { token: alice.token });
    expect(out.status).toBe(204);
    await expectRefused(server, alice.token);
    await expectAccepted(server, other.body.token, alice.user.username);
  });

  it('refuses expired and revoked tokens', async () => {
    const alice = await createUser(server, uniqueName('tokens'));
    const expiring = await server.ctx.accounts.createToken(alice.user.id, { kind: 'access', ttlMs: 1 });
    await expectAccepted(server, expiring.token, alice.user.username);
    clock.advance(1);
    await expectRefused(server, expiring.token);

    const created = await api(server.url, 'POST', '/api/v1/tokens', {
      token: alice.token,
      json: { label: 'ci', expiresInDays: 1 },
    });
    expect(created.status).toBe(201);
    await expectAccepted(server, created.body.token, alice.user.username);

    // Someone else cannot revoke it; its owner can.
    const mallory = await createUser(server, uniqueName('mallory'));
    const stolen = await api(server.url, 'DELETE', `/api/v1/tokens/${created.body.id}`, {
      token: mallory.token,
    });
    expect(stolen.status).toBe(404);
    await expectAccepted(server, created.body.token, alice.user.username);
    const revoked = await api(server.url, 'DELETE', `/api/v1/tokens/${created.body.id}`, {
      token: alice.token,
    });
    expect(revoked.status).toBe(204);
    await expectRefused(server, created.body.token);
  });

  it('a password change ends every other session and the access tokens those sessions made', async () => {
    const alice = await createUser(server, uniqueName('pwchange'));
    const name = alice.user.username;
    // A thief with a stolen session mints a token; alice's own script token was made by the CLI.
    const thief = (await login(server.url, name, alice.password)).body.token as string;
    const planted = await api(server.url, 'POST', '/api/v1/tokens', {
      token: thief,
      json: { label: 'mine now' },
    });
    expect(planted.status).toBe(201);
    const own = await api(server.url, 'POST', '/api/v1/tokens', {
      token: alice.token,
      json: { label: 'bot' },
    });
    const script = await server.ctx.accounts.createToken(alice.user.id, { kind: 'access', label: 'cli' });

    const wrong = await api(server.url, 'POST', '/api/v1/me/password', {
      token: alice.token,
      json: { currentPassword: 'not-the-password', newPassword: PASSWORD },
    });
    expect(wrong.status).toBe(401);
    await expectAccepted(server, alice.token, name);

    const changed = await api(server.url, 'POST', '/api/v1/me/password', {
      token: alice.token,
      json: { currentPassword: alice.password, newPassword: PASSWORD },
    });
    expect(changed.status).toBe(204);
    // The session that changed it has just proved it knows the password: it stays, with its token.
    for (const token of [thief, planted.body.token]) await expectRefused(server, token);
    for (const token of [alice.token, own.body.token, script.token])
      await expectAccepted(server, token, name);
    expect((await login(server.url, name, alice.password)).status).toBe(401);
    expect((await login(server.url, name, PASSWORD)).status).toBe(200);
  });

  it('a password change with revokeAllTokens ends every token of the user but its own session', async () => {
    const bob = await createUser(server, uniqueName('pwall'));
    const script = await server.ctx.accounts.createToken(bob.user.id, { kind: 'access', label: 'cli' });
    const elsewhere = (await login(server.url, bob.user.username, bob.password)).body.token as string;
    const other = await createUser(server, uniqueName('other'));
    const changed = await api(server.url, 'POST', '/api/v1/me/password', {
      token: bob.token,
      json: { currentPassword: bob.password, newPassword: PASSWORD, revokeAllTokens: true },
    });
    expect(changed.status).toBe(204);
    await expectRefused(server, elsewhere);
    await expectRefused(server, script.token);
    await expectAccepted(server, bob.token, bob.user.username);
    await expectAccepted(server, other.token, other.user.username);
  });

  it('refuses registration while it is closed', async () => {
    const name = uniqueName('closed');
    const res = await api(server.url, 'POST', '/api/v1/auth/register', {
      json: { username: name, password: PASSWORD },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await login(server.url, name, PASSWORD)).status).toBe(401);
    const status = await api(server.url, 'GET', '/api/v1/auth/status');
    expect(status.body).toMatchObject({ registration: 'closed', setupRequired: false });
  });

  it('admin-only routes refuse non-admins and work for admins', async () => {
    const admin = await createUser(server, uniqueName('admin'), { isAdmin: true });
    const plain = await createUser(server, uniqueName('plain'));
    const victim = await createUser(server, uniqueName('victim'));
    const newName = uniqueName('made');

    const attempts = [
      api(server.url, 'POST', '/api/v1/users', {
        token: plain.token,
        json: { username: newName, password: PASSWORD },
      }),
      api(server.url, 'DELETE', `/api/v1/users/${victim.user.id}`, { token: plain.token }),
      api(server.url, 'POST', '/api/v1/invites', { token: plain.token, json: {} }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    await expectAccepted(server, victim.token, victim.user.username);
    expect((await login(server.url, newName, PASSWORD)).status).toBe(401);

    const made = await api(server.url, 'POST', '/api/v1/users', {
      token: admin.token,
      json: { username: newName, password: PASSWORD },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ username: newName, isAdmin: false });
    expect((await login(server.url, newName, PASSWORD)).status).toBe(200);

    const removed = await api(server.url, 'DELETE', `/api/v1/users/${victim.user.id}`, {
      token: admin.token,
    });
    expect(removed.status).toBe(204);
    await expectRefused(server, victim.token);
  });
});

describe('first-admin setup', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const fresh = async () => {
    const server = await startTestServer();
    servers.push(server);
    return server;
  };
  const setup = (server: TestServer, setupCode: string, username: string) =>
    api(server.url, 'POST', '/api/v1/auth/setup', { json: { setupCode, username, password: PASSWORD } });

  it('creates the first admin with the setup code, once', async () => {
    const server = await fresh();
    expect((await api(server.url, 'GET', '/api/v1/auth/status')).body.setupRequired).toBe(true);
    const code = server.setupCode!;
    expect(code).toEqual(expect.any(String));

    const wrong = await setup(server, `${code}x`, 'root');
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    expect(await server.ctx.accounts.countUsers()).toBe(0);

    const ok = await setup(server, code, 'root');
    expect(ok.status).toBe(201);
    expect(ok.body.user).toMatchObject({ username: 'root', isAdmin: true });
    await expectAccepted(server, ok.body.token, 'root');
    expect((await api(server.url, 'GET', '/api/v1/auth/status')).body.setupRequired).toBe(false);

    const again = await setup(server, code, 'root2');
    expect(again.status).toBe(403);
    expect(await server.ctx.accounts.countUsers()).toBe(1);
  });

  it('is refused once a user exists, even with the right code', async () => {
    const server = await fresh();
    const code = server.setupCode!;
    await server.ctx.accounts.createUser({ username: 'someone', password: PASSWORD });
    const res = await setup(server, code, 'root');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await server.ctx.accounts.countUsers()).toBe(1);
  });
});

describe('while setup is pending', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (...args: Parameters<typeof startTestServer>) => {
    const server = await startTestServer(...args);
    servers.push(server);
    return server;
  };
  const setup = (server: TestServer, setupCode: string, username: string) =>
    api(server.url, 'POST', '/api/v1/auth/setup', { json: { setupCode, username, password: PASSWORD } });
  const register = (server: TestServer, username: string) =>
    api(server.url, 'POST', '/api/v1/auth/register', { json: { username, password: PASSWORD } });

  it('nobody can register, even with open registration, until the first admin exists', async () => {
    const server = await start({ registration: 'open' });
    const early = await register(server, 'outsider');
    expect(early.status).toBe(403);
    expect(early.body.error.message).toMatch(/first admin/);
    expect(await server.ctx.accounts.countUsers()).toBe(0);
    expect((await setup(server, server.setupCode!, 'root')).status).toBe(201);
    expect((await register(server, 'insider')).status).toBe(201);
  });

  it('the setup code expires after setupCodeTtlHours; the next start prints a new one', async () => {
    const clock = manualClock(Date.now());
    const first = await start({ setupCodeTtlHours: 2 }, { clock: clock.now });
    const expired = first.setupCode!;
    clock.advance(2 * 60 * 60 * 1000);
    const late = await setup(first, expired, 'root');
    expect(late.status).toBe(403);
    expect(late.body.error.message).toMatch(/expired/);
    expect(await first.ctx.accounts.countUsers()).toBe(0);
    await first.close();

    const second = await start({ dataDir: first.dataDir, setupCodeTtlHours: 2 }, { clock: clock.now });
    expect(second.setupCode).toEqual(expect.any(String));
    expect(second.setupCode).not.toBe(expired);
    expect((await setup(second, expired, 'root')).status).toBe(403);
    clock.advance(2 * 60 * 60 * 1000 - 1);
    expect((await setup(second, second.setupCode!, 'root')).status).toBe(201);
  });
});

describe('registration by invite', () => {
  const clock = manualClock(Date.now());
  const { server } = useTestServer({ registration: 'invite' }, { clock: clock.now });
  let adminToken: string;
  let adminId: string;
  beforeAll(async () => {
    const admin = await createUser(server, 'admin', { isAdmin: true });
    adminToken = admin.token;
    adminId = admin.user.id;
  });

  const register = (username: string, invite?: string) =>
    api(server.url, 'POST', '/api/v1/auth/register', {
      json:
        invite === undefined ? { username, password: PASSWORD } : { username, password: PASSWORD, invite },
    });

  it('needs a valid invite and counts its uses', async () => {
    const invite = await api(server.url, 'POST', '/api/v1/invites', { token: adminToken, json: { uses: 2 } });
    expect(invite.status).toBe(201);
    const code: string = invite.body.code;

    expect((await register(uniqueName('noinvite'))).status).toBe(403);
    expect((await register(uniqueName('badinvite'), `${code}x`)).status).toBe(403);

    const first = await register(uniqueName('invited'), code);
    expect(first.status).toBe(201);
    expect(first.body.user.isAdmin).toBe(false);
    await expectAccepted(server, first.body.token, first.body.user.username);
    // A taken username fails without spending a use.
    const taken = await register(first.body.user.username, code);
    expect(taken.status).toBe(409);
    expect((await register(uniqueName('invited'), code)).status).toBe(201);

    const usedUp = await register(uniqueName('late'), code);
    expect(usedUp.status).toBe(403);
    expect(usedUp.body.error.code).toBe('forbidden');
  });

  it('refuses an expired invite', async () => {
    const { code } = await server.ctx.invites.create(adminId, { ttlMs: 1, uses: 5 });
    clock.advance(1);
    const name = uniqueName('expired');
    const res = await register(name, code);
    expect(res.status).toBe(403);
    expect((await login(server.url, name, PASSWORD)).status).toBe(401);
  });
});

describe('open registration', () => {
  const { server } = useTestServer({ registration: 'open' });
  beforeAll(async () => {
    await createUser(server, 'admin', { isAdmin: true });
  });

  it('lets anyone register a free username with a long enough password', async () => {
    const name = uniqueName('open');
    const res = await api(server.url, 'POST', '/api/v1/auth/register', {
      json: { username: name, password: PASSWORD },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: name, isAdmin: false });
    await expectAccepted(server, res.body.token, name);

    const dup = await api(server.url, 'POST', '/api/v1/auth/register', {
      json: { username: name, password: PASSWORD },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    const weak = await api(server.url, 'POST', '/api/v1/auth/register', {
      json: { username: uniqueName('weak'), password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('validation_failed');
  });
});

describe('access tokens are for scripts', () => {
  const { server: own } = useTestServer();
  const mint = async (token: string, json: Record<string, unknown> = {}) => {
    const res = await api(own.url, 'POST', '/api/v1/tokens', { token, json });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; token: string };
  };

  it('cannot mint tokens, change the password, list or revoke tokens, or manage accounts', async () => {
    const admin = await createUser(own, uniqueName('root'), { isAdmin: true });
    const other = await createUser(own, uniqueName('other'));
    const victim = await mint(other.token, { label: 'victim' });
    const script = (await mint(admin.token, { label: 'ci' })).token;
    expect((await api(own.url, 'GET', '/api/v1/me', { token: script })).status).toBe(200);
    for (const [method, path, json] of [
      ['POST', '/api/v1/tokens', { label: 'more' }],
      ['GET', '/api/v1/tokens', undefined],
      ['DELETE', `/api/v1/tokens/${victim.id}`, undefined],
      [
        'POST',
        '/api/v1/me/password',
        { currentPassword: admin.password, newPassword: 'taken-over-password' },
      ],
      ['POST', '/api/v1/users', { username: uniqueName('mallory'), password: 'long-enough-password' }],
      ['DELETE', `/api/v1/users/${other.user.id}`, undefined],
      ['POST', '/api/v1/invites', {}],
    ] as const) {
      const res = await api(own.url, method, path, { token: script, json });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.message).toMatch(/access tokens cannot/);
    }
    await expectAccepted(own, victim.token, other.user.username);
    expect((await login(own.url, admin.user.username, admin.password)).status).toBe(200);
  });

  it('carry the scopes chosen at creation, chat by default, and can do only what those allow', async () => {
    const alice = await createUser(own, uniqueName('alice'));
    const chat = await mint(alice.token);
    const publishOnly = await mint(alice.token, { label: 'alerts', scopes: ['publish'] });
    const both = await mint(alice.token, { scopes: ['chat', 'publish'] });

    const listed = await api(own.url, 'GET', '/api/v1/tokens', { token: alice.token });
    const scopesOf = (id: string) => listed.body.tokens.find((t: { id: string }) => t.id === id).scopes;
    expect(scopesOf(chat.id)).toEqual(['chat']);
    expect(scopesOf(publishOnly.id)).toEqual(['publish']);
    expect(scopesOf(both.id)).toEqual(['chat', 'publish']);

    await expectAccepted(own, chat.token, alice.user.username);
    await expectAccepted(own, both.token, alice.user.username);
    // A publish-only token says who it is, and nothing more.
    expect((await api(own.url, 'GET', '/api/v1/me', { token: publishOnly.token })).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/v1/channels'],
      ['GET', '/api/v1/me/channels'],
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/sync'],
    ] as const) {
      const json = method === 'POST' ? { epoch: null, cursors: {} } : undefined;
      const res = await api(own.url, method, path, { token: publishOnly.token, json });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.message).toMatch(/scope/);
    }
    await expect(connect(own.url, publishOnly.token)).rejects.toMatchObject({ data: { code: 'forbidden' } });

    for (const scopes of [[], ['admin'], ['chat', 'chat'], 'chat']) {
      const res = await api(own.url, 'POST', '/api/v1/tokens', { token: alice.token, json: { scopes } });
      expect(res.status, JSON.stringify(scopes)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});
