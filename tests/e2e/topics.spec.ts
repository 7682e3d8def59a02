// Notification topics in the web client against the real server: a person follows a topic in the
// sidebar (a bad name and a topic they may not read are refused with a clear message), a script's
// HTTP publish shows as an unread badge and in the topic view (title, markdown, tags, priority, its
// link), and what is published while the app is closed is all there, in order, when it opens again.
// A topic's notification, clicked, opens its view; muted there (kept on the server), it notifies of
// nothing yet still counts; the level "Nothing" silences topics too. Older messages than the kept
// newest load when the reader scrolls to the top, without gaps or repeats.
import { expect, test, type Page } from '@playwright/test';
import type { FollowedTopic } from '@switchboard/protocol';
import {
  followTopic as follow,
  nav,
  person,
  publishToTopic,
  Rest,
  screenshot,
  topicLink,
  uniqueName,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv } from './support/env.ts';
import { clickNotice, notices, personWithNotifications } from './support/notifications.ts';
import { runCli } from './support/servers.ts';

const topicMessages = (page: Page, topic: string) =>
  page
    .getByRole('list', { name: `Messages in ${topic}` })
    .getByRole('listitem')
    .filter({ has: page.locator('time') });
const publish = (topic: string, body: string, headers: Record<string, string> = {}) =>
  publishToTopic('alice', topic, body, headers);
const freshTopic = (prefix: string) => uniqueName(prefix).replace(/[^-_A-Za-z0-9]/g, '');

test('a followed topic: refusals, a published message as a badge and in its view, and catch-up after being closed', async ({
  browser,
}) => {
  const topic = uniqueName('backups').replace(/[^-_A-Za-z0-9]/g, '');
  const secret = uniqueName('vault').replace(/[^-_A-Za-z0-9]/g, '');
  await runCli(['access', 'set', 'alice', secret, 'deny', '--data-dir', e2eEnv().dataDir], '');

  const page = await person(browser, 'alice');
  // Refused with a message that says why, and nothing followed.
  await follow(page, 'not a topic');
  const dialog = page.getByRole('dialog', { name: 'Follow a topic' });
  await expect(dialog.getByRole('alert')).toHaveText(/1–64 letters, digits, _ and -/);
  await dialog.getByLabel('Topic name').fill(secret);
  await dialog.getByRole('button', { name: 'Follow' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(
    `You may not read ${secret}. Ask the server admin for access.`,
  );
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(topicLink(page, secret)).toHaveCount(0);

  await follow(page, topic);
  await expect(page.getByRole('heading', { level: 1, name: topic })).toBeVisible();
  await expect(topicLink(page, topic)).toHaveAttribute('aria-current', 'page');

  // Elsewhere in the app, a script publishes: the sidebar counts it.
  await nav(page)
    .getByRole('button', { name: /^Threads/ })
    .click();
  await publish(topic, 'Backup of **db1** done', {
    Title: 'Nightly backup',
    Priority: 'high',
    Tags: 'white_check_mark,db1',
    Click: 'https://example.com/backups/42',
    Markdown: 'yes',
  });
  await expect(topicLink(page, topic).getByTestId('topic-unread')).toHaveText(/^1/);
  await expect(topicLink(page, topic)).toContainText('1 unread message');

  // Its view shows it as published; on screen, it is read.
  await topicLink(page, topic).click();
  const shown = topicMessages(page, topic);
  await expect(shown).toHaveCount(1);
  const first = shown.first();
  await expect(first.getByText('Nightly backup')).toBeVisible();
  await expect(first.locator('strong', { hasText: 'db1' })).toBeVisible(); // markdown, rendered
  await expect(first).toContainText('✅');
  await expect(first.getByRole('listitem')).toHaveText(['db1']);
  await expect(first).toContainText('Urgent');
  await expect(first.getByRole('link', { name: /Open link/ })).toHaveAttribute(
    'href',
    'https://example.com/backups/42',
  );
  await expect(topicLink(page, topic).getByTestId('topic-unread')).toHaveCount(0);
  // Live while open, newest at the bottom.
  await publish(topic, 'Plain text with *stars* kept as written');
  await expect(shown).toHaveCount(2);
  await expect(shown.nth(1)).toContainText('Plain text with *stars* kept as written');
  expect(await seriousViolations(page), 'topic view').toEqual([]);
  await screenshot(page, 'topic-view');

  // The app is closed (a laptop asleep, a tab closed); three messages are published meanwhile.
  const context = page.context();
  await nav(page)
    .getByRole('button', { name: /^Threads/ })
    .click();
  await page.close();
  for (const n of [1, 2, 3]) await publish(topic, `While away ${n}`);

  // Opened again: caught up from its cursor, all of them, in order.
  const again = await context.newPage();
  await again.goto(e2eEnv().url);
  await expect(topicLink(again, topic).getByTestId('topic-unread')).toHaveText(/^3/);
  await topicLink(again, topic).click();
  await expect(topicMessages(again, topic)).toHaveCount(5);
  const texts = await topicMessages(again, topic).locator('.topic-message-text').allInnerTexts();
  expect(texts.map((t) => t.trim())).toEqual([
    'Backup of db1 done',
    'Plain text with *stars* kept as written',
    'While away 1',
    'While away 2',
    'While away 3',
  ]);
  await expect(topicLink(again, topic).getByTestId('topic-unread')).toHaveCount(0);

  // Unfollowed: gone from the sidebar.
  await again.getByRole('button', { name: 'Unfollow' }).click();
  await expect(topicLink(again, topic)).toHaveCount(0);
  await context.close();
});

test('a topic notification opens its view; muted there it notifies of nothing but still counts, on every device; "Nothing" silences topics too', async ({
  browser,
}) => {
  // Dana's preferences are kept on the server: the defaults, and put back at the end.
  const dana = await Rest.signIn(e2eEnv().url, 'dana');
  await dana.setPreferences({});
  const topic = freshTopic('deploys');
  const page = await personWithNotifications(browser, 'dana');
  const elsewhere = () =>
    nav(page)
      .getByRole('button', { name: /^Threads/ })
      .click();
  try {
    await follow(page, topic);
    await expect(page.getByRole('heading', { level: 1, name: topic })).toBeVisible();

    // Elsewhere in the app, a script publishes: a notification, which opens the topic's view.
    await elsewhere();
    await publish(topic, 'Deploy 1 done', { Title: 'Deploy' });
    await expect.poll(() => notices(page)).toMatchObject([{ title: 'Deploy', body: 'Deploy 1 done' }]);
    await clickNotice(page, 0);
    await expect(page.getByRole('heading', { level: 1, name: topic })).toBeVisible();
    await expect(topicLink(page, topic)).toHaveAttribute('aria-current', 'page');
    await expect(topicMessages(page, topic)).toHaveCount(1);
    expect((await notices(page))[0]!.closed).toBe(true);

    // Muted in its view: said there and in the sidebar, and kept on the server.
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Unmute' })).toBeVisible();
    await expect(page.locator('.channel-header')).toContainText('Muted');
    await expect(topicLink(page, topic)).toContainText('Muted');
    await expect
      .poll(async () => (await dana.call<{ topics: FollowedTopic[] }>('GET', '/me/topics')).topics)
      .toContainEqual(expect.objectContaining({ topic, muted: true }));
    await screenshot(page, 'topic-muted');
    expect(await seriousViolations(page), 'muted topic view').toEqual([]);
    // On a narrow window the header keeps both of its buttons on screen.
    await page.setViewportSize({ width: 400, height: 800 });
    await expect(page.getByRole('button', { name: 'Unmute' })).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole('button', { name: 'Unfollow' })).toBeInViewport({ ratio: 1 });
    await screenshot(page, 'topic-muted-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Urgent or not, nothing notifies; the messages still arrive and count.
    await elsewhere();
    await publish(topic, 'Deploy 2 failed', { Priority: 'max' });
    await publish(topic, 'Deploy 3 done');
    await expect(topicLink(page, topic).getByTestId('topic-unread')).toHaveText(/^2/);
    expect(await notices(page)).toHaveLength(1);

    // Another device of hers (here: the page opened again) has it muted too, from the server.
    await page.reload();
    await expect(topicLink(page, topic)).toContainText('Muted');
    await topicLink(page, topic).click();
    await expect(topicMessages(page, topic)).toHaveCount(3);
    await page.getByRole('button', { name: 'Unmute' }).click();
    await expect(page.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
    await expect(topicLink(page, topic)).not.toContainText('Muted');

    // Unmuted: it notifies again.
    await elsewhere();
    await publish(topic, 'Deploy 4 done');
    await expect.poll(async () => (await notices(page)).map((n) => n.body)).toContain('Deploy 4 done');

    // The level "Nothing" is no notifications at all: from topics too, priority 5 included.
    await dana.setPreferences({ notify: 'none' });
    await page.reload();
    await expect(topicLink(page, topic).getByTestId('topic-unread')).toHaveText(/^1/);
    await publish(topic, 'Deploy 5 failed', { Priority: 'max' });
    await expect(topicLink(page, topic).getByTestId('topic-unread')).toHaveText(/^2/);
    expect(await notices(page)).toEqual([]);
  } finally {
    await dana.setPreferences({});
    await page.context().close();
  }
});

test('older messages than the kept newest load at the top of a topic, in order, without gaps or repeats', async ({
  browser,
}) => {
  const topic = freshTopic('metrics');
  const page = await person(browser, 'alice');
  await follow(page, topic);
  await expect(page.getByRole('heading', { level: 1, name: topic })).toBeVisible();
  // More than the apps keep (100): published while the view is elsewhere, then opened.
  await nav(page)
    .getByRole('button', { name: /^Threads/ })
    .click();
  const total = 130;
  for (let n = 1; n <= total; n++) await publish(topic, `reading ${n}`);
  await expect(topicLink(page, topic).getByTestId('topic-unread')).toHaveText(/^130/);
  await topicLink(page, topic).click();
  const shown = topicMessages(page, topic);
  await expect(shown).toHaveCount(100);
  await expect(shown.first()).toContainText('reading 31');
  await expect(shown.last()).toBeInViewport();
  const older = page.getByRole('button', { name: 'Load older messages' });
  await expect(older).toHaveCount(1);

  // Scrolled to the top: the older ones come, and the one that was first stays where the reader is.
  await page.getByRole('list', { name: `Messages in ${topic}` }).evaluate((list) => (list.scrollTop = 0));
  await expect(shown).toHaveCount(total);
  const text = (n: number) => page.locator('.topic-message-text', { hasText: new RegExp(`^reading ${n}$`) });
  await expect(text(31)).toBeInViewport();
  await expect(text(1)).not.toBeInViewport();
  const texts = (await shown.locator('.topic-message-text').allInnerTexts()).map((t) => t.trim());
  expect(texts).toEqual(Array.from({ length: total }, (_, i) => `reading ${i + 1}`));
  // Nothing older is left: no button.
  await expect(older).toHaveCount(0);
  await page.context().close();
});
