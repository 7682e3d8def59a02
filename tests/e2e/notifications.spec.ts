// Notifications in the web client. The session core decides (its rules are tested in client/); here
// the page shows what it decided with the browser's Notification API — replaced by a recorder, since
// a real notification is outside the page and cannot be clicked by a test — and the settings that
// steer it (level, do not disturb, quiet hours, keywords, per conversation) are used as a person would.
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { Preferences } from '@switchboard/protocol';
import {
  log,
  messages,
  nav,
  openConversation,
  Rest,
  screenshot,
  twoInChannels,
  uniqueName,
} from './support/app.ts';
import { e2eEnv } from './support/env.ts';
import { clickNotice, notices, personWithNotifications } from './support/notifications.ts';

// Preferences are kept on the server: put Bob's back so the tests after this one see the defaults.
test.afterEach(async () => {
  await (await Rest.signIn(e2eEnv().url, 'bob')).setPreferences({});
});

const bodies = async (page: Page) => (await notices(page)).map((n) => n.body);
const bobWithNotifications = (browser: Browser) => personWithNotifications(browser, 'bob');

/** Alice and Bob in two fresh channels; Bob looks at the second. */
async function twoChannels() {
  const { url } = e2eEnv();
  const {
    people: [alice, bob],
    channels: [news, quiet],
  } = await twoInChannels(url, ['alice', 'bob'], ['alerts', 'calm']);
  return { alice, bob, news, quiet };
}

async function openSettings(page: Page) {
  await nav(page).getByRole('button', { name: 'Settings' }).click();
  return page.getByRole('dialog', { name: 'Settings' });
}

async function choose(page: Page, option: string): Promise<void> {
  const settings = await openSettings(page);
  await settings.getByRole('radio', { name: option }).check();
  await settings.getByRole('button', { name: 'Done' }).click();
}

/** Bob's preferences as the server has them, once they satisfy `check`. */
async function storedFor(bob: Rest, check: (p: Preferences) => void): Promise<void> {
  await expect
    .poll(async () => {
      try {
        check(await bob.call<Preferences>('GET', '/me/preferences'));
        return true;
      } catch {
        return false;
      }
    })
    .toBe(true);
}

test('notifications follow the notification preference', async ({ browser }) => {
  const { alice, news, quiet } = await twoChannels();
  const page = await bobWithNotifications(browser);
  await openConversation(page, quiet.name);

  // Default: mentions and direct messages only.
  await alice.post(news.id, 'nothing for bob here');
  await alice.post(news.id, '@bob this one is **for you**');
  await expect
    .poll(() => notices(page))
    .toMatchObject([
      { title: `#${news.name}`, body: 'alice: @bob this one is for you', tag: news.id, silent: false },
    ]);

  await choose(page, 'All new messages');
  await alice.post(news.id, 'now everything counts');
  await expect
    .poll(() => bodies(page))
    .toEqual(['alice: @bob this one is for you', 'alice: now everything counts']);
  // One per conversation: the newer replaced the older.
  expect((await notices(page))[0]!.closed).toBe(true);

  // Nothing means nothing, mentions included.
  await choose(page, 'Nothing');
  await alice.post(news.id, '@bob silence please');
  await expect(nav(page).getByRole('button', { name: new RegExp(`^${news.name}`) })).toContainText(
    '2 mentions',
  );
  expect(await notices(page)).toHaveLength(2);

  await page.context().close();
});

test('a notification click opens its conversation at that message', async ({ browser }) => {
  const { alice, news, quiet } = await twoChannels();
  const page = await bobWithNotifications(browser);
  await openConversation(page, quiet.name);
  // Earlier unread messages: without the click's target, the conversation would open at the first.
  for (let i = 1; i <= 20; i++) await alice.post(news.id, `earlier #${i} of 20`);
  await alice.post(news.id, '@bob the one that matters');
  for (let i = 1; i <= 25; i++) await alice.post(news.id, `later ${i}`);
  await expect.poll(() => bodies(page)).toEqual(['alice: @bob the one that matters']);

  await clickNotice(page, 0);
  await expect(page.getByRole('heading', { level: 1, name: news.name })).toBeVisible();
  await expect(log(page)).toHaveAttribute('aria-busy', 'false');
  await expect(messages(page, 'the one that matters')).toBeInViewport();
  await expect(messages(page, 'earlier #1 of 20')).not.toBeInViewport();
  expect((await notices(page))[0]!.closed).toBe(true);
  await screenshot(page, 'notification-click-opened');
  await page.context().close();
});

test('do not disturb, quiet hours, keywords and a muted conversation, set in Settings', async ({
  browser,
}) => {
  const { alice, bob, news, quiet } = await twoChannels();
  const ops = await alice.createChannel(uniqueName('ops'));
  await bob.join(ops.id);
  const page = await bobWithNotifications(browser);
  await openConversation(page, quiet.name);
  const settings = await openSettings(page);

  // Do not disturb for an hour: stored with the account, and nothing notifies.
  await settings.getByRole('button', { name: 'For 1 hour' }).click();
  await expect(settings.getByRole('status')).toContainText('On until');
  await storedFor(bob, (p) => expect(p.dnd?.until).toBeGreaterThan(Date.now() + 59 * 60_000));
  await alice.post(news.id, '@bob during do not disturb');
  await expect(nav(page).getByRole('button', { name: new RegExp(`^${news.name}`) })).toContainText(
    '1 mention',
  );
  expect(await notices(page)).toEqual([]);
  await settings.getByRole('button', { name: 'Turn off' }).click();
  await expect(settings.getByRole('status')).toContainText('Off');
  await storedFor(bob, (p) => expect(p.dnd).toBeUndefined());

  // Quiet hours: every day, in this computer's time zone (the test's browser runs in UTC).
  await settings.getByRole('checkbox', { name: /No notifications every day/ }).check();
  await settings.getByLabel('From', { exact: true }).fill('00:00');
  await settings.getByLabel('To', { exact: true }).fill('23:59');
  await expect(settings.getByText(/Times in /)).toBeVisible();
  await storedFor(bob, (p) => expect(p.quietHours).toMatchObject({ from: '00:00', to: '23:59' }));
  await alice.post(news.id, '@bob during quiet hours');
  await expect(nav(page).getByRole('button', { name: new RegExp(`^${news.name}`) })).toContainText(
    '2 mentions',
  );
  expect(await notices(page)).toEqual([]);
  // Both on at once, for the picture in docs/desktop.md; then both off.
  await settings.getByRole('button', { name: 'Until tomorrow' }).click();
  await expect(settings.getByRole('status')).toContainText('On until');
  await settings.getByRole('group', { name: 'Do not disturb' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'notification-settings-dnd-quiet');
  await settings.getByRole('button', { name: 'Turn off' }).click();
  await settings.getByRole('checkbox', { name: /No notifications every day/ }).uncheck();
  await storedFor(bob, (p) => expect(p.quietHours).toBeUndefined());

  // A keyword notifies like a mention.
  await settings.getByLabel('Keywords').fill('deploy, Outage ,deploy');
  await settings.getByLabel('Keywords').press('Enter');
  await expect(settings.getByLabel('Keywords')).toHaveValue('deploy, Outage');
  await storedFor(bob, (p) => expect(p.keywords).toEqual(['deploy', 'Outage']));

  // A muted channel: not even a mention there notifies; a keyword in another one does.
  await settings
    .getByLabel(`#${news.name}`)
    .selectOption({ label: 'Muted (no notifications, no unread badge)' });
  await storedFor(bob, (p) => expect(p.conversations?.[news.id]).toEqual({ muted: true }));
  await screenshot(page, 'notification-settings');
  await settings.getByRole('button', { name: 'Done' }).click();
  await alice.post(news.id, '@bob in a muted channel');
  await alice.post(ops.id, 'the outage is over');
  await expect.poll(() => bodies(page)).toEqual(['alice: the outage is over']);
  await page.context().close();
});
