// The core's account management against a real server: an admin brings someone in with an invite
// link and manages them; a person changes their name and password and signs out other devices. The
// server's answers are checked against the contract on their way through.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUser, login, me, tempDir } from '../../../../tests/support/server.ts';
import { onCleanup, runCleanups, startServer, WAIT } from '../../../../tests/support/session.ts';
import { createNodeSession } from '../../node/index.ts';
import { whenOnline } from '../online.ts';
import type { SessionCore } from '../session.ts';

afterEach(runCleanups);

async function core(serverUrl: string): Promise<SessionCore> {
  const session = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl });
  onCleanup(() => session.close());
  return session;
}

async function signedIn(serverUrl: string, username: string, password: string): Promise<SessionCore> {
  const session = await core(serverUrl);
  await session.request('signIn', { username, password });
  await whenOnline(session);
  return session;
}

describe('account management through the core', () => {
  it('lets an admin invite someone by link, open registration, and manage the newcomer', async () => {
    const server = await startServer();
    const admin = await createUser(server, 'admin', { isAdmin: true });
    const adminCore = await signedIn(server.url, 'admin', admin.password);

    expect(await adminCore.request('getRegistration', {})).toEqual({ registration: 'closed', locked: false });
    await adminCore.request('setRegistration', { registration: 'invite' });
    // No public URL configured: the link is built from the address this session talks to.
    const invite = await adminCore.request('createInvite', { uses: 1, expiresInDays: 2 });
    expect(invite.url).toBe(`${server.url}/?invite=${encodeURIComponent(invite.code)}`);
    expect((await adminCore.request('listInvites', {})).invites.map((i) => i.id)).toEqual([invite.id]);

    const newcomer = await core(server.url);
    const code = new URL(invite.url).searchParams.get('invite')!;
    await newcomer.request('register', { username: 'nia', password: 'nias-long-password', invite: code });
    await whenOnline(newcomer);
    expect((await adminCore.request('listInvites', {})).invites).toEqual([]);

    // Someone new shows up in the admin's list of people without a reload.
    await vi.waitFor(
      async () =>
        expect((await adminCore.request('getSnapshot', {})).users.map((u) => u.username)).toContain('nia'),
      WAIT,
    );
    const people = (await adminCore.request('listPeople', {})).users;
    const nia = people.find((u) => u.username === 'nia')!;
    expect(nia).toMatchObject({ isAdmin: false, presence: 'online', lastSeenAt: expect.any(Number) });

    const promoted = await adminCore.request('updatePerson', { userId: nia.id, isAdmin: true });
    expect(promoted.isAdmin).toBe(true);
    await vi.waitFor(
      async () => expect((await newcomer.request('getSnapshot', {})).user?.isAdmin).toBe(true),
      WAIT,
    );
    await expect(
      adminCore.request('updatePerson', { userId: admin.user.id, isAdmin: false }),
    ).resolves.toMatchObject({ isAdmin: false });
    await expect(newcomer.request('updatePerson', { userId: nia.id, isAdmin: false })).rejects.toMatchObject({
      code: 'conflict',
    });

    // A reset link, used by the person it was made for, signs them in with the new password.
    const reset = await newcomer.request('resetLink', { userId: admin.user.id });
    const resetCode = new URL(reset.url).searchParams.get('reset')!;
    const elsewhere = await core(server.url);
    const back = await elsewhere.request('resetPassword', {
      code: resetCode,
      password: 'admins-new-password',
    });
    expect(back.username).toBe('admin');
    expect((await login(server.url, 'admin', 'admins-new-password')).status).toBe(200);
  });

  it('lets a person rename themselves, change their password, and sign out other devices', async () => {
    const server = await startServer();
    const pat = await createUser(server, 'pat');
    const friend = await createUser(server, 'friend');
    const here = await signedIn(server.url, 'pat', pat.password);
    const friendCore = await signedIn(server.url, 'friend', friend.password);

    const renamed = await here.request('setDisplayName', { displayName: 'Pat Q.' });
    expect(renamed.displayName).toBe('Pat Q.');
    expect((await here.request('getSnapshot', {})).user?.displayName).toBe('Pat Q.');
    await vi.waitFor(
      async () =>
        expect(
          (await friendCore.request('getSnapshot', {})).users.find((u) => u.username === 'pat')?.displayName,
        ).toBe('Pat Q.'),
      WAIT,
    );

    const sessions = (await here.request('listSessions', {})).sessions;
    // createUser's sign-in and this core's.
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const other = sessions.find((s) => !s.current)!;
    await here.request('endSession', { sessionId: other.id });
    expect((await me(server.url, pat.token)).status).toBe(401);

    const laptop = await login(server.url, 'pat', pat.password);
    expect(await here.request('endOtherSessions', {})).toEqual({ ended: 1 });
    expect((await me(server.url, laptop.body.token)).status).toBe(401);

    await expect(
      here.request('changePassword', { currentPassword: 'wrong-password', newPassword: 'pats-new-password' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    const phone = await login(server.url, 'pat', pat.password);
    await here.request('changePassword', { currentPassword: pat.password, newPassword: 'pats-new-password' });
    expect((await me(server.url, phone.body.token)).status).toBe(401);
    // This device stays signed in and connected.
    expect((await here.request('getSnapshot', {})).connection.status).toBe('online');
    expect((await here.request('listSessions', {})).sessions.map((s) => s.current)).toEqual([true]);
  });

  it('is refused while signed out', async () => {
    const server = await startServer();
    const nobody = await core(server.url);
    await expect(nobody.request('listSessions', {})).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
