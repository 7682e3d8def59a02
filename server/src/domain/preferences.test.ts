// Per-user preferences against a real server, over both transports: stored per user, validated,
// replaced as a whole, announced to every connection of their owner, and kept across restarts.
import { describe, expect, it } from 'vitest';
import type { Preferences } from '@switchboard/protocol';
import {
  api,
  codeOf,
  connect,
  createConnectedUser,
  createUser,
  flush,
  perform,
  record,
  startTestServer,
  uniqueName,
  unwrap,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const { server, ok } = useTestServer();
const get = (via: Transport, who: ConnectedUser) => ok<Preferences>(via, who, 'preferences.get');
const set = (via: Transport, who: ConnectedUser, preferences: unknown) =>
  perform<Preferences>(server, via, who, 'preferences.set', preferences as Record<string, unknown>);

describe.each<Transport>(['rest', 'socket'])('preferences over %s', (via) => {
  it('are empty until set, then stored per user and sent to every connection of their owner', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const { socket: aliceOther } = await connect(server.url, alice.token);
    const toAlice = record<Preferences>(aliceOther, 'preferences');
    const toBob = record<Preferences>(bob.socket, 'preferences');
    expect(await get(via, alice)).toEqual({});

    const chosen: Preferences = { theme: 'dark', language: 'ko', notify: 'all', notifyPreview: false };
    expect(unwrap(await set(via, alice, chosen))).toEqual(chosen);
    expect(await get(via, alice)).toEqual(chosen);
    expect(await get(via, bob)).toEqual({});

    // A set replaces the whole object: what is left out goes back to the app's default.
    expect(unwrap(await set(via, alice, { theme: 'light' }))).toEqual({ theme: 'light' });
    expect(await get(via, alice)).toEqual({ theme: 'light' });

    await flush(aliceOther);
    expect(toAlice).toEqual([chosen, { theme: 'light' }]);
    await flush(bob.socket);
    expect(toBob).toEqual([]);
    aliceOther.disconnect();
  });

  it('refuses unknown keys, wrong values and oversized input, changing nothing', async () => {
    const carol = await createConnectedUser(server, 'carol');
    const { socket: carolOther } = await connect(server.url, carol.token);
    const seen = record<Preferences>(carolOther, 'preferences');
    unwrap(await set(via, carol, { notify: 'none' }));
    for (const bad of [
      { notify: 'none', colour: 'red' },
      { theme: 'purple' },
      { language: 'xx' },
      { notifyPreview: 'yes' },
      { theme: 'x'.repeat(10_000) },
      JSON.parse('{"__proto__": {"theme": "dark"}}'),
      [],
      'dark',
    ]) {
      expect(codeOf(await set(via, carol, bad)), JSON.stringify(bad)).toBe('validation_failed');
    }
    expect(await get(via, carol)).toEqual({ notify: 'none' });
    await flush(carolOther);
    expect(seen).toEqual([{ notify: 'none' }]);
    carolOther.disconnect();
  });
});

describe('preferences over REST', () => {
  it('need a token, and PUT with no body resets them to the defaults', async () => {
    const dave = await createUser(server, uniqueName('dave'));
    expect((await api(server.url, 'GET', '/api/v1/me/preferences')).status).toBe(401);
    const put = await api(server.url, 'PUT', '/api/v1/me/preferences', {
      token: dave.token,
      json: { theme: 'dark' },
    });
    expect(put).toMatchObject({ status: 200, body: { theme: 'dark' } });
    const reset = await api(server.url, 'PUT', '/api/v1/me/preferences', { token: dave.token });
    expect(reset).toMatchObject({ status: 200, body: {} });
    expect((await api(server.url, 'GET', '/api/v1/me/preferences', { token: dave.token })).body).toEqual({});
  });
});

describe('preferences across a restart', () => {
  it('are still there after the server restarts on the same data', async () => {
    const first = await startTestServer();
    const erin = await createUser(first, 'erin');
    const chosen = { theme: 'dark', notifyPreview: false };
    await api(first.url, 'PUT', '/api/v1/me/preferences', { token: erin.token, json: chosen });
    await first.close();
    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const res = await api(second.url, 'GET', '/api/v1/me/preferences', { token: erin.token });
      expect(res).toMatchObject({ status: 200, body: chosen });
    } finally {
      await second.close();
    }
  });
});
