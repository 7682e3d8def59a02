// What only a real Electron shows of notifications and the tray: a native Notification shown for a
// mention and its click bringing the conversation up; a followed topic's message shown natively and
// its click opening the message's link through the shell; the window closed to the tray and opened
// again from the tray icon; the tray's menu. Electron's own classes are watched from the main process
// (Notification.prototype.show, Tray.prototype.setContextMenu), which is where the app calls them.
// Skipped, with the reason, where there is no Electron binary (support/electron.ts).
import { expect, test, type ElectronApplication } from '@playwright/test';
import { createChannel, followTopic, nav, publishToTopic, Rest, uniqueName } from '../e2e/support/app.ts';
import { e2eEnv } from '../e2e/support/env.ts';
import { launch, signIn, skipReason } from './support/electron.ts';

test.skip(skipReason !== null, skipReason ?? '');

type Watched = typeof globalThis & {
  __notifications: Electron.Notification[];
  __tray: Electron.Tray | null;
  __trayMenu: Electron.Menu | null;
  __opened: string[];
};

/** Records every Notification the app shows and the tray it updates, in the main process. */
async function watch(app: ElectronApplication): Promise<void> {
  await app.evaluate(({ Notification, Tray }) => {
    const g = globalThis as Watched;
    g.__notifications = [];
    g.__tray = null;
    g.__trayMenu = null;
    const show = Notification.prototype.show;
    Notification.prototype.show = function (this: Electron.Notification) {
      g.__notifications.push(this);
      return show.call(this);
    };
    const setContextMenu = Tray.prototype.setContextMenu;
    Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu | null) {
      g.__tray = this;
      g.__trayMenu = menu;
      return setContextMenu.call(this, menu);
    };
  });
}

async function channelId(name: string, as: Rest): Promise<string> {
  const { channels } = await as.call<{ channels: { id: string; name: string }[] }>('GET', '/me/channels');
  return channels.find((c) => c.name === name)!.id;
}

test('a mention shows a native notification; clicking it opens the conversation', async () => {
  const { app, window } = await launch();
  try {
    await watch(app);
    await signIn(window, 'carol');
    const busy = uniqueName('native');
    await createChannel(window, busy);
    await createChannel(window, uniqueName('other'));
    const dana = await Rest.signIn(e2eEnv().url, 'dana');
    const carol = await Rest.signIn(e2eEnv().url, 'carol');
    const id = await channelId(busy, carol);
    await dana.join(id);
    await dana.post(id, '@carol a native one');
    await expect
      .poll(() => app.evaluate(() => (globalThis as Watched).__notifications.map((n) => [n.title, n.body])))
      .toEqual([[`#${busy}`, 'dana: @carol a native one']]);
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.hide());
    await app.evaluate(() => (globalThis as Watched).__notifications[0]!.emit('click', {}));
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.isVisible()))
      .toBe(true);
    await expect(window.getByRole('heading', { level: 1, name: busy })).toBeVisible();
  } finally {
    await app.close();
  }
});

test('a followed topic’s message shows a native notification; clicking it opens its link outside the app', async () => {
  const { app, window } = await launch();
  try {
    await watch(app);
    // Where the app hands a link to the OS: recorded instead of opening a browser.
    await app.evaluate(({ shell }) => {
      const g = globalThis as Watched;
      g.__opened = [];
      shell.openExternal = async (url: string) => void g.__opened.push(url);
    });
    await signIn(window, 'carol');
    const topic = uniqueName('builds').replace(/[^-_A-Za-z0-9]/g, '');
    await followTopic(window, topic);
    await expect(window.getByRole('heading', { level: 1, name: topic })).toBeVisible();
    // Away from the topic's view, so its new message is news.
    await nav(window)
      .getByRole('button', { name: /^Threads/ })
      .click();
    await publishToTopic('dana', topic, 'Build 42 failed', {
      Title: 'CI',
      Click: 'https://example.com/builds/42',
    });
    await expect
      .poll(() => app.evaluate(() => (globalThis as Watched).__notifications.map((n) => [n.title, n.body])))
      .toEqual([['CI', 'Build 42 failed']]);
    await app.evaluate(() => (globalThis as Watched).__notifications[0]!.emit('click', {}));
    await expect
      .poll(() => app.evaluate(() => (globalThis as Watched).__opened))
      .toEqual(['https://example.com/builds/42']);
  } finally {
    await app.close();
  }
});

test('closing the window keeps the app in the tray; the tray icon brings it back', async () => {
  const { app, window } = await launch();
  try {
    await watch(app);
    await signIn(window, 'dana');
    // Any change of counts redraws the tray (and lets the watch find it).
    await createChannel(window, uniqueName('tray'));
    await expect.poll(() => app.evaluate(() => (globalThis as Watched).__tray !== null)).toBe(true);
    expect(
      await app.evaluate(() => (globalThis as Watched).__trayMenu!.items.map((item) => item.label)),
    ).toEqual(['Open Switchboard', '', 'Do not disturb', 'Start at login', '', 'Quit Switchboard']);

    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    const state = () =>
      app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()));
    await expect.poll(state).toEqual([false]);
    await app.evaluate(() => (globalThis as Watched).__tray!.emit('click', {}, {}));
    await expect.poll(state).toEqual([true]);
  } finally {
    await app.close();
  }
});
