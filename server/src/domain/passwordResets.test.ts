// Password reset links: an admin makes one for a person, whose holder sets a new password once and is
// signed in; the person's other sessions end.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, login, me, uniqueName, type TestUser } from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { PASSWORD_RESET_TTL_MS } from './passwordResets.ts';

const NEW_PASSWORD = 'a-brand-new-password';

describe('password reset links', () => {
  const clock = manualClock(Date.now());
  const { server } = useTestServer({ publicUrl: 'https://chat.example.com' }, { clock: clock.now });
  let admin: TestUser;
  beforeAll(async () => {
    admin = await createUser(server, 'admin', { isAdmin: true });
  });

  const issue = (userId: string, token = admin.token) =>
    api(server.url, 'POST', `/api/v1/users/${userId}/password-reset`, { token });
  const redeem = (code: string, password = NEW_PASSWORD) =>
    api(server.url, 'POST', '/api/v1/auth/reset', { json: { code, password } });

  it('sets a new password once, signs its holder in, and ends the old sessions', async () => {
    const person = await createUser(server, uniqueName('forgetful'));
    const link = await issue(person.user.id);
    expect(link.status).toBe(201);
    expect(link.body).toEqual({
      code: expect.stringMatching(/^reset_/),
      url: `https://chat.example.com/?reset=${link.body.code}`,
      expiresAt: clock.now() + PASSWORD_RESET_TTL_MS,
    });

    const used = await redeem(link.body.code);
    expect(used.status).toBe(200);
    expect(used.body.user.username).toBe(person.user.username);
    expect((await me(server.url, used.body.token)).status).toBe(200);
    expect((await me(server.url, person.token)).status).toBe(401);
    expect((await login(server.url, person.user.username, person.password)).status).toBe(401);
    expect((await login(server.url, person.user.username, NEW_PASSWORD)).status).toBe(200);

    const again = await redeem(link.body.code, 'yet-another-password');
    expect(again.status).toBe(403);
    expect(again.body.error.message).toMatch(/used or expired/);
  });

  it('expires, and a newer link replaces an older one', async () => {
    const person = await createUser(server, uniqueName('slow'));
    const older = await issue(person.user.id);
    const newer = await issue(person.user.id);
    expect((await redeem(older.body.code)).status).toBe(403);
    clock.advance(PASSWORD_RESET_TTL_MS);
    expect((await redeem(newer.body.code)).status).toBe(403);
    expect((await login(server.url, person.user.username, person.password)).status).toBe(200);
  });

  it('is made by admins signed in with a password, for active accounts only', async () => {
    const person = await createUser(server, uniqueName('target'));
    const script = await api(server.url, 'POST', '/api/v1/tokens', { token: admin.token, json: {} });
    for (const token of [person.token, script.body.token as string])
      expect((await issue(person.user.id, token)).status).toBe(403);
    expect((await issue('no-such-user')).status).toBe(404);

    const link = await issue(person.user.id);
    await api(server.url, 'PATCH', `/api/v1/users/${person.user.id}`, {
      token: admin.token,
      json: { deactivated: true },
    });
    expect((await redeem(link.body.code)).status).toBe(403);
    expect((await issue(person.user.id)).status).toBe(409);
  });

  it('refuses a weak password without using the link up', async () => {
    const person = await createUser(server, uniqueName('weak'));
    const link = await issue(person.user.id);
    const short = await redeem(link.body.code, 'short');
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('validation_failed');
    expect((await redeem(link.body.code)).status).toBe(200);
  });
});
