// Per-user preferences against a real server, over both transports: stored per user, validated,
// replaced as a whole, announced to every connection of their owner, and kept across restarts.
import { describe, expect, it } from 'vitest';
import { MAX_CONVERSATION_SETTINGS, MAX_NOTIFY_KEYWORDS, type Preferences } from '@switchboard/protocol';
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

// Notification preferences: per conversation, keywords, do not disturb and quiet hours, bounded so
// the stored object stays small, and refused whole (nothing changed) when any part is wrong.
describe.each<Transport>(['rest', 'socket'])('notification preferences over %s', (via) => {
  const full: Preferences = {
    notify: 'mentions',
    notifySound: false,
    keywords: ['deploy', 'on-call', '서울'],
    conversations: { 'channel-1': { muted: true }, 'channel-2': { notify: 'all' } },
    dnd: { until: 1_900_000_000_000 },
    quietHours: { from: '22:00', to: '07:30', timeZone: 'Europe/Berlin' },
  };

  it('are stored and sent to every connection of their owner', async () => {
    const frank = await createConnectedUser(server, uniqueName('frank'));
    const { socket: other } = await connect(server.url, frank.token);
    const seen = record<Preferences>(other, 'preferences');
    expect(unwrap(await set(via, frank, full))).toEqual(full);
    expect(await get(via, frank)).toEqual(full);
    unwrap(await set(via, frank, { dnd: { until: null } }));
    expect(await get(via, frank)).toEqual({ dnd: { until: null } });
    await flush(other);
    expect(seen).toEqual([full, { dnd: { until: null } }]);
    other.disconnect();
  });

  it('refuses what is malformed or too large, changing nothing', async () => {
    const gina = await createConnectedUser(server, uniqueName('gina'));
    unwrap(await set(via, gina, full));
    const many = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`channel-${i}`, { muted: true }]));
    // As many as allowed is taken, each one stored.
    const atLimit = unwrap(await set(via, gina, { conversations: many(MAX_CONVERSATION_SETTINGS) }));
    expect(Object.keys(atLimit.conversations ?? {})).toHaveLength(MAX_CONVERSATION_SETTINGS);
    unwrap(await set(via, gina, full));
    for (const bad of [
      { conversations: many(MAX_CONVERSATION_SETTINGS + 1) },
      { conversations: { 'channel-1': {} } },
      { conversations: { 'channel-1': { muted: 'yes' } } },
      { conversations: { 'channel-1': { notify: 'loud' } } },
      { conversations: { 'channel-1': { muted: true, colour: 'red' } } },
      { conversations: { ['x'.repeat(65)]: { muted: true } } },
      { keywords: Array.from({ length: MAX_NOTIFY_KEYWORDS + 1 }, (_, i) => `word${i}`) },
      { keywords: ['deploy', 'DEPLOY'] },
      { keywords: [''] },
      { keywords: [' padded '] },
      { keywords: ['x'.repeat(65)] },
      { keywords: ['line\nbreak'] },
      { dnd: {} },
      { dnd: { until: 'tomorrow' } },
      { dnd: { until: -1 } },
      { dnd: { until: null, extra: 1 } },
      { quietHours: { from: '22:00', to: '07:00' } },
      { quietHours: { from: '22:00', to: '07:00', timeZone: 'Mars/Olympus_Mons' } },
      { quietHours: { from: '22:00', to: '07:00', timeZone: '../../etc/passwd' } },
      { quietHours: { from: '24:00', to: '07:00', timeZone: 'UTC' } },
      { quietHours: { from: '7:00', to: '08:00', timeZone: 'UTC' } },
      { quietHours: { from: '08:00', to: '08:00', timeZone: 'UTC' } },
      { notifySound: 'off' },
    ]) {
      expect(codeOf(await set(via, gina, bad)), JSON.stringify(bad).slice(0, 80)).toBe('validation_failed');
    }
    expect(await get(via, gina)).toEqual(full);
  });
});
