// A server on this computer: main's LocalServer launching the real bundled server (the built
// dist/desktop/main/local-server.cjs running dist/desktop/server/dist/cli.js, as the app ships them) in
// Node child processes behind the same parentPort shim as the session core's, with the real session
// core (CoreHost and the utility entry) signing in and chatting through it. `npm run build` first.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@switchboard/protocol';
import { whenOnline } from '@switchboard/client/node';
import { LocalServer, type LocalServerConfig } from '../../main/src/local/local-server.ts';
import { RecordingLog } from '../../main/src/testing/fakes.ts';
import { api, login, REPO_ROOT, tempDir } from '../support/server.ts';
import { startDesktopCore, TestWindow, until, type DesktopCore } from '../support/desktop-host.ts';
import { StandInUtility } from '../support/utility-host.ts';

const ENTRY = path.join(REPO_ROOT, 'dist/desktop/main/local-server.cjs');
const CLI = path.join(REPO_ROOT, 'dist/desktop/server/dist/cli.js');
const PASSWORD = 'a-long-local-password';

beforeAll(() => {
  for (const file of [ENTRY, CLI])
    if (!fs.existsSync(file))
      throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run "npm run build" first`);
});

class MemoryConfig {
  saved: LocalServerConfig[] = [];
  constructor(private value: LocalServerConfig = { port: null, lan: false }) {}
  load = () => this.value;
  save = (config: LocalServerConfig) => {
    this.value = config;
    this.saved.push(config);
  };
}

const servers: LocalServer[] = [];
const cores: DesktopCore[] = [];
const blockers: net.Server[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.stop();
  for (const server of servers.splice(0)) await server.stop();
  for (const blocker of blockers.splice(0)) await new Promise((resolve) => blocker.close(resolve));
});

function localServer(options: { dataDir?: string; config?: MemoryConfig; lanAddress?: string } = {}) {
  const processes: StandInUtility[] = [];
  const output: string[] = [];
  const config = options.config ?? new MemoryConfig();
  const log = new RecordingLog();
  const server = new LocalServer({
    launch: () => {
      const child = new StandInUtility({ STANDIN_UTILITY_ENTRY: ENTRY }, { output: 'pipe' });
      processes.push(child);
      return child;
    },
    cli: CLI,
    dataDir: options.dataDir ?? tempDir('switchboard-local-server-'),
    config,
    lanAddress: () => options.lanAddress ?? '127.0.0.2',
    output: (line) => output.push(line),
    log,
  });
  servers.push(server);
  return {
    server,
    processes,
    output,
    config,
    log,
    serving: () => processes.filter((p) => p.pid !== undefined),
  };
}

/** A desktop app's session core, its window signed in to `url` as the first admin. */
async function appOn(url: string, setupCode: string, username = 'me') {
  const core = startDesktopCore();
  cores.push(core);
  const window = new TestWindow(1);
  core.host.attachWindow(window);
  await window.session.request('setServer', { serverUrl: url });
  await window.session.request('setupAdmin', { setupCode, username, password: PASSWORD });
  await whenOnline(window.session);
  return { core, window };
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function stored(url: string, token: string, channelId: string): Promise<Map<string, number>> {
  const res = await api(url, 'GET', `/api/v1/channels/${channelId}/messages?limit=200`, { token });
  const counts = new Map<string, number>();
  for (const m of res.body.messages as { clientId: string }[])
    counts.set(m.clientId, (counts.get(m.clientId) ?? 0) + 1);
  return counts;
}

describe('the server on this computer', () => {
  it('starts on loopback, makes the person the first admin, and the app chats through it', async () => {
    const { server, config } = localServer();
    const { url, setupCode } = await server.setup();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(setupCode).toMatch(/^setup_/);
    expect(config.load().port).toBe(Number(new URL(url).port));
    // Loopback only, and it asks for a sign-in.
    expect(await reachable('127.0.0.2', Number(new URL(url).port))).toBe(false);
    expect((await api(url, 'GET', '/api/v1/me')).status).toBe(401);

    const { window } = await appOn(url, setupCode!);
    const me = (await window.session.request('getSnapshot', {})).user!;
    expect(me).toMatchObject({ username: 'me', isAdmin: true });
    const channel = await window.session.request('createChannel', { name: 'home', visibility: 'public' });
    await window.session.request('send', { channelId: channel.id, text: 'hello from this computer' });
    const token = (await login(url, 'me', PASSWORD)).body.token as string;
    await until(async () => (await stored(url, token, channel.id)).size === 1, 'the message stored');
    // Set up once: a second setup says so (no code: sign in instead).
    expect(await server.setup()).toEqual({ url, setupCode: null });
  });

  it('stopped with SIGTERM mid-stream: it restarts, and every acknowledged message is there once', async () => {
    const { server, processes } = localServer();
    const { url, setupCode } = await server.setup();
    const { window } = await appOn(url, setupCode!);
    const channel = await window.session.request('createChannel', { name: 'busy', visibility: 'public' });
    await window.session.request('openChannel', { channelId: channel.id });

    const acknowledged: string[] = [];
    const sends = Array.from({ length: 60 }, (_, i) =>
      window.session
        .request('send', { channelId: channel.id, text: `burst ${i}` })
        .then(({ clientId }) => void acknowledged.push(clientId))
        .catch(() => {}),
    );
    await until(() => acknowledged.length >= 10, 'some sends acknowledged');
    // The server's process gets SIGTERM (as from the OS): it finishes what it accepted and exits.
    processes[0]!.kill();
    await Promise.all(sends);
    await until(() => processes.length === 2 && server.state.state === 'running', 'restarted', 20_000);
    expect(server.state.url).toBe(url);

    const token = (await login(url, 'me', PASSWORD)).body.token as string;
    await until(
      async () => {
        const counts = await stored(url, token, channel.id);
        return acknowledged.every((id) => counts.get(id) === 1) && counts.size >= 60;
      },
      'every acknowledged message stored, the rest sent after the restart',
      20_000,
    );
    for (const [clientId, count] of await stored(url, token, channel.id)) expect(count, clientId).toBe(1);
  });

  it('lets others on the network join (listening on every interface) and back to loopback only', async () => {
    const { server, config } = localServer({ lanAddress: '127.0.0.2' });
    const { url, setupCode } = await server.setup();
    const port = Number(new URL(url).port);
    await appOn(url, setupCode!);
    expect(await reachable('127.0.0.2', port)).toBe(false);

    const on = await server.setLan(true);
    expect(on).toMatchObject({ state: 'running', url, lan: true, shareUrl: `http://127.0.0.2:${port}` });
    expect(config.load()).toEqual({ port, lan: true });
    expect(await reachable('127.0.0.2', port)).toBe(true);
    expect((await api(`http://127.0.0.2:${port}`, 'GET', '/api/v1/auth/status')).body).toMatchObject({
      registration: 'invite',
    });
    const link = await server.invite('me');
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.2:${port}/\\?invite=inv_`));
    const invite = new URL(link).searchParams.get('invite')!;
    const joined = await api(`http://127.0.0.2:${port}`, 'POST', '/api/v1/auth/register', {
      json: { username: 'neighbour', password: 'a-neighbourly-password', invite },
    });
    expect(joined.status).toBe(201);

    const off = await server.setLan(false);
    expect(off).toMatchObject({ state: 'running', url, lan: false, shareUrl: null });
    expect(await reachable('127.0.0.2', port)).toBe(false);
    await expect(server.invite('neighbour')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('its port taken meanwhile: it starts on another, and the app follows it still signed in', async () => {
    const dataDir = tempDir('switchboard-local-server-');
    const config = new MemoryConfig();
    const first = localServer({ dataDir, config });
    const { url, setupCode } = await first.server.setup();
    const { core, window } = await appOn(url, setupCode!);
    const channel = await window.session.request('createChannel', { name: 'moving', visibility: 'public' });
    await first.server.stop();
    const oldPort = Number(new URL(url).port);
    // Another program takes the port while the app is closed.
    const blocker = net.createServer((socket) => socket.destroy());
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(oldPort, '127.0.0.1', resolve));

    const second = localServer({ dataDir, config });
    const moves: [string, string][] = [];
    second.server.onMoved((from, to) => {
      moves.push([from, to]);
      core.host.serverMoved(from, to);
    });
    const started = await second.server.start();
    expect(started.url).not.toBe(url);
    expect(config.load().port).toBe(Number(new URL(started.url!).port));
    expect(moves).toEqual([[url, started.url]]);
    expect(second.log.messages('warn')).toContain('the local server’s port was taken; it took another');

    await until(
      async () => (await window.session.request('getSnapshot', {})).serverUrl === started.url,
      'followed',
    );
    await whenOnline(window.session);
    expect((await window.session.request('getSnapshot', {})).user?.username).toBe('me');
    const { clientId } = await window.session.request('send', {
      channelId: channel.id,
      text: 'after the move',
    });
    const token = (await login(started.url!, 'me', PASSWORD)).body.token as string;
    await until(
      async () => (await stored(started.url!, token, channel.id)).get(clientId) === 1,
      'sent there',
    );
  });

  it('backs up while running, and restores: the history of then, a new epoch, the old database kept', async () => {
    const dataDir = tempDir('switchboard-local-server-');
    const { server } = localServer({ dataDir });
    const { url, setupCode } = await server.setup();
    const { window } = await appOn(url, setupCode!);
    const token = (await login(url, 'me', PASSWORD)).body.token as string;
    const made = await api(url, 'POST', '/api/v1/channels', {
      token,
      json: { name: 'kept', visibility: 'public' },
    });
    const post = (text: string) =>
      api(url, 'POST', `/api/v1/channels/${made.body.id}/messages`, {
        token,
        json: { clientId: newId(), text },
      });
    await post('before the backup');
    const file = path.join(tempDir('switchboard-backups-'), 'home.db');
    await server.backup(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await expect(server.backup(file)).rejects.toMatchObject({ code: 'conflict' });
    await post('after the backup');
    const shown = async () =>
      (await window.session.request('openChannel', { channelId: made.body.id })).messages.map((m) => m.text);
    await until(async () => (await shown()).length === 2, 'both messages in the app');

    await server.restore(file);
    expect(server.state).toMatchObject({ state: 'running', url });
    const texts = (
      await api(url, 'GET', `/api/v1/channels/${made.body.id}/messages?limit=10`, { token })
    ).body.messages.map((m: { text: string }) => m.text);
    expect(texts).toEqual(['before the backup']);
    expect(
      fs.readdirSync(dataDir).filter((f) => /^switchboard\.db\.before-restore-\d+$/.test(f)),
    ).toHaveLength(1);
    // The app sees a new epoch and drops what the restored server no longer has.
    await until(
      async () => (await shown()).join() === 'before the backup',
      'the app reset to the restored history',
      20_000,
    );
    await expect(server.restore(path.join(tempDir(), 'nothing.db'))).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(server.state.state).toBe('running');
    // Five server processes start and stop in this one (serve, backup twice, restore, serve again).
  }, 60_000);
});
