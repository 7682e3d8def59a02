// The desktop renderer in Chromium: the same UI build the app serves from app://, with the test
// preload doing the app's window.postMessage port hand-over, its far end bridged to the session core
// running in Node as the app runs it (main's CoreHost, the real utility entry in a child process).
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { IPC } from '@switchboard/protocol/desktop';
import { api } from '../support/server.ts';
import {
  composer,
  conversation,
  createChannel,
  followTopic,
  messages,
  nav,
  publishToTopic,
  Rest,
  screenshot,
  send,
  topicLink,
  uniqueName,
} from './support/app.ts';
import { startDesktopApp, type DesktopApp } from './support/desktop.ts';
import { startServerWithPeople, stopServer } from './support/servers.ts';
import { e2eEnv, passwordOf } from './support/env.ts';

// The app's strict CSP is in force here, as it is in the app.
test.use({ bypassCSP: false });

let app: DesktopApp;
test.beforeEach(() => {
  app = startDesktopApp();
});
test.afterEach(async () => {
  await app.stop();
});

async function signInOnDesktop(page: import('@playwright/test').Page, username: string): Promise<void> {
  await app.open(page);
  // The desktop build does not live on a server: it asks which one.
  await page.getByLabel('Server address').fill(e2eEnv().url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(passwordOf(username));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav(page)).toBeVisible();
}

test('the desktop renderer chats through the core in its utility process', async ({ page }) => {
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('http://switchboard.desktop/')) outside.push(request.url());
  });
  await signInOnDesktop(page, 'carol');
  expect(
    await page.evaluate(() => (window as { switchboard?: { desktop?: boolean } }).switchboard?.desktop),
  ).toBe(true);

  const channel = uniqueName('desk');
  await createChannel(page, channel);
  await send(page, 'sent from the desktop window');
  await expect(messages(page, 'sent from the desktop window')).toHaveCount(1);
  await expect(messages(page, 'sent from the desktop window')).not.toHaveAttribute(
    'data-delivery',
    'pending',
  );

  // Someone else writes (over the REST API); it arrives through the core's connection.
  const dana = await api(e2eEnv().url, 'POST', '/api/v1/auth/login', {
    json: { username: 'dana', password: passwordOf('dana') },
  });
  const { channels } = (await api(e2eEnv().url, 'GET', '/api/v1/channels', { token: dana.body.token }))
    .body as {
    channels: { id: string; name: string }[];
  };
  const channelId = channels.find((c) => c.name === channel)!.id;
  await api(e2eEnv().url, 'POST', `/api/v1/channels/${channelId}/join`, { token: dana.body.token });
  await api(e2eEnv().url, 'POST', `/api/v1/channels/${channelId}/messages`, {
    token: dana.body.token,
    json: { clientId: crypto.randomUUID(), text: 'hello desktop, from dana' },
  });
  await expect(messages(page, 'hello desktop, from dana')).toHaveCount(1);
  await screenshot(page, 'desktop-renderer-chat');

  // The page itself never touched the network: everything went through its port.
  expect(outside).toEqual([]);
  // The preload reported the network state to main.
  expect(app.sent).toContainEqual({ channel: IPC.network, args: [true] });
});

test('follows switchboard:// links, and says in Settings how the sign-in is stored', async ({ page }) => {
  await signInOnDesktop(page, 'carol');
  const first = uniqueName('link-a');
  const second = uniqueName('link-b');
  await createChannel(page, first);
  await createChannel(page, second);
  const ids = await channelIds('carol');
  app.deepLink({ action: 'open', server: e2eEnv().url, channel: ids.get(first)! });
  await expect(page.getByRole('heading', { level: 1, name: first })).toBeVisible();
  // A link for another server, while signed in here, is refused and reported to main's log.
  app.deepLink({ action: 'open', server: 'https://elsewhere.example', channel: ids.get(second)! });
  await expect
    .poll(() =>
      app.sent.some(
        (s) => s.channel === IPC.rendererError && String(s.args[0]).includes('elsewhere.example'),
      ),
    )
    .toBe(true);
  await expect(page.getByRole('heading', { level: 1, name: first })).toBeVisible();

  // main reports the basic_text backend here (as on Linux without a keyring): Settings says so.
  await nav(page).getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('note')).toContainText('No keyring is available here');
  await screenshot(page, 'desktop-renderer-settings-basic-text');
});

test('a native notification, clicked, opens its conversation at that message', async ({ page }) => {
  // The page must not show browser notifications of its own: main shows them natively.
  await page.addInitScript(() => {
    const made: string[] = [];
    (window as unknown as { __browserNotices: string[] }).__browserNotices = made;
    class Recording {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string) {
        made.push(title);
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: Recording });
  });
  await signInOnDesktop(page, 'carol');
  const busy = uniqueName('busy');
  const elsewhere = uniqueName('elsewhere');
  await createChannel(page, busy);
  await createChannel(page, elsewhere);
  const ids = await channelIds('carol');
  const dana = await Rest.signIn(e2eEnv().url, 'dana');
  await dana.join(ids.get(busy)!);
  for (let i = 1; i <= 20; i++) await dana.post(ids.get(busy)!, `before #${i} of 20`);
  await dana.post(ids.get(busy)!, '@carol can you look at this one?');
  for (let i = 1; i <= 25; i++) await dana.post(ids.get(busy)!, `after ${i}`);

  await expect
    .poll(() => app.notifications.map((n) => [n.options.title, n.options.body]))
    .toEqual([[`#${busy}`, 'dana: @carol can you look at this one?']]);
  expect(app.notifications[0]!.options).toMatchObject({ hasReply: true });
  await expect(page.getByRole('heading', { level: 1, name: elsewhere })).toBeVisible();
  app.notifications[0]!.click();
  await expect(page.getByRole('heading', { level: 1, name: busy })).toBeVisible();
  await expect(messages(page, 'can you look at this one?')).toBeInViewport();
  await expect(messages(page, 'before #1 of 20')).not.toBeInViewport();
  await screenshot(page, 'desktop-renderer-notification-opened');
  expect(
    await page.evaluate(() => (window as unknown as { __browserNotices: string[] }).__browserNotices),
  ).toEqual([]);
});

test('a followed topic’s native notification opens its link outside the app, or else the topic', async ({
  page,
}) => {
  await signInOnDesktop(page, 'dana');
  const topic = uniqueName('deploys');
  await followTopic(page, topic);
  await expect(page.getByRole('heading', { level: 1, name: topic })).toBeVisible();
  // Away from the topic: its messages notify.
  await nav(page)
    .getByRole('button', { name: /^Threads/ })
    .click();

  await publishToTopic('alice', topic, 'Deploy 2.4 finished', { Title: 'Production', Priority: 'urgent' });
  await expect
    .poll(() => app.notifications.map((n) => [n.options.title, n.options.body]))
    .toEqual([['Production', 'Deploy 2.4 finished']]);
  expect(app.notifications[0]!.options.hasReply).toBeUndefined();
  app.notifications[0]!.click();
  await expect(page.getByRole('heading', { level: 1, name: topic })).toBeVisible();
  await expect(topicLink(page, topic)).toHaveAttribute('aria-current', 'page');
  expect(app.openedExternally).toEqual([]);

  await nav(page)
    .getByRole('button', { name: /^Threads/ })
    .click();
  await publishToTopic('alice', topic, 'Rollback ready', { Click: 'https://example.com/deploys/24' });
  await expect.poll(() => app.notifications.length).toBe(2);
  app.notifications[1]!.click();
  await expect.poll(() => app.openedExternally).toEqual(['https://example.com/deploys/24']);
  await expect(page.getByRole('heading', { level: 1, name: 'Threads' })).toBeVisible();
});

test('the server list: a second server beside the first, each with its counts, switching back to where it was', async ({
  page,
}) => {
  const home = await startServerWithPeople(['erin', 'frank']);
  try {
    // The earlier tests leave carol's mentions unread or not, depending on how far their pages got.
    await (await Rest.signIn(e2eEnv().url, 'carol')).readEverything();
    await signInOnDesktop(page, 'carol');
    const channel = uniqueName('work');
    await createChannel(page, channel);
    // One server: no list.
    await expect(page.getByRole('navigation', { name: 'Servers' })).toHaveCount(0);

    await nav(page).getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Add a server' }).click();
    // The window loads for the new account, which asks which server.
    await page.getByLabel('Server address').fill(home.server.url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Username').fill('erin');
    await page.getByLabel('Password').fill(passwordOf('erin'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(nav(page)).toBeVisible();
    const list = page.getByRole('navigation', { name: 'Servers' });
    const workHost = new URL(e2eEnv().url).host;
    const homeHost = new URL(home.server.url).host;
    await expect(list.getByRole('button', { name: homeHost })).toHaveAttribute('aria-current', 'page');

    // dana writes to carol at work while erin's account is on screen: the work icon shows it.
    const dana = await Rest.signIn(e2eEnv().url, 'dana');
    const dm = await dana.call<{ id: string }>('POST', '/directs', {
      userId: (await Rest.signIn(e2eEnv().url, 'carol')).userId,
    });
    await dana.post(dm.id, 'are you there?');
    await expect(list.getByRole('button', { name: `${workHost}, 1 message for you` })).toBeVisible();
    await expect.poll(() => app.notifications.map((n) => n.options.title)).toContain(`dana · ${workHost}`);
    await screenshot(page, 'desktop-renderer-server-list');

    // Back to work: carol is still signed in, her channel there.
    await list.getByRole('button', { name: `${workHost}, 1 message for you` }).click();
    await expect(conversation(page, channel)).toBeVisible();
    await expect(list.getByRole('button', { name: new RegExp(`^${workHost}`) })).toHaveAttribute(
      'aria-current',
      'page',
    );

    // Removing the work account from this computer: the home one comes on screen, alone again.
    await nav(page).getByRole('button', { name: 'Settings' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove this server' }).click();
    await expect(page.getByRole('navigation', { name: 'Servers' })).toHaveCount(0);
    await expect(nav(page)).toBeVisible();
    await expect(conversation(page, channel)).toHaveCount(0);
    expect(app.servers.list().map((s) => s.url)).toEqual([home.server.url]);
  } finally {
    await stopServer(home.server);
  }
});

test('hosts a server on this computer: first admin from the form, signed in; Settings lets the network join with an invite', async ({
  page,
}) => {
  await app.open(page);
  await page.getByRole('button', { name: 'Host a server on this computer' }).click();
  await page.getByLabel('Username').fill('me');
  await page.getByLabel('Password', { exact: true }).fill('a-long-local-password');
  await page.getByLabel('Confirm password').fill('a-long-local-password');
  await page.getByRole('button', { name: 'Start the server' }).click();
  await expect(nav(page)).toBeVisible({ timeout: 30_000 });
  const url = app.local.state.url!;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // Main learns the core's server over its control channel, apart from the window's own port.
  await expect.poll(() => app.servers.list()).toMatchObject([{ name: 'This computer', local: true, url }]);
  const channel = uniqueName('home');
  await createChannel(page, channel);
  await send(page, 'hosted here');
  await expect(messages(page, 'hosted here')).not.toHaveAttribute('data-delivery', 'pending');

  await nav(page).getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByText(`Running at ${url}`)).toBeVisible();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByLabel('Let others on my network join').check();
  const port = new URL(url).port;
  await expect(page.getByText(`People on your network join at http://127.0.0.2:${port}`)).toBeVisible({
    timeout: 30_000,
  });
  await page.getByRole('button', { name: 'Create an invite link' }).click();
  const note = page.getByText(/^Invite link \(20 uses, 7 days\): /);
  await expect(note).toBeVisible({ timeout: 30_000 });
  await screenshot(page, 'desktop-renderer-local-server-settings');
  const invite = new URL((await note.textContent())!.split(': ')[1]!).searchParams.get('invite')!;
  // Someone on the network joins with it.
  const joined = await api(`http://127.0.0.2:${port}`, 'POST', '/api/v1/auth/register', {
    json: { username: 'neighbour', password: 'a-neighbourly-password', invite },
  });
  expect(joined.status).toBe(201);
});

/** carol's channels by name, as the server has them. */
async function channelIds(username: string): Promise<Map<string, string>> {
  const login = await api(e2eEnv().url, 'POST', '/api/v1/auth/login', {
    json: { username, password: passwordOf(username) },
  });
  const { channels } = (await api(e2eEnv().url, 'GET', '/api/v1/me/channels', { token: login.body.token }))
    .body as {
    channels: { id: string; name: string }[];
  };
  return new Map(channels.map((c) => [c.name, c.id]));
}

test('shows "reconnecting" while the core restarts, then carries on with a fresh port', async ({ page }) => {
  await signInOnDesktop(page, 'carol');
  const channel = uniqueName('restart');
  await createChannel(page, channel);
  await send(page, 'before the crash');
  await expect(messages(page, 'before the crash')).toHaveCount(1);

  app.core.current().crash();
  await expect(page.getByText(/Reconnecting in \d+ seconds?…|Reconnecting now…|Connecting…/)).toBeVisible();
  await screenshot(page, 'desktop-renderer-core-restarting');

  // Main restarts it after the backoff; the window gets a new port and goes on where it was.
  await expect.poll(() => app.core.children.length, { timeout: 15_000 }).toBe(2);
  await expect(page.getByText(/Reconnecting|Connecting…/)).toBeHidden({ timeout: 15_000 });
  await expect(messages(page, 'before the crash')).toHaveCount(1);
  await send(page, 'after the restart');
  await expect(messages(page, 'after the restart')).toHaveCount(1);
  await expect(composer(page)).toBeEnabled();
});

test('a crash loop shows Restart and where the log is; Restart brings the app back', async ({ page }) => {
  // A core that gives up at its first crash, so the crash-loop screen shows at once.
  await app.stop();
  app = startDesktopApp({ crashLoopAfter: 1 });
  await signInOnDesktop(page, 'carol');
  const channel = uniqueName('loop');
  await createChannel(page, channel);
  // The core keeps its channel list in its cache a moment after a change; crash once it has.
  await expect.poll(() => cachedText(app.core.dataDir).includes(channel)).toBe(true);
  app.core.current().crash();
  await expect(
    page.getByRole('heading', { name: 'Switchboard’s background process keeps stopping' }),
  ).toBeVisible();
  await expect(page.getByText(app.core.logsDir)).toBeVisible();
  await screenshot(page, 'desktop-renderer-crash-loop');
  expect(app.core.children).toHaveLength(1);

  await page.getByRole('button', { name: 'Restart', exact: true }).click();
  await expect.poll(() => app.core.children.length, { timeout: 15_000 }).toBe(2);
  await expect(nav(page)).toBeVisible({ timeout: 15_000 });
  await send(page, 'back after Restart');
  await expect(messages(page, 'back after Restart')).toHaveCount(1);
});

/** Everything the core has written under its data folder, as text. */
function cachedText(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}
