// Notifications follow the person's preference — mentions and direct messages by default, everything,
// or nothing — for conversations that are not in front of them.
import { expect, test, type Page } from '@playwright/test';
import { nav, openConversation, Rest, signIn, uniqueName } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

// Preferences are kept on the server: put Bob's back so the tests after this one see the defaults.
test.afterEach(async () => {
  await (await Rest.signIn(e2eEnv().url, 'bob')).setPreferences({});
});

/** The notification bodies shown so far (the page's Notification is replaced by a recorder). */
const notices = (page: Page) => page.evaluate(() => (window as unknown as { __notices: string[] }).__notices);

async function choose(page: Page, option: string): Promise<void> {
  await nav(page).getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('radio', { name: option }).check();
  await settings.getByRole('button', { name: 'Done' }).click();
}

test('notifications follow the notification preference', async ({ browser }) => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const bob = await Rest.signIn(url, 'bob');
  const news = await alice.createChannel(uniqueName('alerts'));
  const quiet = await alice.createChannel(uniqueName('calm'));
  await bob.join(news.id);
  await bob.join(quiet.id);

  const context = await browser.newContext();
  await context.addInitScript(() => {
    const shown: string[] = [];
    (window as unknown as { __notices: string[] }).__notices = shown;
    class RecordingNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: (() => void) | null = null;
      constructor(_title: string, options: { body: string }) {
        shown.push(options.body);
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: RecordingNotification });
  });
  const page = await context.newPage();
  await signIn(page, url, 'bob');
  await openConversation(page, quiet.name);

  // Default: mentions and direct messages only.
  await alice.post(news.id, 'nothing for bob here');
  await alice.post(news.id, '@bob this one is for you');
  await expect.poll(() => notices(page)).toEqual([`You were mentioned in #${news.name}`]);

  await choose(page, 'All new messages');
  await alice.post(news.id, 'now everything counts');
  await expect.poll(() => notices(page)).toHaveLength(2);
  expect((await notices(page))[1]).toBe(`New message in #${news.name}`);

  // Nothing means nothing, mentions included.
  await choose(page, 'Nothing');
  await alice.post(news.id, '@bob silence please');
  await expect(nav(page).getByRole('button', { name: new RegExp(`^${news.name}`) })).toContainText(
    '2 mentions',
  );
  expect(await notices(page)).toHaveLength(2);

  await context.close();
});
