// Keyboard only, from the sign-in form to sending and editing a message: no mouse anywhere.
import { expect, test, type Page } from '@playwright/test';
import {
  composer,
  conversation,
  messages,
  nav,
  Rest,
  screenshot,
  twoInChannels,
  uniqueName,
} from './support/app.ts';
import { e2eEnv, passwordOf } from './support/env.ts';

/** Presses Tab until `target` has focus, at most `limit` times. */
async function tabTo(page: Page, isTarget: () => Promise<boolean>, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await isTarget()) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`not reached with ${limit} presses of Tab`);
}

test('keyboard-only flow from sign-in to sending', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'carol'], ['keys']);

  const page = await (await browser.newContext()).newPage();
  await page.goto(url);

  // Sign in: the form starts focused; Tab moves to the password; Enter submits.
  await expect(page.getByLabel('Username')).toBeFocused();
  await page.keyboard.type('carol');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(passwordOf('carol'));
  await page.keyboard.press('Enter');
  await expect(nav(page)).toBeVisible();

  // Ctrl+K, type, Enter: the channel opens with the message box focused.
  await page.keyboard.press('Control+k');
  const switcher = page.getByRole('dialog', { name: 'Jump to a conversation' });
  await expect(switcher.getByRole('combobox')).toBeFocused();
  await page.keyboard.type(channel.name);
  await screenshot(page, 'quick-switcher');
  await page.keyboard.press('Enter');
  await expect(switcher).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: channel.name })).toBeVisible();
  await expect(composer(page)).toBeFocused();

  // Enter sends; Shift+Enter makes a new line.
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await page.keyboard.press('Enter');
  const sent = messages(page, 'line one');
  await expect(sent).toHaveAttribute('data-delivery', 'sent');
  await expect(sent.locator('.message-body')).toContainText(/line one\s*line two/);

  // Up on the empty box edits the last own message; Enter saves it.
  await page.keyboard.press('ArrowUp');
  const editor = page.getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('edited by keyboard');
  await page.keyboard.press('Enter');
  await expect(messages(page, 'edited by keyboard')).toContainText('(edited)');

  // Every control is reachable with Tab and shows where focus is; Escape closes a dialog and focus
  // returns to the control that opened it.
  const create = nav(page).getByRole('button', { name: 'Create a channel' });
  await tabTo(page, () => create.evaluate((el) => el === document.activeElement));
  const outline = await create.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create a channel' });
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(create).toBeFocused();

  await page.context().close();
});

test('the quick switcher finds public channels not joined yet and people without a conversation', async ({
  browser,
}) => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const unjoined = await alice.createChannel(uniqueName('findme'));
  await alice.createChannel(uniqueName('hidden-findme'), 'private');

  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.getByLabel('Username').fill('dana');
  await page.getByLabel('Password').fill(passwordOf('dana'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav(page)).toBeVisible();
  await expect(conversation(page, unjoined.name)).toHaveCount(0);

  await page.keyboard.press('Control+k');
  const switcher = page.getByRole('dialog', { name: 'Jump to a conversation' });
  await page.keyboard.type('findme');
  const option = switcher.getByRole('option', { name: new RegExp(unjoined.name) });
  await expect(option).toContainText('not joined yet');
  // Only public channels: a private one nobody added dana to stays unknown to her.
  await expect(switcher.getByRole('option', { name: /hidden-findme/ })).toHaveCount(0);
  await screenshot(page, 'quick-switcher-unjoined');
  await option.hover();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: unjoined.name })).toBeVisible();
  await expect(conversation(page, unjoined.name)).toHaveCount(1);

  // A person with no conversation yet: choosing them opens one.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('@carol');
  const carol = switcher.getByRole('option', { name: /carol/ });
  await expect(carol).toContainText('@carol');
  await carol.hover();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'carol' })).toBeVisible();
  await expect(conversation(page, 'carol')).toHaveCount(1);

  // A channel named in another script is found, and offered, by the name people read.
  const displayName = `찾는 방 ${unjoined.name}`;
  await alice.call('POST', '/channels', { displayName, visibility: 'public' });
  await page.keyboard.press('Control+k');
  await page.keyboard.type('찾는 방');
  await expect(switcher.getByRole('option', { name: new RegExp(displayName) })).toContainText(
    'not joined yet',
  );
  await page.keyboard.press('Escape');

  await page.context().close();
});
