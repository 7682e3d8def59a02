// A person manages their own account from Settings → Profile: the name others see, their password
// (which signs out their other devices and keeps this one, ends the access tokens those devices made,
// and on request every access token), and their signed-in devices, one by one or all but this one.
import { expect, test, type Page } from '@playwright/test';
import { api, login, me } from '../support/server.ts';
import {
  composer,
  expectSignedOut,
  messages,
  nav,
  openConversation,
  openSettings,
  screenshot,
  send,
  signedInPage,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { passwordOf } from './support/env.ts';
import { runCli, useServerWithPeople } from './support/servers.ts';

const own = useServerWithPeople(['erin', 'finn']);

const NEW_PASSWORD = 'erins-brand-new-password';

async function signInWith(page: Page, password: string): Promise<void> {
  await page.getByLabel('Username').fill('erin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav(page)).toBeVisible();
}

test('a person renames themselves, signs out a device, changes the password, and signs out everywhere else', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const laptop = await signedInPage(browser, own.server.url, 'erin');
  const phone = await signedInPage(browser, own.server.url, 'erin');
  const tablet = await signedInPage(browser, own.server.url, 'erin');
  const finn = await signedInPage(browser, own.server.url, 'finn');

  // The name others see, from the profile (the name in the navigation opens it).
  await nav(laptop).getByRole('button', { name: 'Your profile: erin' }).click();
  const profile = laptop.getByRole('dialog', { name: 'Settings' });
  await expect(profile.getByRole('tab', { name: 'Profile' })).toHaveAttribute('aria-selected', 'true');
  await profile.getByLabel('Display name').fill('Erin Ek');
  await profile.getByRole('button', { name: 'Save name' }).click();
  await expect(profile.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(nav(phone).getByRole('button', { name: 'Your profile: Erin Ek' })).toBeVisible();
  await profile.getByRole('button', { name: 'Done' }).click();
  await openConversation(laptop, 'general');
  await openConversation(finn, 'general');
  await send(laptop, 'hello from erin');
  await expect(messages(finn, 'hello from erin')).toContainText('Erin Ek');

  // Three devices, the newest first; this one is marked and cannot be signed out from the list.
  const settings = await openSettings(laptop, 'Profile');
  const devices = settings.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
  await expect(devices).toHaveCount(3);
  await expect(devices.filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(devices.first()).toContainText('Chrome on Linux');
  expect(await seriousViolations(laptop), 'profile').toEqual([]);
  await screenshot(laptop, 'profile');
  await devices
    .first()
    .getByRole('button', { name: /^Sign out/ })
    .click();
  await expectSignedOut(tablet);
  await expect(devices).toHaveCount(2);

  // Two access tokens for scripts: one minted by a session on another device, one by the CLI.
  const script = await login(own.server.url, 'erin', passwordOf('erin'));
  const minted = await api(own.server.url, 'POST', '/api/v1/tokens', {
    token: script.body.token,
    json: { label: 'deploy script' },
  });
  expect(minted.status).toBe(201);
  const fromCli = (
    await runCli(['token', 'create', 'erin', '--label', 'backup job', '--data-dir', own.dataDir], '')
  ).split('\n')[0]!;
  expect((await me(own.server.url, fromCli)).status).toBe(200);

  // A wrong current password changes nothing; the right one signs out the phone, not this laptop.
  await settings.getByLabel('Current password').fill('not-my-password');
  await settings.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await settings.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await settings.getByRole('button', { name: 'Change password' }).click();
  await expect(settings.getByRole('alert')).toContainText('The current password is not right.');
  await settings.getByLabel('Current password').fill(passwordOf('erin'));
  await settings.getByRole('button', { name: 'Change password' }).click();
  await expect(settings.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  await expectSignedOut(phone);
  await expect(devices).toHaveCount(1);
  // What the signed-out session minted ends with it; the CLI's token was not asked to.
  expect((await me(own.server.url, minted.body.token)).status).toBe(401);
  expect((await me(own.server.url, fromCli)).status).toBe(200);
  await settings.getByRole('button', { name: 'Done' }).click();
  await send(laptop, 'still here');
  await expect(messages(laptop, 'still here')).toHaveAttribute('data-delivery', 'sent');

  // The old password no longer works; the new one does. Then: everywhere else.
  await phone.getByLabel('Username').fill('erin');
  await phone.getByLabel('Password').fill(passwordOf('erin'));
  await phone.getByRole('button', { name: 'Sign in' }).click();
  await expect(phone.getByRole('alert')).toContainText('Wrong username or password');
  await signInWith(phone, NEW_PASSWORD);
  await signInWith(tablet, NEW_PASSWORD);
  const again = await openSettings(laptop, 'Profile');
  await expect(again.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem')).toHaveCount(3);
  await again.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(again.getByRole('status').filter({ hasText: 'Signed out 2 other devices.' })).toBeVisible();
  await expectSignedOut(phone);
  await expectSignedOut(tablet);
  await expect(composer(laptop)).toBeVisible();

  // Asked to, a password change ends every access token too, and still keeps this laptop.
  await again.getByLabel('Current password').fill(NEW_PASSWORD);
  await again.getByLabel('New password', { exact: true }).fill(`${NEW_PASSWORD}-2`);
  await again.getByLabel('Confirm new password').fill(`${NEW_PASSWORD}-2`);
  await again.getByRole('checkbox', { name: 'Also revoke every access token (scripts and bots)' }).check();
  await again.getByRole('button', { name: 'Change password' }).click();
  await expect(again.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  expect((await me(own.server.url, fromCli)).status).toBe(401);
  await again.getByRole('button', { name: 'Done' }).click();
  await send(laptop, 'and still here');
  await expect(messages(laptop, 'and still here')).toHaveAttribute('data-delivery', 'sent');

  for (const page of [laptop, phone, tablet, finn]) await page.context().close();
});
