// Several servers at once, through main's own server list (Servers) with a real session core per
// account (the utility entry in Node children behind the parentPort shim), against two real servers:
// one account on each, counts and notifications from both, a click that brings the right account on
// screen, and switching that finds each account as it was left.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { whenOnline } from '@switchboard/client/node';
import type { DeepLinkTarget, ServerSummary } from '@switchboard/protocol/desktop';
import { Notifier } from '../../main/src/app/notifier.ts';
import { FIRST_ACCOUNT, Servers } from '../../main/src/app/servers.ts';
import type { Attention } from '../../main/src/app/tray.ts';
import { FakeNotification, RecordingLog } from '../../main/src/testing/fakes.ts';
import { api, createUser, startTestServer, type TestServer, type TestUser } from '../support/server.ts';
import { startDesktopCore, TestWindow, until, type DesktopCore } from '../support/desktop-host.ts';
import type { BridgePort } from '../support/utility-host.ts';

let work: TestServer;
let home: TestServer;
beforeAll(async () => {
  [work, home] = await Promise.all([startTestServer(), startTestServer()]);
});
afterAll(async () => {
  await Promise.all([work?.close(), home?.close()]);
});

const cores: DesktopCore[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.stop();
  FakeNotification.made.length = 0;
});

/** The app's main as far as accounts go: the server list, its window, tray totals and notifications. */
function desktopApp() {
  const log = new RecordingLog();
  const totals: Attention[] = [];
  const lists: ServerSummary[][] = [];
  const followed: DeepLinkTarget[] = [];
  const switches: [string, string][] = [];
  let ids = 0;
  // The window: a fresh page (DesktopSession) for each account that comes on screen, as main reloads it.
  let window = new TestWindow(1);
  const servers: Servers<BridgePort> = new Servers<BridgePort>({
    store: { load: () => null, save: () => {} },
    createHost: () => {
      const core = startDesktopCore();
      cores.push(core);
      return core.host;
    },
    createNotifier: (actions, source) =>
      new Notifier({ create: (o) => new FakeNotification(o), platform: 'linux', actions, source, log }),
    window: { show: () => {}, follow: (target) => void followed.push(target), openExternal: () => {} },
    newId: () => `account-${++ids}`,
    forget: () => {},
    onTotals: (t) => void totals.push(t),
    onList: (list) => void lists.push(list),
    onSwitch: (from, to) => {
      switches.push([from, to]);
      window = new TestWindow(1);
      servers.attachWindow(window);
    },
    log,
  });
  servers.start();
  servers.attachWindow(window);
  servers.setWindowFocused(false);
  return { servers, window: () => window, totals, lists, followed, switches };
}

async function signIn(window: TestWindow, server: TestServer, user: TestUser) {
  await window.session.request('setServer', { serverUrl: server.url });
  await window.session.request('signIn', { username: user.user.username, password: user.password });
  await whenOnline(window.session);
}

/** `from` opens a direct conversation with `to` and writes in it. */
async function directMessage(server: TestServer, from: TestUser, to: TestUser, text: string) {
  const dm = (
    await api(server.url, 'POST', '/api/v1/directs', { token: from.token, json: { userId: to.user.id } })
  ).body.id as string;
  const res = await api(server.url, 'POST', `/api/v1/channels/${dm}/messages`, {
    token: from.token,
    json: { clientId: crypto.randomUUID(), text },
  });
  expect(res.status).toBe(201);
  return dm;
}

let n = 0;
describe('several servers in the desktop app', () => {
  it('one account on each of two servers: counts and notifications from both, each named, a click to the right one', async () => {
    n += 1;
    const [aliceAtWork, bobAtWork] = await Promise.all([
      createUser(work, `walice${n}`),
      createUser(work, `wbob${n}`),
    ]);
    const [aliceAtHome, bobAtHome] = await Promise.all([
      createUser(home, `halice${n}`),
      createUser(home, `hbob${n}`),
    ]);
    const app = desktopApp();
    await signIn(app.window(), work, aliceAtWork);
    const second = app.servers.add();
    expect(app.switches).toEqual([[FIRST_ACCOUNT, second]]);
    await signIn(app.window(), home, aliceAtHome);

    const workDm = await directMessage(work, bobAtWork, aliceAtWork, 'standup in 5');
    const homeDm = await directMessage(home, bobAtHome, aliceAtHome, 'dinner?');
    await until(() => FakeNotification.made.length >= 2, 'a notification from each server');
    const workHost = new URL(work.url).host;
    const homeHost = new URL(home.url).host;
    expect(FakeNotification.made.map((m) => [m.options.title, m.options.body]).sort()).toEqual(
      [
        [`${bobAtHome.user.username} · ${homeHost}`, 'dinner?'],
        [`${bobAtWork.user.username} · ${workHost}`, 'standup in 5'],
      ].sort(),
    );
    await until(() => app.totals.at(-1)?.mentions === 2, 'the totals of both servers');
    expect(app.totals.at(-1)).toMatchObject({
      unread: 2,
      mentions: 2,
      servers: [
        { name: workHost, unread: 1, mentions: 1 },
        { name: homeHost, unread: 1, mentions: 1 },
      ],
    });
    expect(app.lists.at(-1)!.map((s) => [s.name, s.active, s.mentions])).toEqual([
      [workHost, false, 1],
      [homeHost, true, 1],
    ]);

    // The work notification's click brings the work account on screen, at that conversation.
    const fromWork = FakeNotification.made.find((m) => m.options.title.endsWith(workHost))!;
    fromWork.click();
    expect(app.switches.at(-1)).toEqual([second, FIRST_ACCOUNT]);
    expect(app.followed).toEqual([
      expect.objectContaining({ action: 'open', server: work.url, channel: workDm }),
    ]);
    // Still signed in there, with the conversation and its message: no sign-in, nothing lost.
    const atWork = await app.window().session.request('getSnapshot', {});
    expect(atWork.user?.id).toBe(aliceAtWork.user.id);
    const opened = await app.window().session.request('openChannel', { channelId: workDm });
    expect(opened.messages.map((m) => m.text)).toEqual(['standup in 5']);
    // Home kept its own unread message meanwhile.
    app.servers.activate(second);
    const atHome = await app.window().session.request('getSnapshot', {});
    expect(atHome.user?.id).toBe(aliceAtHome.user.id);
    expect(atHome.channels.find((c) => c.id === homeDm)?.unreadCount).toBe(1);
  });

  it('the account on screen keeps each server’s place: what one sends stays on its own server', async () => {
    n += 1;
    const [aliceAtWork, aliceAtHome] = await Promise.all([
      createUser(work, `walice${n}`),
      createUser(home, `halice${n}`),
    ]);
    const app = desktopApp();
    await signIn(app.window(), work, aliceAtWork);
    const workChannel = await app.window().session.request('createChannel', {
      name: `work-${n}`,
      visibility: 'public',
    });
    await app.window().session.request('send', { channelId: workChannel.id, text: 'for work' });
    const second = app.servers.add();
    await signIn(app.window(), home, aliceAtHome);
    const snapshot = await app.window().session.request('getSnapshot', {});
    expect(snapshot.serverUrl).toBe(home.url);
    expect(snapshot.channels.some((c) => c.id === workChannel.id)).toBe(false);

    app.servers.activate(FIRST_ACCOUNT);
    await whenOnline(app.window().session);
    const back = await app.window().session.request('openChannel', { channelId: workChannel.id });
    expect(back.messages.map((m) => m.text)).toEqual(['for work']);
    expect(app.servers.list().map((s) => s.id)).toEqual([FIRST_ACCOUNT, second]);
  });
});
