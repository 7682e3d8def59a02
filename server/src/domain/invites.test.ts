// Invites as admins manage them over REST: made with a link, listed while open, revoked; only an
// admin's sign-in session may do any of it.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, type TestUser } from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const PASSWORD = 'correct-horse-battery';

describe('invites', () => {
  const { server } = useTestServer({ registration: 'invite', publicUrl: 'https://chat.example.com/' });
  let admin: TestUser;
  let plain: TestUser;
  beforeAll(async () => {
    admin = await createUser(server, 'admin', { isAdmin: true });
    plain = await createUser(server, 'plain');
  });

  const invites = async () =>
    (await api(server.url, 'GET', '/api/v1/invites', { token: admin.token })).body.invites as {
      id: string;
      usesLeft: number;
    }[];
  const register = (username: string, invite: string) =>
    api(server.url, 'POST', '/api/v1/auth/register', { json: { username, password: PASSWORD, invite } });

  it('gives a link from the public URL, lists the invite while it has uses, and forgets it when used up', async () => {
    const made = await api(server.url, 'POST', '/api/v1/invites', {
      token: admin.token,
      json: { uses: 2, expiresInDays: 3 },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      id: expect.any(String),
      code: expect.stringMatching(/^inv_/),
      createdBy: admin.user.id,
      usesLeft: 2,
    });
    expect(made.body.url).toBe(`https://chat.example.com/?invite=${made.body.code}`);
    expect(made.body.expiresAt - made.body.createdAt).toBe(3 * 24 * 60 * 60 * 1000);
    expect((await invites()).find((i) => i.id === made.body.id)).toMatchObject({ usesLeft: 2 });
    // The list never holds the code itself.
    expect(JSON.stringify(await invites())).not.toContain(made.body.code);

    expect((await register('invitee-one', made.body.code)).status).toBe(201);
    expect((await invites()).find((i) => i.id === made.body.id)).toMatchObject({ usesLeft: 1 });
    expect((await register('invitee-two', made.body.code)).status).toBe(201);
    expect((await invites()).map((i) => i.id)).not.toContain(made.body.id);
  });

  it('revokes an invite: its link stops working at once', async () => {
    const made = await api(server.url, 'POST', '/api/v1/invites', { token: admin.token, json: {} });
    const revoked = await api(server.url, 'DELETE', `/api/v1/invites/${made.body.id}`, {
      token: admin.token,
    });
    expect(revoked.status).toBe(204);
    expect((await invites()).map((i) => i.id)).not.toContain(made.body.id);
    const refused = await register('too-late', made.body.code);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/revoked/);
    const again = await api(server.url, 'DELETE', `/api/v1/invites/${made.body.id}`, { token: admin.token });
    expect(again.status).toBe(404);
  });

  it('is for admins signed in with a password only', async () => {
    const made = await api(server.url, 'POST', '/api/v1/invites', { token: admin.token, json: {} });
    const script = await api(server.url, 'POST', '/api/v1/tokens', { token: admin.token, json: {} });
    for (const token of [plain.token, script.body.token as string]) {
      for (const [method, path] of [
        ['GET', '/api/v1/invites'],
        ['POST', '/api/v1/invites'],
        ['DELETE', `/api/v1/invites/${made.body.id}`],
      ] as const) {
        const res = await api(server.url, method, path, { token, json: method === 'POST' ? {} : undefined });
        expect(res.status, `${method} ${path}`).toBe(403);
      }
    }
    expect((await invites()).map((i) => i.id)).toContain(made.body.id);
  });
});

describe('invites without a public URL', () => {
  const { server } = useTestServer({ registration: 'invite' });

  it('give the code and no link: the client builds it from the address it knows', async () => {
    const admin = await createUser(server, 'admin', { isAdmin: true });
    const made = await api(server.url, 'POST', '/api/v1/invites', { token: admin.token, json: {} });
    expect(made.status).toBe(201);
    expect(made.body.url).toBeNull();
    expect(made.body.code).toMatch(/^inv_/);
  });
});
