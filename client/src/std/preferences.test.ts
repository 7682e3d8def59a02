// Preferences through the session core against a real server: stored per user on the server, so a
// change on one device reaches the user's other devices live; a change made offline applies at once
// and is stored when the connection is back; a reopened app has them before it connects.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Preferences } from '@switchboard/protocol';
import { api, createUser, tempDir, type TestUser } from '../../../tests/support/server.ts';
import { createNodeSession } from '../node/index.ts';
import { whenOnline } from './online.ts';
import type { SessionCore } from './session.ts';
import { onCleanup, runCleanups, startServer, WAIT } from '../../../tests/support/session.ts';

afterEach(runCleanups);

/** Every `preferences` event a core emits, newest last. */
function watch(core: SessionCore): Preferences[] {
  const seen: Preferences[] = [];
  core.on('preferences', (preferences) => seen.push(preferences));
  return seen;
}

describe('preferences in the session core', () => {
  it('follow the user to their other device live, and survive a reopen', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const device = async (dataDir = tempDir('switchboard-client-')) => {
      const core = await createNodeSession({ dataDir, serverUrl: server.url });
      await core.request('signIn', { username: 'alice', password: alice.password });
      await whenOnline(core);
      return { core, dataDir };
    };
    const laptop = await device();
    const phone = await device();
    onCleanup(() => phone.core.close());
    const onPhone = watch(phone.core);
    expect((await laptop.core.request('getSnapshot', {})).preferences).toEqual({});

    // Changes merge into what is there; the server keeps the result for the user.
    const seenOnLaptop = watch(laptop.core);
    expect(await laptop.core.request('setPreferences', { theme: 'dark' })).toEqual({ theme: 'dark' });
    expect(seenOnLaptop).toEqual([{ theme: 'dark' }]);
    expect(await laptop.core.request('setPreferences', { language: 'ko' })).toEqual({
      theme: 'dark',
      language: 'ko',
    });
    await vi.waitFor(
      () => expect(onPhone.at(-1)?.language === 'ko', 'the change on the other device').toBeTruthy(),
      WAIT,
    );
    expect(onPhone.at(-1)).toEqual({ theme: 'dark', language: 'ko' });
    expect((await phone.core.request('getSnapshot', {})).preferences).toEqual({
      theme: 'dark',
      language: 'ko',
    });
    expect(await stored(server.url, alice)).toEqual({ theme: 'dark', language: 'ko' });
    // Our own change coming back from the server is not announced twice.
    expect(seenOnLaptop).toHaveLength(2);

    // A reopened app has them at once, from its cache.
    await laptop.core.close();
    const reopened = await createNodeSession({ dataDir: laptop.dataDir, serverUrl: server.url });
    onCleanup(() => reopened.close());
    expect((await reopened.request('getSnapshot', {})).preferences).toEqual({
      theme: 'dark',
      language: 'ko',
    });
  });

  it('apply a change made offline at once and store it once connected, keeping changes made elsewhere', async () => {
    const server = await startServer();
    const bob = await createUser(server, 'bob');
    const device = async () => {
      const core = await createNodeSession({
        dataDir: tempDir('switchboard-client-'),
        serverUrl: server.url,
      });
      onCleanup(() => core.close());
      await core.request('signIn', { username: 'bob', password: bob.password });
      await whenOnline(core);
      return core;
    };
    const laptop = await device();
    const phone = await device();
    const onPhone = watch(phone);

    laptop.setNetworkAvailable(false);
    const offline = { notify: 'none', notifyPreview: false } as const;
    expect(await laptop.request('setPreferences', offline)).toEqual(offline);
    expect(await stored(server.url, bob)).toEqual({});
    // Meanwhile the phone changes something else.
    await phone.request('setPreferences', { theme: 'light' });

    laptop.setNetworkAvailable(true);
    await whenOnline(laptop);
    const both = { theme: 'light', ...offline };
    await vi.waitFor(async () => expect(await stored(server.url, bob)).toEqual(both), WAIT);
    await vi.waitFor(
      () => expect(onPhone.at(-1)?.notify === 'none', 'the offline change on the phone').toBeTruthy(),
      WAIT,
    );
    expect((await phone.request('getSnapshot', {})).preferences).toEqual(both);
    expect((await laptop.request('getSnapshot', {})).preferences).toEqual(both);
  });

  it('come from the server on sign-in, and are forgotten on sign-out', async () => {
    const server = await startServer();
    const carol = await createUser(server, 'carol');
    await api(server.url, 'PUT', '/api/v1/me/preferences', { token: carol.token, json: { theme: 'dark' } });
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
    onCleanup(() => core.close());
    const seen = watch(core);
    await core.request('signIn', { username: 'carol', password: carol.password });
    await vi.waitFor(
      () => expect(seen.at(-1)?.theme === 'dark', 'the stored preferences').toBeTruthy(),
      WAIT,
    );
    expect((await core.request('getSnapshot', {})).preferences).toEqual({ theme: 'dark' });

    await core.request('signOut', {});
    expect((await core.request('getSnapshot', {})).preferences).toEqual({});
    await expect(core.request('setPreferences', { theme: 'light' })).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });
});

async function stored(url: string, user: TestUser): Promise<unknown> {
  return (await api(url, 'GET', '/api/v1/me/preferences', { token: user.token })).body;
}
