// axe-core finds no serious or critical problem on the main screens, in light and dark, and in
// Korean; the screenshots of each are kept as artifacts.
import { expect, test } from '@playwright/test';
import {
  composer,
  nav,
  openConversation,
  Rest,
  screenshot,
  send,
  signIn,
  twoInChannels,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv } from './support/env.ts';

// Preferences are kept on the server: put Bob's back so the tests after this one see the defaults.
test.afterEach(async () => {
  await (await Rest.signIn(e2eEnv().url, 'bob')).setPreferences({});
});

test('the main screens have no serious accessibility problems', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    people: [alice],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['a11y']);
  await alice.post(
    channel.id,
    'Welcome! Here is a list:\n\n- **bold** item\n- `code` item\n\n> a quote\n\nand a link: https://example.com',
  );
  await alice.post(channel.id, '```ts\nconst answer = 42;\n```');
  await alice.post(channel.id, '@bob could you look at this? :eyes:');

  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await seriousViolations(page), 'sign-in').toEqual([]);
  await screenshot(page, 'sign-in');

  await signIn(page, url, 'bob');
  await openConversation(page, channel.name);
  await send(page, 'Looks good to me.');
  await composer(page).pressSequentially('Thanks @al');
  await expect(page.getByRole('listbox', { name: 'People' })).toBeVisible();
  expect(await seriousViolations(page), 'channel with mention list, light').toEqual([]);
  await screenshot(page, 'channel-mention-list-light');
  await composer(page).fill('');

  // Settings: switch to dark and check the same screens again.
  await nav(page).getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  expect(await seriousViolations(page), 'settings dialog').toEqual([]);
  await settings.getByRole('radio', { name: 'Dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'settings-dark');
  await settings.getByRole('button', { name: 'Done' }).click();
  expect(await seriousViolations(page), 'channel, dark').toEqual([]);
  await screenshot(page, 'channel-dark');

  await page.keyboard.press('Control+k');
  expect(await seriousViolations(page), 'quick switcher, dark').toEqual([]);
  await page.keyboard.press('Escape');

  // Korean, complete: the landmarks and labels follow.
  await nav(page).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('dialog', { name: 'Settings' }).getByLabel('Language').selectOption('ko');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await page.getByRole('dialog', { name: '설정' }).getByRole('button', { name: '완료' }).click();
  await expect(page.getByRole('navigation', { name: '채널' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: '메시지' })).toBeVisible();
  expect(await seriousViolations(page), 'channel, Korean, dark').toEqual([]);
  await screenshot(page, 'channel-korean-dark');

  // The choice is kept per person: after a reload it is still Korean and dark.
  await page.reload();
  await expect(page.getByRole('navigation', { name: '채널' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.context().close();
});
