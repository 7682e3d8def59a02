// Managing people as an admin (list with last seen, admin role, deactivate and reactivate), and what
// a person manages of their own account (display name, signed-in devices).
import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@switchboard/protocol';
import {
  api,
  call,
  connect,
  createUser,
  login,
  me,
  nextEvent,
  uniqueName,
  type TestUser,
} from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { TOKEN_USE_RESOLUTION_MS } from './accounts.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('people, as admins manage them', () => {
  const clock = manualClock(Date.now());
  const { server } = useTestServer({}, { clock: clock.now });
  let admin: TestUser;
  beforeAll(async () => {
    admin = await createUser(server, 'admin', { isAdmin: true });
  });

  const people = async () =>
    (await api(server.url, 'GET', '/api/v1/admin/users', { token: admin.token })).body.users as (User & {
      lastSeenAt: number | null;
      presence: string;
    })[];
  const update = (userId: string, json: unknown, token = admin.token) =>
    api(server.url, 'PATCH', `/api/v1/users/${userId}`, { token, json });

  it('lists everyone with role, presence and when they were last seen', async () => {
    const signedIn = clock.now();
    const carol = await createUser(server, uniqueName('carol'));
    const { socket } = await connect(server.url, carol.token);
    let row = (await people()).find((u) => u.id === carol.user.id)!;
    expect(row).toMatchObject({ username: carol.user.username, isAdmin: false, presence: 'online' });
    expect(row.lastSeenAt).toBe(signedIn);

    // Using a token counts, at most once a minute.
    clock.advance(TOKEN_USE_RESOLUTION_MS);
    expect((await me(server.url, carol.token)).status).toBe(200);
    row = (await people()).find((u) => u.id === carol.user.id)!;
    expect(row.lastSeenAt).toBe(signedIn + TOKEN_USE_RESOLUTION_MS);
    clock.advance(TOKEN_USE_RESOLUTION_MS / 2);
    expect((await me(server.url, carol.token)).status).toBe(200);
    expect((await people()).find((u) => u.id === carol.user.id)!.lastSeenAt).toBe(
      signedIn + TOKEN_USE_RESOLUTION_MS,
    );
    socket.disconnect();
  });

  it('makes and removes admins, and never removes the last active one', async () => {
    const dave = await createUser(server, uniqueName('dave'));
    const { socket } = await connect(server.url, admin.token);
    const heard = nextEvent<User>(socket, 'user.changed', (u) => u.id === dave.user.id);
    const made = await update(dave.user.id, { isAdmin: true });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ id: dave.user.id, isAdmin: true });
    expect(await heard).toMatchObject({ isAdmin: true });
    // dave is an admin now: his own session may manage people.
    expect((await api(server.url, 'GET', '/api/v1/admin/users', { token: dave.token })).status).toBe(200);

    expect((await update(dave.user.id, { isAdmin: false })).body.isAdmin).toBe(false);
    const last = await update(admin.user.id, { isAdmin: false });
    expect(last.status).toBe(409);
    expect(last.body.error.message).toMatch(/last admin/);
    expect((await update(admin.user.id, { deactivated: true })).status).toBe(409);
    expect((await people()).find((u) => u.id === admin.user.id)).toMatchObject({
      isAdmin: true,
      deactivated: false,
    });
    socket.disconnect();
  });

  it('deactivates (signed out everywhere, sign-in refused) and reactivates', async () => {
    const erin = await createUser(server, uniqueName('erin'));
    const { socket } = await connect(server.url, erin.token);
    const dropped = new Promise((resolve) => socket.once('disconnect', resolve));
    const off = await update(erin.user.id, { deactivated: true });
    expect(off.body).toMatchObject({ deactivated: true });
    await dropped;
    expect((await me(server.url, erin.token)).status).toBe(401);
    expect((await login(server.url, erin.user.username, erin.password)).status).toBe(401);

    const on = await update(erin.user.id, { deactivated: false });
    expect(on.body).toMatchObject({ deactivated: false });
    // Back in, with a new sign-in; the old session stays ended.
    expect((await login(server.url, erin.user.username, erin.password)).status).toBe(200);
    expect((await me(server.url, erin.token)).status).toBe(401);
  });

  it('is for admins signed in with a password, and refuses what makes no sense', async () => {
    const frank = await createUser(server, uniqueName('frank'));
    const script = (await api(server.url, 'POST', '/api/v1/tokens', { token: admin.token, json: {} })).body
      .token as string;
    for (const token of [frank.token, script]) {
      expect((await api(server.url, 'GET', '/api/v1/admin/users', { token })).status).toBe(403);
      expect((await update(frank.user.id, { isAdmin: true }, token)).status).toBe(403);
    }
    expect((await update(frank.user.id, {})).status).toBe(400);
    expect((await update(frank.user.id, { isAdmin: 'yes' })).status).toBe(400);
    expect((await update(frank.user.id, { username: 'root' })).status).toBe(400);
    expect((await update('nobody-here', { isAdmin: true })).status).toBe(404);
    expect((await people()).find((u) => u.id === frank.user.id)).toMatchObject({ isAdmin: false });
  });
});

describe('your own account', () => {
  const { server } = useTestServer();

  it('sets the display name others see, and tells everyone', async () => {
    const gina = await createUser(server, uniqueName('gina'));
    const other = await createUser(server, uniqueName('other'));
    const { socket } = await connect(server.url, other.token);
    const heard = nextEvent<User>(socket, 'user.changed', (u) => u.id === gina.user.id);
    const set = await api(server.url, 'PATCH', '/api/v1/me', {
      token: gina.token,
      json: { displayName: 'Gina 지나' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: gina.user.id, displayName: 'Gina 지나' });
    expect(await heard).toMatchObject({ displayName: 'Gina 지나' });
    // Over Socket.IO too.
    const { socket: own } = await connect(server.url, gina.token);
    expect(await call(own, 'profile.set', { displayName: 'Gina' })).toMatchObject({
      ok: true,
      data: { displayName: 'Gina' },
    });
    for (const displayName of ['', ' padded ', 'new\nline', 'bidi\u202eevil', 'x'.repeat(129)]) {
      const res = await api(server.url, 'PATCH', '/api/v1/me', { token: gina.token, json: { displayName } });
      expect(res.status, JSON.stringify(displayName)).toBe(400);
    }
    expect((await me(server.url, gina.token)).body.displayName).toBe('Gina');
    socket.disconnect();
    own.disconnect();
  });

  it('lists signed-in devices, signs one out, and signs out everywhere else', async () => {
    const hal = await createUser(server, uniqueName('hal'));
    const laptop = await api(server.url, 'POST', '/api/v1/auth/login', {
      json: { username: hal.user.username, password: hal.password },
    });
    const phone = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': FIREFOX },
      body: JSON.stringify({ username: hal.user.username, password: hal.password }),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const desktop = await api(server.url, 'POST', '/api/v1/auth/login', {
      json: { username: hal.user.username, password: hal.password, device: 'Switchboard desktop on Windows' },
    });

    const sessions = async (token = hal.token) =>
      (await api(server.url, 'GET', '/api/v1/me/sessions', { token })).body.sessions as {
        id: string;
        device: string;
        current: boolean;
      }[];
    const listed = await sessions();
    expect(listed).toHaveLength(4);
    expect(listed.filter((s) => s.current)).toHaveLength(1);
    expect(listed.map((s) => s.device).sort()).toEqual(
      ['Firefox on Linux', 'Node.js', 'Node.js', 'Switchboard desktop on Windows'].sort(),
    );

    // Sign out the phone from here: its connection drops.
    const { socket } = await connect(server.url, phone.token);
    const dropped = new Promise((resolve) => socket.once('disconnect', resolve));
    const phoneId = listed.find((s) => s.device === 'Firefox on Linux')!.id;
    expect(
      (await api(server.url, 'DELETE', `/api/v1/me/sessions/${phoneId}`, { token: hal.token })).status,
    ).toBe(204);
    await dropped;
    expect((await me(server.url, phone.token)).status).toBe(401);

    // Someone else's session is not yours to end.
    const ivy = await createUser(server, uniqueName('ivy'));
    const ivys = (await sessions(ivy.token))[0]!.id;
    expect(
      (await api(server.url, 'DELETE', `/api/v1/me/sessions/${ivys}`, { token: hal.token })).status,
    ).toBe(404);
    expect((await me(server.url, ivy.token)).status).toBe(200);

    const ended = await api(server.url, 'POST', '/api/v1/me/sessions/end-others', { token: hal.token });
    expect(ended.body).toEqual({ ended: 2 });
    for (const token of [laptop.body.token, desktop.body.token])
      expect((await me(server.url, token)).status).toBe(401);
    expect((await sessions()).map((s) => s.current)).toEqual([true]);
  });

  it('manages devices with a sign-in session only', async () => {
    const jo = await createUser(server, uniqueName('jo'));
    const script = (await api(server.url, 'POST', '/api/v1/tokens', { token: jo.token, json: {} })).body
      .token as string;
    expect((await api(server.url, 'GET', '/api/v1/me/sessions', { token: script })).status).toBe(403);
    expect((await api(server.url, 'POST', '/api/v1/me/sessions/end-others', { token: script })).status).toBe(
      403,
    );
    expect((await me(server.url, jo.token)).status).toBe(200);
  });
});
