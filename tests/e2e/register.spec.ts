// Registration on a server that admits people by invite: the admin's invite link opens the sign-up
// form with the code filled in, and the new account is signed in. A used-up link is refused, and
// without a link the sign-in screen still offers to create an account (asking for the code).
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { ServerProcess } from '../support/server.ts';
import { nav, Rest, screenshot, uniqueName } from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { freePort, startServerWithPeople, stopServer } from './support/servers.ts';

let server: ServerProcess;
let dataDir: string;
/** The address the server is told it is reached at, so its invite links point at itself. */
let publicUrl: string;

test.beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  ({ server, dataDir } = await startServerWithPeople([], 'admin', {
    port,
    args: ['--registration', 'invite', '--public-url', publicUrl],
  }));
});

test.afterAll(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function fillAccount(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(`${username}-long-password`);
  await page.getByLabel('Confirm password').fill(`${username}-long-password`);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test('an invite link creates an account and signs it in', async ({ browser }) => {
  const admin = await Rest.signIn(server.url, 'admin');
  const invite = await admin.call<{ code: string; url: string }>('POST', '/invites', { uses: 1 });
  expect(invite.url).toBe(`${publicUrl}/?invite=${encodeURIComponent(invite.code)}`);

  const page = await (await browser.newContext()).newPage();
  await page.goto(invite.url);
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  await expect(page.getByLabel('Invite code')).toHaveValue(invite.code);
  expect(await seriousViolations(page), 'registration form').toEqual([]);
  await screenshot(page, 'register-invite');
  const newcomer = uniqueName('newcomer');
  await fillAccount(page, newcomer);
  await expect(nav(page)).toBeVisible();
  expect(new URL(page.url()).searchParams.has('invite')).toBe(false);
  const users = await admin.call<{ users: { username: string }[] }>('GET', '/users');
  expect(users.users.map((u) => u.username)).toContain(newcomer);

  // The link was good for one account.
  const late = await (await browser.newContext()).newPage();
  await late.goto(invite.url);
  await fillAccount(late, uniqueName('latecomer'));
  await expect(late.getByRole('alert')).toHaveText(
    'That invite is unknown, used up or expired. Ask for a new one.',
  );

  // Without a link: sign-in offers to create an account, which asks for the code.
  await late.goto(publicUrl);
  await expect(late.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await late.getByRole('button', { name: 'Create account' }).click();
  await expect(late.getByLabel('Invite code')).toHaveValue('');
  await late.getByRole('button', { name: 'I already have an account' }).click();
  await expect(late.getByRole('button', { name: 'Sign in' })).toBeVisible();

  await page.context().close();
  await late.context().close();
});
