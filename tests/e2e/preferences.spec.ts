// Preferences live with the account on the server: a change in one browser shows up live in another
// browser signed in as the same person, and a new device starts with them.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { nav, person, Rest, screenshot } from './support/app.ts';
import { e2eEnv, passwordOf } from './support/env.ts';

const WHO = 'dana';

const device = (browser: Browser) => person(browser, WHO);

test.afterEach(async () => {
  await (await Rest.signIn(e2eEnv().url, WHO)).setPreferences({});
});

test('preferences changed in one browser follow the person to another', async ({ browser }) => {
  const laptop = await device(browser);
  const phone = await device(browser);
  const root = (page: Page) => page.locator('html');
  await expect(root(phone)).toHaveAttribute('data-theme', 'light');

  // The phone has its settings open while the laptop changes them.
  await nav(phone).getByRole('button', { name: 'Settings' }).click();
  const phoneSettings = phone.getByRole('dialog', { name: 'Settings' });
  await expect(phoneSettings.getByRole('radio', { name: 'Mentions and direct messages' })).toBeChecked();

  await nav(laptop).getByRole('button', { name: 'Settings' }).click();
  const laptopSettings = laptop.getByRole('dialog', { name: 'Settings' });
  await expect(laptopSettings.getByText(/follow you to your other devices/)).toBeVisible();
  await laptopSettings.getByRole('radio', { name: 'Dark' }).check();
  await laptopSettings.getByRole('radio', { name: 'Nothing' }).check();

  await expect(root(phone)).toHaveAttribute('data-theme', 'dark');
  await expect(phoneSettings.getByRole('radio', { name: 'Dark' })).toBeChecked();
  await expect(phoneSettings.getByRole('radio', { name: 'Nothing' })).toBeChecked();
  await phoneSettings.getByRole('button', { name: 'Done' }).click();

  await laptopSettings.getByLabel('Language').selectOption('ko');
  await expect(nav(phone)).toBeHidden();
  await expect(phone.getByRole('navigation', { name: '채널' })).toBeVisible();
  await expect(root(phone)).toHaveAttribute('lang', 'ko');
  await screenshot(phone, 'preferences-followed');

  // A device this person has never used starts in English, then takes their preferences on sign-in.
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(e2eEnv().url);
  await fresh.getByLabel('Username').fill(WHO);
  await fresh.getByLabel('Password').fill(passwordOf(WHO));
  await fresh.getByRole('button', { name: 'Sign in' }).click();
  await expect(fresh.getByRole('navigation', { name: '채널' })).toBeVisible();
  await expect(root(fresh)).toHaveAttribute('data-theme', 'dark');

  for (const page of [laptop, phone, fresh]) await page.context().close();
});
