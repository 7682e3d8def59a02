// What only a real Electron shows of local mode and several servers: "Host a server on this
// computer" forks the bundled server in a utility process (better-sqlite3 loaded by Electron's own
// Node), makes the person its first admin and signs the app in; they chat; Quit stops the server
// gracefully, and the next start brings it back with the history. Then a second account on the test
// server beside it, in the server list. Skipped, with the reason, where there is no Electron binary.
import { expect, test } from '@playwright/test';
import { composer, createChannel, messages, nav, uniqueName } from '../e2e/support/app.ts';
import { e2eEnv, passwordOf } from '../e2e/support/env.ts';
import { launch, skipReason } from './support/electron.ts';

test.skip(skipReason !== null, skipReason ?? '');

const PASSWORD = 'a-long-local-password';

test('host a server on this computer: start, chat, quit, and it is back with the history', async () => {
  const first = await launch();
  const channel = uniqueName('local');
  try {
    await first.window.getByRole('button', { name: 'Host a server on this computer' }).click();
    await first.window.getByLabel('Username').fill('me');
    await first.window.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await first.window.getByLabel('Confirm password').fill(PASSWORD);
    await first.window.getByRole('button', { name: 'Start the server' }).click();
    await expect(nav(first.window)).toBeVisible({ timeout: 60_000 });
    await createChannel(first.window, channel);
    await composer(first.window).fill('kept on this computer');
    await composer(first.window).press('Enter');
    await expect(messages(first.window, 'kept on this computer')).not.toHaveAttribute(
      'data-delivery',
      'pending',
    );
  } finally {
    // Quit: the cores, then the server, stop gracefully.
    await first.app.close();
  }

  const again = await launch({ userData: first.userData });
  try {
    await expect(nav(again.window)).toBeVisible({ timeout: 60_000 });
    await nav(again.window)
      .getByRole('button', { name: new RegExp(`^${channel}`) })
      .click();
    await expect(messages(again.window, 'kept on this computer')).toHaveCount(1);

    // A second account, on the test server, beside the local one.
    await nav(again.window).getByRole('button', { name: 'Settings' }).click();
    await again.window.getByRole('button', { name: 'Add a server' }).click();
    await again.window.getByLabel('Server address').fill(e2eEnv().url);
    await again.window.getByRole('button', { name: 'Continue' }).click();
    await again.window.getByLabel('Username').fill('carol');
    await again.window.getByLabel('Password').fill(passwordOf('carol'));
    await again.window.getByRole('button', { name: 'Sign in' }).click();
    const list = again.window.getByRole('navigation', { name: 'Servers' });
    await expect(list.getByRole('button', { name: /^This computer/ })).toBeVisible();
    await list.getByRole('button', { name: /^This computer/ }).click();
    await expect(nav(again.window).getByRole('button', { name: new RegExp(`^${channel}`) })).toBeVisible();
  } finally {
    await again.app.close();
  }
});
