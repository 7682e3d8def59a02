// Channel names in any script, and a channel's details: the link name made from the name (and said
// so), topic and purpose set by a member, the member list, rename and archive by the creator seen
// live by another member, and an archived channel read-only and out of the sidebar.
import { expect, test, type Page } from '@playwright/test';
import {
  composer,
  conversation,
  messages,
  nav,
  openConversation,
  person,
  Rest,
  screenshot,
  uniqueName,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv } from './support/env.ts';

const details = (page: Page) => page.getByRole('complementary', { name: 'Channel details' });

test('a channel named in Korean gets a link name it says, and is renamed and archived', async ({
  browser,
}) => {
  const { url } = e2eEnv();
  const bob = await Rest.signIn(url, 'bob');
  const alicePage = await person(browser, 'alice');
  const tag = uniqueName('t').slice(2);
  const korean = `개발팀 ${tag}`;

  // The dialog says what the link name will be before the channel exists.
  await nav(alicePage).getByRole('button', { name: 'Create a channel' }).click();
  const dialog = alicePage.getByRole('dialog', { name: 'Create a channel' });
  await dialog.getByLabel('Name').fill(`General Chat ${tag}`);
  await expect(dialog.getByTestId('slug-preview')).toHaveText(
    `Its link name will be #general-chat-${tag}: lowercase Latin letters and digits, made from the name.`,
  );
  await dialog.getByLabel('Name').fill(korean);
  await expect(dialog.getByTestId('slug-preview')).toContainText('a short code such as #c-');
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await expect(alicePage.getByRole('heading', { level: 1, name: korean })).toBeVisible();
  await expect(alicePage.getByRole('status').filter({ hasText: 'Its link name is #c-' })).toBeVisible();
  await expect(conversation(alicePage, korean)).toBeVisible();

  const channel = (
    await bob.call<{ channels: { id: string; name: string; displayName: string }[] }>('GET', '/channels')
  ).channels.find((c) => c.displayName === korean)!;
  expect(channel.name).toMatch(/^c-[0-9a-f]{8}$/);
  await bob.join(channel.id);
  const bobPage = await person(browser, 'bob');
  await openConversation(bobPage, korean);

  // Bob, a member, sets the topic and purpose from the details; Alice sees the topic live.
  await bobPage.getByRole('button', { name: 'Details' }).click();
  const panel = details(bobPage);
  await expect(panel).toContainText(`#${channel.name}`);
  await expect(panel.getByRole('listitem').filter({ hasText: 'alice' })).toContainText('Online');
  await panel.getByRole('button', { name: 'Edit Topic' }).click();
  await panel.getByLabel('Topic').fill('스프린트 계획 · sprint planning');
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.getByRole('button', { name: 'Edit Purpose' }).click();
  await panel.getByLabel('Purpose').fill('Where the dev team plans');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel).toContainText('Where the dev team plans');
  await expect(alicePage.locator('.channel-topic')).toHaveText('스프린트 계획 · sprint planning');
  // Renaming and archiving are for the creator (and admins).
  await expect(panel.getByRole('button', { name: 'Rename channel' })).toHaveCount(0);
  expect(await seriousViolations(bobPage), 'channel details').toEqual([]);
  await screenshot(bobPage, 'channel-details');

  // Alice renames it; Bob's sidebar and header follow at once.
  await alicePage.getByRole('button', { name: 'Details' }).click();
  await details(alicePage).getByRole('button', { name: 'Rename channel' }).click();
  const rename = alicePage.getByRole('dialog', { name: 'Rename the channel' });
  await rename.getByLabel('Name', { exact: true }).fill(`플랫폼팀 ${tag}`);
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(bobPage.getByRole('heading', { level: 1, name: `플랫폼팀 ${tag}` })).toBeVisible();
  await expect(conversation(bobPage, `플랫폼팀 ${tag}`)).toBeVisible();

  // Alice archives it: out of Bob's sidebar, read-only when he opens it from Browse channels.
  await details(alicePage).getByRole('button', { name: 'Archive channel' }).click();
  await alicePage
    .getByRole('dialog', { name: /^Archive #/ })
    .getByRole('button', { name: 'Archive channel' })
    .click();
  await expect(conversation(bobPage, `플랫폼팀 ${tag}`)).toHaveCount(0);
  await expect(conversation(alicePage, `플랫폼팀 ${tag}`)).toHaveCount(0);
  await expect(bobPage.getByRole('note')).toContainText('This channel is archived');
  await expect(composer(bobPage)).toHaveCount(0);

  // After a reload it is still archived, and still readable.
  await bob.post(channel.id, 'too late').catch((err: Error) => expect(err.message).toContain('archived'));
  await bobPage.reload();
  await nav(bobPage).getByRole('button', { name: 'Browse channels' }).click();
  const browse = bobPage.getByRole('dialog', { name: 'Browse channels' });
  await browse.getByPlaceholder('Search channels').fill(tag);
  await expect(browse.getByRole('listitem').filter({ hasText: `플랫폼팀 ${tag}` })).toContainText('Archived');
  await browse.getByRole('button', { name: `Open 플랫폼팀 ${tag}` }).click();
  await expect(bobPage.getByRole('note')).toContainText('This channel is archived');
  await expect(messages(bobPage)).toHaveCount(0);
  await screenshot(bobPage, 'channel-archived');

  await alicePage.context().close();
  await bobPage.context().close();
});
