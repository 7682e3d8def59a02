// Notification topics in the web client against the real server: a person follows a topic in the
// sidebar (a bad name and a topic they may not read are refused with a clear message), a script's
// HTTP publish shows as an unread badge and in the topic view (title, markdown, tags, priority, its
// link), and what is published while the app is closed is all there, in order, when it opens again.
import { expect, test, type Page } from '@playwright/test';
import {
  followTopic as follow,
  nav,
  person,
  publishToTopic,
  screenshot,
  topicLink,
  uniqueName,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv } from './support/env.ts';
import { runCli } from './support/servers.ts';

const topicMessages = (page: Page, topic: string) =>
  page
    .getByRole('list', { name: `Messages in ${topic}` })
    .getByRole('listitem')
    .filter({ has: page.locator('time') });
const publish = (topic: string, body: string, headers: Record<string, string> = {}) =>
  publishToTopic('alice', topic, body, headers);

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
