// An admin brings people in without a terminal: changes who may register while the server runs,
// makes an invite link that someone registers through, and manages people (admin role, a password
// reset link, deactivation) from the admin area in Settings.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectSignedOut, nav, openSettings, screenshot, signIn } from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { passwordOf } from './support/env.ts';
import { useServerWithPeople } from './support/servers.ts';

const own = useServerWithPeople(['bob']);

const fresh = async (browser: Browser): Promise<Page> => (await browser.newContext()).newPage();

/** Creates an account on the registration form the page shows. */
async function createAccount(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(nav(page)).toBeVisible();
}

test('someone registers through an invite link an admin made, and lands in #general', async ({ browser }) => {
  const admin = await fresh(browser);
  await signIn(admin, own.server.url, 'admin');
  const settings = await openSettings(admin, 'Invites');
  // Registration is closed on a new server: links would not work yet, and the form says so.
  await expect(settings.getByRole('radio', { name: /^Nobody/ })).toBeChecked();
  await expect(settings.getByRole('button', { name: 'Create link' })).toBeDisabled();
  await settings.getByRole('radio', { name: /People with an invite link/ }).check();
  await settings.getByLabel('Accounts it can create').selectOption('1');
  await settings.getByRole('button', { name: 'Create link' }).click();
  const link = await settings.getByRole('textbox', { name: 'Invite link' }).inputValue();
  expect(link).toMatch(new RegExp(`^${own.server.url}/\\?invite=inv_`));
  await expect(settings.getByTestId('invite')).toHaveCount(1);
  await expect(settings.getByTestId('invite')).toContainText('1 use left');
  expect(await seriousViolations(admin), 'invites').toEqual([]);
  await screenshot(admin, 'admin-invites');

  const newcomer = await fresh(browser);
  await newcomer.goto(link);
  await expect(newcomer.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  await expect(newcomer.getByLabel('Invite code')).toHaveValue(new URL(link).searchParams.get('invite')!);
  await createAccount(newcomer, 'newbie', 'newbies-long-password');
  await expect(newcomer.getByRole('heading', { level: 1, name: 'general' })).toBeVisible();
  expect(new URL(newcomer.url()).searchParams.get('invite')).toBeNull();

  // The admin sees them arrive in People, and the used-up invite is gone.
  await settings.getByRole('tab', { name: 'People' }).click();
  await expect(settings.getByTestId('person').filter({ hasText: '@newbie' })).toContainText('online now');
  expect(await seriousViolations(admin), 'people').toEqual([]);
  await screenshot(admin, 'admin-people');
  await settings.getByRole('tab', { name: 'Invites' }).click();
  await expect(settings.getByText('No open invites.')).toBeVisible();

  await admin.context().close();
  await newcomer.context().close();
});

test('the registration policy changes live, without a restart', async ({ browser }) => {
  const admin = await fresh(browser);
  await signIn(admin, own.server.url, 'admin');
  const settings = await openSettings(admin, 'Invites');
  await settings.getByRole('radio', { name: /^Nobody/ }).check();
  await expect(settings.getByRole('radio', { name: /^Nobody/ })).toBeChecked();

  const visitor = await fresh(browser);
  await visitor.goto(own.server.url);
  await expect(visitor.getByText('Ask an admin of this server for an invite link')).toBeVisible();
  await expect(visitor.getByRole('button', { name: 'Create account' })).toHaveCount(0);

  await settings.getByRole('radio', { name: /Anyone who can reach this server/ }).check();
  await expect(settings.getByRole('radio', { name: /Anyone who can reach this server/ })).toBeChecked();
  await visitor.reload();
  await visitor.getByRole('button', { name: 'Create account' }).click();
  await createAccount(visitor, 'walkin', 'walkins-long-password');

  await settings.getByRole('radio', { name: /^Nobody/ }).check();
  const later = await fresh(browser);
  await later.goto(own.server.url);
  await expect(later.getByText('Ask an admin of this server for an invite link')).toBeVisible();
  await expect(later.getByRole('button', { name: 'Create account' })).toHaveCount(0);

  for (const page of [admin, visitor, later]) await page.context().close();
});

test('an admin makes someone an admin, gives them a password reset link, and deactivates them', async ({
  browser,
}) => {
  const admin = await fresh(browser);
  const bob = await fresh(browser);
  await signIn(admin, own.server.url, 'admin');
  await signIn(bob, own.server.url, 'bob');
  const settings = await openSettings(admin, 'People');
  const bobRow = settings.getByTestId('person').filter({ hasText: '@bob' });

  await bobRow.getByRole('button', { name: 'Make admin' }).click();
  await expect(bobRow).toContainText('Admin');
  // Bob's app follows at once: the admin area appears in his Settings.
  const bobSettings = await openSettings(bob);
  await expect(bobSettings.getByRole('tab', { name: 'People' })).toBeVisible();
  await bobSettings.getByRole('button', { name: 'Done' }).click();
  await bobRow.getByRole('button', { name: 'Remove admin' }).click();
  await expect(bobRow.getByRole('button', { name: 'Make admin' })).toBeVisible();
  // The admin's own row offers nothing that could leave the server without an admin.
  await expect(settings.getByTestId('person').filter({ hasText: '@admin' }).getByRole('button')).toHaveCount(
    0,
  );

  // A reset link: whoever opens it sets bob's password once and is signed in as bob.
  await bobRow.getByRole('button', { name: 'Reset password' }).click();
  const link = await settings.getByRole('textbox', { name: 'Password reset link for bob' }).inputValue();
  expect(link).toMatch(new RegExp(`^${own.server.url}/\\?reset=reset_`));
  const resetting = await fresh(browser);
  await resetting.goto(link);
  await expect(resetting.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await resetting.getByLabel('New password', { exact: true }).fill('bobs-brand-new-password');
  await resetting.getByLabel('Confirm new password').fill('bobs-brand-new-password');
  await resetting.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(nav(resetting)).toBeVisible();
  // His old session ended with the reset.
  await expectSignedOut(bob);

  await bobRow.getByRole('button', { name: 'Deactivate' }).click();
  await expect(bobRow).toContainText('Deactivated');
  await expectSignedOut(resetting);
  await resetting.getByLabel('Username').fill('bob');
  await resetting.getByLabel('Password').fill('bobs-brand-new-password');
  await resetting.getByRole('button', { name: 'Sign in' }).click();
  await expect(resetting.getByRole('alert')).toContainText('Wrong username or password');

  await bobRow.getByRole('button', { name: 'Reactivate' }).click();
  await expect(bobRow).not.toContainText('Deactivated');
  await resetting.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav(resetting)).toBeVisible();
  expect(passwordOf('bob')).not.toBe('bobs-brand-new-password');

  for (const page of [admin, bob, resetting]) await page.context().close();
});
