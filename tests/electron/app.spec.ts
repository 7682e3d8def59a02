// The packaged app's behaviour that only a real Electron shows: the window and its security
// settings, signing in and chatting between two running apps, a refused request's error code reaching
// the page through IPC and the context bridge, switchboard:// links handed to the
// running instance, the session core's utility process killed and brought back, and the window's
// place remembered. Skipped, with the reason, where there is no Electron binary (support/electron.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { api, REPO_ROOT } from '../support/server.ts';
import { composer, createChannel, messages, send, uniqueName } from '../e2e/support/app.ts';
import { e2eEnv, passwordOf } from '../e2e/support/env.ts';
import { electronBinary, launch, signIn, skipReason } from './support/electron.ts';

test.skip(skipReason !== null, skipReason ?? '');

test('launches one sandboxed, context-isolated window on app://', async () => {
  const { app, window } = await launch();
  try {
    expect(window.url()).toBe('app://switchboard/index.html');
    expect(
      await window.evaluate(() => (window as { switchboard?: { desktop?: boolean } }).switchboard?.desktop),
    ).toBe(true);
    // No Node in the page, and no way to it.
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    );
    expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
      'undefined',
    );
    // Renderers are sandboxed (reported on Windows and macOS; Linux leaves it out).
    const renderers = await app.evaluate(({ app: electronApp }) =>
      electronApp.getAppMetrics().filter((m) => m.type === 'Tab'),
    );
    expect(renderers.length).toBeGreaterThan(0);
    for (const renderer of renderers) expect(renderer.sandboxed).not.toBe(false);
    // Navigation away is refused; the page stays on the app.
    await window.evaluate(() => (location.href = 'https://example.org/'));
    await expect.poll(() => window.url()).toBe('app://switchboard/index.html');
  } finally {
    await app.close();
  }
});

test('two apps sign in and chat both ways', async () => {
  const alice = await launch();
  const bob = await launch();
  try {
    await signIn(alice.window, 'alice');
    await signIn(bob.window, 'bob');
    const channel = uniqueName('electron');
    await createChannel(alice.window, channel);
    await bob.window.getByRole('button', { name: 'Browse channels' }).click();
    await bob.window.getByPlaceholder('Search channels').fill(channel);
    await bob.window.getByRole('button', { name: `Join ${channel}` }).click();
    await send(alice.window, 'hello from one app');
    await expect(messages(bob.window, 'hello from one app')).toHaveCount(1);
    await send(bob.window, 'and back from the other');
    await expect(messages(alice.window, 'and back from the other')).toHaveCount(1);
  } finally {
    await alice.app.close();
    await bob.app.close();
  }
});

test('a request main refuses reaches the page with its code, through IPC and the context bridge', async () => {
  const { app, window } = await launch();
  type Bridge = {
    appInfo(): Promise<{ server: { url: string | null } }>;
    hostLocalServer(): Promise<unknown>;
  };
  try {
    await signIn(window, 'alice');
    // Once main knows this account's server, it refuses to host one for it (conflict).
    await expect
      .poll(() =>
        window.evaluate(
          async () =>
            (await (window as unknown as { switchboard: Bridge }).switchboard.appInfo()).server.url !== null,
        ),
      )
      .toBe(true);
    const refusal = await window.evaluate(() =>
      (window as unknown as { switchboard: Bridge }).switchboard.hostLocalServer().then(
        () => null,
        (err: { code?: unknown; message?: unknown }) => ({ code: err.code, message: err.message }),
      ),
    );
    expect(refusal).toEqual({
      code: 'conflict',
      message: 'this account is on a server already: add a server first',
    });
  } finally {
    await app.close();
  }
});

test('a second launch with a switchboard:// link hands it to the running app, which opens the conversation', async () => {
  const first = await launch();
  try {
    await signIn(first.window, 'carol');
    const channel = uniqueName('linked');
    await createChannel(first.window, channel);
    const login = await api(e2eEnv().url, 'POST', '/api/v1/auth/login', {
      json: { username: 'carol', password: passwordOf('carol') },
    });
    const { channels } = (await api(e2eEnv().url, 'GET', '/api/v1/me/channels', { token: login.body.token }))
      .body as {
      channels: { id: string; name: string }[];
    };
    const target = channels.find((c) => c.name === channel)!;
    const link = `switchboard://open?server=${encodeURIComponent(e2eEnv().url)}&channel=${target.id}`;
    const binary = electronBinary() as { path: string };
    const second = spawn(binary.path, [REPO_ROOT, link], {
      env: { ...process.env, SWITCHBOARD_USER_DATA: first.userData },
      stdio: 'ignore',
    });
    // The second instance gives its link to the first and quits.
    await new Promise((resolve) => second.on('exit', resolve));
    await expect.poll(() => first.window.url()).toContain(`#/c/${target.id}`);
    await expect(first.window.getByRole('heading', { level: 1, name: channel })).toBeVisible();
  } finally {
    await first.app.close();
  }
});

test('the session core is killed and comes back; the window reconnects and carries on', async () => {
  const { app, window } = await launch();
  try {
    await signIn(window, 'dana');
    await createChannel(window, uniqueName('crash'));
    const pid = await app.evaluate(
      ({ app: electronApp }) =>
        electronApp
          .getAppMetrics()
          .find((m) => m.type === 'Utility' && m.serviceName === 'Switchboard session')?.pid,
    );
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await expect(window.getByText(/Reconnecting|Connecting…/)).toBeVisible();
    await expect(window.getByText(/Reconnecting|Connecting…/)).toBeHidden({ timeout: 20_000 });
    await send(window, 'after the utility process came back');
    await expect(messages(window, 'after the utility process came back')).toHaveCount(1);
    await expect(composer(window)).toBeEnabled();
  } finally {
    await app.close();
  }
});

test('remembers the window’s place, and brings it back onto a display when its display is gone', async () => {
  const first = await launch();
  await first.app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()[0]!.setBounds({ x: 40, y: 50, width: 900, height: 640 }),
  );
  await first.app.close();
  const again = await launch({ userData: first.userData });
  try {
    const bounds = await again.app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()[0]!.getBounds(),
    );
    expect(bounds).toMatchObject({ width: 900, height: 640 });
  } finally {
    await again.app.close();
  }
  // Saved on a display that no longer exists: it opens on the primary display instead.
  fs.writeFileSync(
    path.join(first.userData, 'window-state.json'),
    JSON.stringify({ x: 20_000, y: 20_000, width: 900, height: 640, maximized: false }),
  );
  const moved = await launch({ userData: first.userData });
  try {
    const { bounds, area } = await moved.app.evaluate(({ BrowserWindow, screen }) => ({
      bounds: BrowserWindow.getAllWindows()[0]!.getBounds(),
      area: screen.getPrimaryDisplay().workArea,
    }));
    expect(bounds.x).toBeGreaterThanOrEqual(area.x);
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(area.x + area.width);
  } finally {
    await moved.app.close();
  }
});
