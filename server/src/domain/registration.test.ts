// The registration policy: admins change it while the server runs, it lasts across restarts, and a
// policy in the configuration fixes it.
import { describe, expect, it } from 'vitest';
import { api, createUser, startTestServer, type TestServer } from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const PASSWORD = 'correct-horse-battery';

const register = (server: TestServer, username: string) =>
  api(server.url, 'POST', '/api/v1/auth/register', { json: { username, password: PASSWORD } });
const status = async (server: TestServer) =>
  (await api(server.url, 'GET', '/api/v1/auth/status')).body.registration as string;

describe('registration policy set by admins', () => {
  it('starts closed, changes live, and is kept across a restart', async () => {
    let server = await startTestServer();
    try {
      const admin = await createUser(server, 'admin', { isAdmin: true });
      const plain = await createUser(server, 'plain');
      expect(await status(server)).toBe('closed');
      expect((await api(server.url, 'GET', '/api/v1/registration', { token: admin.token })).body).toEqual({
        registration: 'closed',
        locked: false,
      });
      expect((await register(server, 'early')).status).toBe(403);

      const opened = await api(server.url, 'PUT', '/api/v1/registration', {
        token: admin.token,
        json: { registration: 'open' },
      });
      expect(opened.status).toBe(200);
      expect(opened.body).toEqual({ registration: 'open', locked: false });
      expect(await status(server)).toBe('open');
      expect((await register(server, 'walk-in')).status).toBe(201);

      // Only admins, signed in with a password.
      const script = await api(server.url, 'POST', '/api/v1/tokens', { token: admin.token, json: {} });
      for (const token of [plain.token, script.body.token as string]) {
        const res = await api(server.url, 'PUT', '/api/v1/registration', {
          token,
          json: { registration: 'closed' },
        });
        expect(res.status).toBe(403);
        expect((await api(server.url, 'GET', '/api/v1/registration', { token })).status).toBe(403);
      }
      const bad = await api(server.url, 'PUT', '/api/v1/registration', {
        token: admin.token,
        json: { registration: 'everyone' },
      });
      expect(bad.status).toBe(400);
      expect(await status(server)).toBe('open');

      const invite = await api(server.url, 'PUT', '/api/v1/registration', {
        token: admin.token,
        json: { registration: 'invite' },
      });
      expect(invite.status).toBe(200);
      const dataDir = server.dataDir;
      await server.close();
      server = await startTestServer({ dataDir });
      expect(await status(server)).toBe('invite');
    } finally {
      await server.close();
    }
  });
});

describe('registration policy fixed by the configuration', () => {
  const { server } = useTestServer({ registration: 'open' });

  it('cannot be changed at runtime, and says so', async () => {
    const admin = await createUser(server, 'admin', { isAdmin: true });
    expect((await api(server.url, 'GET', '/api/v1/registration', { token: admin.token })).body).toEqual({
      registration: 'open',
      locked: true,
    });
    const refused = await api(server.url, 'PUT', '/api/v1/registration', {
      token: admin.token,
      json: { registration: 'closed' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/--registration/);
    expect(await status(server)).toBe('open');
  });
});
