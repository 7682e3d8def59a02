// The session core's utility entry (main/src/utility.ts) in real Node child processes, behind the
// `process.parentPort` shim, driven by main's own CoreHost over the same control channel and
// ports main uses, against a real server.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { whenOnline } from '@switchboard/client/node';
import { postMessage, sharedChannel } from '../support/session.ts';
import { api, createUser, REPO_ROOT, type TestUser } from '../support/server.ts';
import { useTestServer } from '../support/lifecycle.ts';
import { startDesktopCore, TestWindow, until, type DesktopCore } from '../support/desktop-host.ts';
import type { DisplayMessage } from '@switchboard/client/node';

const { server } = useTestServer();
const running: DesktopCore[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.stop();
});

let userCount = 0;
async function people(): Promise<{ alice: TestUser; bob: TestUser; channelId: string }> {
  const n = ++userCount;
  const alice = await createUser(server, `alice${n}`);
  const bob = await createUser(server, `bob${n}`);
  return { alice, bob, channelId: await sharedChannel(server, alice, [bob], `desk-${n}`) };
}

async function signedInWindow(core: DesktopCore, who: TestUser, id = 1): Promise<TestWindow> {
  const window = new TestWindow(id);
  core.host.attachWindow(window);
  await window.session.request('setServer', { serverUrl: server.url });
  await window.session.request('signIn', { username: who.user.username, password: who.password });
  await whenOnline(window.session);
  return window;
}

/** Opens a conversation once the core's channel list (fetched on connect) has it. */
async function open(window: TestWindow, channelId: string): Promise<void> {
  await until(
    async () => (await window.session.request('getSnapshot', {})).channels.some((c) => c.id === channelId),
    'the channel listed',
  );
  await window.session.request('openChannel', { channelId });
}

/** Every file under `dir`, read as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file, text: fs.readFileSync(file, 'utf8') };
    });
}

async function storedByClientId(who: TestUser, channelId: string): Promise<Map<string, number>> {
  const res = await api(server.url, 'GET', `/api/v1/channels/${channelId}/messages?limit=200`, {
    token: who.token,
  });
  const counts = new Map<string, number>();
  for (const m of res.body.messages as { clientId: string }[])
    counts.set(m.clientId, (counts.get(m.clientId) ?? 0) + 1);
  return counts;
}

function watch(window: TestWindow, channelId: string): DisplayMessage[] {
  const seen: DisplayMessage[] = [];
  window.session.on('messages', (event) => {
    if (event.channelId === channelId) seen.push(...event.messages);
  });
  return seen;
}

describe('the session core in its utility process', () => {
  it('signs in, sends and receives, and keeps the token out of its files (main holds it)', async () => {
    const { alice, bob, channelId } = await people();
    const core = startDesktopCore();
    running.push(core);
    const window = await signedInWindow(core, alice);

    // The token went to main's secret store, and no file the core wrote holds it.
    const token = await until(() => core.secrets.saved.find((t) => t !== null), 'the token handed to main');
    for (const { file, text } of filesUnder(core.dataDir)) expect(text, file).not.toContain(token);

    await open(window, channelId);
    const seen = watch(window, channelId);
    const { clientId } = await window.session.request('send', { channelId, text: 'hello from the desktop' });
    await until(async () => (await storedByClientId(alice, channelId)).get(clientId) === 1, 'stored');
    await postMessage(server, bob, channelId, 'hello back');
    await until(() => seen.some((m) => m.text === 'hello back' && m.delivery === 'sent'), 'the reply');

    // The connected server is reported for About.
    await until(() => core.host.state.server.version, 'the server version');
    expect(core.host.state.server.url).toBe(server.url);
  });

  it('the built bundle that ships (dist/desktop/main/utility.cjs) runs the same way', async () => {
    const entry = path.join(REPO_ROOT, 'dist/desktop/main/utility.cjs');
    if (!fs.existsSync(entry))
      throw new Error('dist/desktop/main/utility.cjs is missing: run "npm run build" first');
    const { alice, bob, channelId } = await people();
    const core = startDesktopCore({ entry });
    running.push(core);
    const window = await signedInWindow(core, alice);
    await open(window, channelId);
    const seen = watch(window, channelId);
    await postMessage(server, bob, channelId, 'to the bundle');
    await until(() => seen.some((m) => m.text === 'to the bundle'), 'the message through the bundle');
    await until(() => core.secrets.saved.some((t) => t !== null), 'the token handed to main');
  });

  it('starts signed in from the token main hands over, and signs out to a null token', async () => {
    const { alice } = await people();
    const first = startDesktopCore();
    running.push(first);
    await signedInWindow(first, alice);
    await first.stop();
    running.splice(running.indexOf(first), 1);

    // Same data dir, same secret store: a new app start is online without signing in.
    const second = startDesktopCore({ dataDir: first.dataDir, secrets: first.secrets });
    running.push(second);
    const window = new TestWindow(1);
    second.host.attachWindow(window);
    await whenOnline(window.session);
    expect((await window.session.request('getSnapshot', {})).user?.id).toBe(alice.user.id);

    await window.session.request('signOut', {});
    await until(() => second.secrets.saved.at(-1) === null, 'the token forgotten');
  });

  it('killed mid-send and restarted: every acknowledged message stored once, outbox drained', async () => {
    const { alice, channelId } = await people();
    const core = startDesktopCore();
    running.push(core);
    const window = await signedInWindow(core, alice);
    await open(window, channelId);

    const acknowledged: string[] = [];
    const sends = Array.from({ length: 40 }, (_, i) =>
      window.session
        .request('send', { channelId, text: `burst ${i}` })
        .then(({ clientId }) => void acknowledged.push(clientId))
        .catch(() => {}),
    );
    await until(() => acknowledged.length >= 10, 'some sends acknowledged');
    const killed = core.current();
    killed.crash();
    await Promise.all(sends);

    // Main restarts it after the backoff and gives the window a fresh port.
    await until(() => core.children.length === 2 && window.ports === 2, 'a restarted core', 15_000);
    expect(window.statuses.some((s) => s.state === 'restarting')).toBe(true);
    await whenOnline(window.session);

    await until(
      async () => {
        const stored = await storedByClientId(alice, channelId);
        return acknowledged.every((id) => stored.get(id) === 1);
      },
      'every acknowledged message stored',
      20_000,
    );
    const stored = await storedByClientId(alice, channelId);
    for (const [clientId, count] of stored) expect(count, clientId).toBe(1);
    const { messages } = await window.session.request('openChannel', { channelId });
    await until(
      async () =>
        (await window.session.request('openChannel', { channelId })).messages.every(
          (m) => m.delivery === 'sent',
        ),
      'the outbox drained',
    );
    expect(messages.length).toBeGreaterThanOrEqual(acknowledged.length);
  });

  it('sleeps without a connection and catches up on resume without marking anything read', async () => {
    const { alice, bob, channelId } = await people();
    const core = startDesktopCore();
    running.push(core);
    const window = await signedInWindow(core, alice);
    await open(window, channelId);
    const states: string[] = [];
    window.session.on('connection', (state) => states.push(state.status));
    const seen = watch(window, channelId);

    core.host.power('suspend');
    await until(() => states.includes('offline'), 'the connection closed for sleep');
    for (const text of ['while asleep 1', 'while asleep 2', 'while asleep 3'])
      await postMessage(server, bob, channelId, text);

    core.host.power('resume');
    await until(() => states.at(-1) === 'online', 'reconnected at once on resume', 5_000);
    await until(() => seen.filter((m) => m.text.startsWith('while asleep')).length === 3, 'caught up');
    const { channels } = await window.session.request('getSnapshot', {});
    expect(channels.find((c) => c.id === channelId)?.unreadCount).toBe(3);
  });

  it('follows the network: offline closes the connection, online reconnects', async () => {
    const { alice } = await people();
    const core = startDesktopCore();
    running.push(core);
    const window = await signedInWindow(core, alice);
    const states: string[] = [];
    window.session.on('connection', (state) => states.push(state.status));
    core.host.network(false);
    await until(() => states.at(-1) === 'offline', 'offline');
    core.host.network(true);
    await until(() => states.at(-1) === 'online', 'online again');
  });

  it('refuses malformed control messages and carries on', async () => {
    const { alice } = await people();
    const core = startDesktopCore();
    running.push(core);
    const window = await signedInWindow(core, alice);
    core.current().postRaw({ type: 'power', event: 'explode' });
    core.current().postRaw({ type: 'attach', windowId: 7 }); // no port
    core.current().postRaw('not even an object');
    await until(
      () => core.log.lines.filter((l) => l.message.startsWith('the session core refused')).length === 3,
      'three refusals in main’s log',
    );
    expect(
      core.log.lines
        .filter((l) => l.message.startsWith('the session core refused'))
        .map((l) => (l.details as { code: string }).code),
    ).toEqual(['validation_failed', 'bad_request', 'validation_failed']);
    expect((await window.session.request('getSnapshot', {})).connection.status).toBe('online');
  });

  it('ends only a closed window’s view: the other window and the connection carry on', async () => {
    const { alice, bob, channelId } = await people();
    const core = startDesktopCore();
    running.push(core);
    const first = await signedInWindow(core, alice, 1);
    const second = new TestWindow(2);
    core.host.attachWindow(second);
    await open(second, channelId);
    const seen = watch(second, channelId);
    // The first window goes away: its port closes.
    first.session.coreStatus({ state: 'restarting', retryAt: 0, attempt: 0 });
    core.host.detachWindow(1);
    await postMessage(server, bob, channelId, 'still here');
    await until(() => seen.some((m) => m.text === 'still here'), 'the second window still served');
    expect(core.children).toHaveLength(1);
  });
});
