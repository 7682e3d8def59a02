// The pictures in the README and docs/, taken from the real web client on a server of its own with a
// small, tidy team. Every run draws each scene (so a broken screen fails here); with
// UPDATE_DOC_IMAGES=1 the pictures are written to docs/images/ (commit them), otherwise to
// test-results/doc-images/.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { REPO_ROOT } from '../support/server.ts';
import { log, messages, nav, openConversation, openSettings, Rest, send } from './support/app.ts';
import { passwordOf } from './support/env.ts';
import { useServerWithPeople } from './support/servers.ts';

const OUT = process.env.UPDATE_DOC_IMAGES
  ? path.join(REPO_ROOT, 'docs/images')
  : path.join(REPO_ROOT, 'test-results/doc-images');

const own = useServerWithPeople(['jun', 'sam', 'priya']);

test.beforeAll(async () => {
  const names = { admin: 'Maria Lopez', jun: 'Jun Park', sam: 'Sam Okafor', priya: 'Priya Nair' };
  const rest = Object.fromEntries(
    await Promise.all(
      Object.keys(names).map(async (u) => [u, await Rest.signIn(own.server.url, u)] as const),
    ),
  );
  for (const [username, displayName] of Object.entries(names))
    await rest[username]!.call('PATCH', '/me', { displayName });
  const general = (await rest.admin!.call('GET', '/me/channels')).channels[0];
  await rest.admin!.post(
    general.id,
    'Welcome to Switchboard, everyone! This is **#general**: every new account starts here.',
  );
  await rest.jun!.post(general.id, 'Thanks! The staging deploy is green again.');
  await rest.sam!.post(general.id, 'Nice. I moved the release checklist to `docs/release.md`.');
  const ops = await rest.admin!.createChannel('ops', 'private');
  await rest.admin!.call('POST', `/channels/${ops.id}/members`, { userId: rest.jun!.userId });
  await rest.jun!.post(ops.id, 'Backups ran at 02:00, 14 GB, all checks passed.');
  await rest.admin!.createChannel('release-notes');
  await rest.admin!.call('PUT', '/registration', { registration: 'invite' });
  await rest.admin!.call('POST', '/invites', { uses: 5, expiresInDays: 7 });
});

async function picture(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  // Nothing blinks or hovers: the caret, a focus ring or a hovered row would differ from run to run.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(page.viewportSize()!.width - 1, page.viewportSize()!.height - 1);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

async function page(browser: Browser, username: string, width = 1280, height = 800): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const p = await context.newPage();
  await p.goto(own.server.url);
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password').fill(passwordOf(username));
  await p.getByRole('button', { name: 'Sign in' }).click();
  await expect(p.getByRole('textbox', { name: 'Message' })).toBeVisible();
  return p;
}

test('the README and docs pictures', async ({ browser }) => {
  test.setTimeout(120_000);
  const maria = await page(browser, 'admin');
  await openConversation(maria, 'general');
  await send(maria, 'Settings → People and Invites is where new teammates come in.');
  await expect(messages(maria, 'Settings → People')).toHaveAttribute('data-delivery', 'sent');
  await picture(maria, 'workspace');

  const settings = await openSettings(maria, 'People');
  await expect(settings.getByTestId('person')).toHaveCount(4);
  await picture(maria, 'admin-people');
  await settings.getByRole('tab', { name: 'Invites' }).click();
  await expect(settings.getByTestId('invite')).toHaveCount(1);
  await settings.getByRole('button', { name: 'Create link' }).click();
  await expect(settings.getByRole('textbox', { name: 'Invite link' })).toBeVisible();
  await picture(maria, 'admin-invites');
  await settings.getByRole('tab', { name: 'Profile' }).click();
  await expect(
    settings.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem'),
  ).not.toHaveCount(0);
  await settings.getByRole('heading', { name: 'Signed-in devices' }).scrollIntoViewIfNeeded();
  await picture(maria, 'profile');

  const jun = await page(browser, 'jun', 400, 760);
  await expect(jun.getByRole('heading', { level: 1, name: 'general' })).toBeVisible();
  await expect(log(jun)).toHaveAttribute('aria-busy', 'false');
  await expect(messages(jun, 'Settings → People')).toBeVisible();
  await expect(jun.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);
  await picture(jun, 'narrow');
  await jun.getByRole('button', { name: 'Show conversations' }).click();
  await expect(nav(jun)).toBeVisible();
  await picture(jun, 'narrow-drawer');

  await maria.context().close();
  await jun.context().close();
});
