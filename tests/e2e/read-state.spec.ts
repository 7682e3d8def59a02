// One person, two tabs: the tabs share the session (one SharedWorker), and unread counts and read
// state follow the server's read cursor in both, whichever tab does the reading.
import { expect, test } from '@playwright/test';
import {
  conversation,
  messages,
  openConversation,
  screenshot,
  signIn,
  twoInChannels,
} from './support/app.ts';
import { e2eEnv } from './support/env.ts';

test('unread counts and read state agree across two tabs of one person', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    people: [alice, bob],
    channels: [news, quiet],
  } = await twoInChannels(url, ['alice', 'bob'], ['news', 'quiet']);

  const context = await browser.newContext();
  const tabA = await context.newPage();
  await signIn(tabA, url, 'bob');
  // The second tab finds the session already signed in.
  const tabB = await context.newPage();
  await tabB.goto(url);
  for (const tab of [tabA, tabB]) await openConversation(tab, quiet.name);

  await alice.post(news.id, 'first news');
  await alice.post(news.id, 'second news');
  await alice.post(news.id, 'third news, @bob please read');

  for (const tab of [tabA, tabB]) {
    await expect(conversation(tab, news.name)).toContainText('3 unread messages');
    await expect(conversation(tab, news.name)).toContainText('1 mention');
  }
  await screenshot(tabB, 'unread-badges');

  // Reading in tab A clears the counts in tab B too.
  await openConversation(tabA, news.name);
  await expect(messages(tabA, 'third news')).toHaveCount(1);
  await expect(tabA.getByTestId('new-divider')).toBeVisible();
  for (const tab of [tabA, tabB]) {
    await expect(conversation(tab, news.name)).not.toContainText('unread');
    await expect(conversation(tab, news.name)).not.toContainText('mention');
  }

  // A new message while tab A shows the channel is read at once; tab B never counts it.
  await alice.post(news.id, 'fourth news');
  await expect(messages(tabA, 'fourth news')).toHaveCount(1);
  await expect(conversation(tabB, news.name)).not.toContainText('unread');

  // And the server agrees: a fresh sign-in elsewhere sees nothing unread.
  await expect
    .poll(() => bob.call<{ unreadCount: number; mentionCount: number }>('GET', `/channels/${news.id}`))
    .toMatchObject({ unreadCount: 0, mentionCount: 0 });

  await context.close();
});
