// The layout at the sizes and in the languages people use: at 400 px the navigation is a drawer and
// the header buttons show only icons (named by their labels), with axe finding nothing serious either
// way; very wide windows keep a readable line length; Korean times and hints fit where they sit; and
// colour emoji come before the generic font.
import { expect, test, type Page } from '@playwright/test';
import {
  composer,
  log,
  messages,
  nav,
  openConversation,
  Rest,
  screenshot,
  uniqueName,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv, passwordOf } from './support/env.ts';

test.afterEach(async () => {
  await (await Rest.signIn(e2eEnv().url, 'carol')).setPreferences({});
});

async function signInAs(page: Page, username: string): Promise<void> {
  await page.goto(e2eEnv().url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(passwordOf(username));
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('at 400 px the navigation is a drawer and the header shows named icons', async ({ browser }) => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  // A name longer than the header has room for beside its three buttons.
  const channel = await alice.createChannel(uniqueName('narrow-screens-long-channel-name'));
  await (await Rest.signIn(url, 'carol')).join(channel.id);
  await alice.post(
    channel.id,
    'A message that is long enough to wrap over a few lines on a narrow phone screen.',
  );

  const page = await (await browser.newContext({ viewport: { width: 400, height: 760 } })).newPage();
  await signInAs(page, 'carol');
  const menu = page.getByRole('button', { name: 'Show conversations' });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav(page)).toBeHidden();

  // The drawer: opened by the menu button, focus inside it; Escape closes it and returns focus.
  await menu.click();
  await expect(nav(page)).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav(page).getByRole('button', { name: /Jump to/ })).toBeFocused();
  expect(await seriousViolations(page), 'narrow, drawer open').toEqual([]);
  await screenshot(page, 'narrow-drawer');
  await page.keyboard.press('Escape');
  await expect(nav(page)).toBeHidden();
  await expect(menu).toBeFocused();

  // Choosing a conversation closes the drawer.
  await menu.click();
  await nav(page)
    .getByRole('button', { name: new RegExp(`^${channel.name}`) })
    .click();
  await expect(nav(page)).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: channel.name })).toBeVisible();
  await expect(log(page)).toHaveAttribute('aria-busy', 'false');

  // Header buttons: icons only, each still named; nothing wraps or overflows the 400 px.
  for (const name of ['Add people', 'Leave channel']) {
    const button = page.getByRole('button', { name });
    await expect(button).toBeVisible();
    expect((await button.boundingBox())!.width).toBeLessThanOrEqual(40);
  }
  const header = await page.locator('.channel-header').boundingBox();
  expect(header!.height).toBeLessThanOrEqual(56);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
  await expect(composer(page)).toBeVisible();
  expect(await seriousViolations(page), 'narrow, conversation').toEqual([]);
  await screenshot(page, 'narrow');

  await page.context().close();
});

test('Korean: the hover time fits its gutter and examples in hints do not break', async ({ browser }) => {
  const { url } = e2eEnv();
  const carol = await Rest.signIn(url, 'carol');
  await carol.setPreferences({ language: 'ko' });
  const channel = await carol.createChannel(uniqueName('korean'));
  await carol.post(channel.id, '첫 번째 메시지');
  await carol.post(channel.id, '두 번째 메시지');

  const page = await (await browser.newContext({ viewport: { width: 400, height: 760 } })).newPage();
  await signInAs(page, 'carol');
  await page.getByRole('button', { name: '대화 목록 보기' }).click();
  await page
    .getByRole('navigation', { name: '채널' })
    .getByRole('button', { name: new RegExp(`^${channel.name}`) })
    .click();
  await expect(log(page)).toHaveAttribute('aria-busy', 'false');
  const second = messages(page, '두 번째 메시지');
  await second.hover();
  const time = second.locator('.message-hover-time');
  await expect(time).toBeVisible();
  const [timeBox, gutterBox] = await Promise.all([
    time.boundingBox(),
    second.locator('.message-gutter').boundingBox(),
  ]);
  expect(timeBox!.x).toBeGreaterThanOrEqual(gutterBox!.x - 0.5);
  expect(timeBox!.x + timeBox!.width).toBeLessThanOrEqual(gutterBox!.x + gutterBox!.width + 0.5);

  await page.getByRole('button', { name: '대화 목록 보기' }).click();
  await page.getByRole('navigation', { name: '채널' }).getByRole('button', { name: '채널 만들기' }).click();
  const hint = page.getByRole('dialog', { name: '채널 만들기' }).locator('#create-name-hint');
  await expect(hint).toContainText('Release 2.0');
  const lineHeight = await hint.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
  await expect(hint.locator('.nowrap')).toHaveCount(2);
  for (const example of await hint.locator('.nowrap').all())
    expect((await example.boundingBox())!.height).toBeLessThan(lineHeight * 1.5);

  await page.context().close();
});

test('wide windows keep a readable line length, and colour emoji come before the generic font', async ({
  browser,
}) => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const channel = await alice.createChannel(uniqueName('wide'));
  await (await Rest.signIn(url, 'carol')).join(channel.id);
  await alice.post(channel.id, `${'A long line that goes on and on 😀 '.repeat(20)}`);

  const page = await (await browser.newContext({ viewport: { width: 2400, height: 900 } })).newPage();
  await signInAs(page, 'carol');
  await openConversation(page, channel.name);
  const body = messages(page, 'A long line').locator('.message-body');
  const width = (await body.boundingBox())!.width;
  const fontSize = await body.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  // 88ch of the body font: well under the 2,000 px the window would give it.
  expect(width).toBeLessThanOrEqual(fontSize * 88);
  expect(width).toBeGreaterThan(fontSize * 30);

  const families = await page.evaluate(() => getComputedStyle(document.body).fontFamily.toLowerCase());
  const emoji = families.indexOf('noto color emoji');
  expect(emoji).toBeGreaterThan(0);
  expect(emoji).toBeLessThan(families.lastIndexOf('sans-serif'));

  await page.context().close();
});
