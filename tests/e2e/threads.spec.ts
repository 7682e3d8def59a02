// Two people in a thread: replies in a panel beside the channel, counted for the people in the
// thread (the Threads view and its badge) and not as channel unread, read state from the server,
// and a reply also sent to the channel.
import { expect, test, type Page } from '@playwright/test';
import {
  conversation,
  messages,
  nav,
  openConversation,
  person,
  screenshot,
  send,
  twoInChannels,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv } from './support/env.ts';

const threadPanel = (page: Page) => page.getByRole('complementary', { name: /^Thread/ });
const replyBox = (page: Page) => threadPanel(page).getByRole('textbox', { name: 'Reply' });
const threadsLink = (page: Page) => nav(page).getByRole('button', { name: /^Threads/ });

test('a thread conversation between two people, with unread counts for the thread', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    people: [carol],
    channels: [channel, elsewhere],
  } = await twoInChannels(url, ['carol', 'dana'], ['plans', 'elsewhere']);

  const carolPage = await person(browser, 'carol');
  const danaPage = await person(browser, 'dana');
  await openConversation(carolPage, channel.name);
  await send(carolPage, 'Where shall we have the offsite?');

  // Dana answers in a thread, from the message's actions.
  await openConversation(danaPage, channel.name);
  const root = messages(danaPage, 'offsite');
  await root.hover();
  await root.getByRole('button', { name: 'Reply in thread' }).click();
  await expect(threadPanel(danaPage).getByTestId('message')).toHaveCount(1);
  await replyBox(danaPage).fill('How about the lake house?');
  await replyBox(danaPage).press('Enter');
  await expect(threadPanel(danaPage).getByTestId('message')).toHaveCount(2);
  // The reply stays out of the channel's list; the root says it has one.
  await expect(messages(danaPage, 'lake house')).toHaveCount(0);
  await expect(messages(danaPage, 'offsite').getByRole('button', { name: /1 reply/ })).toBeVisible();
  expect(await seriousViolations(danaPage), 'thread panel').toEqual([]);
  await screenshot(danaPage, 'thread-panel');
  // On a narrow screen the thread covers the channel instead of squeezing it.
  await danaPage.setViewportSize({ width: 400, height: 800 });
  const main = (await danaPage.getByRole('main').boundingBox())!;
  const panel = (await threadPanel(danaPage).boundingBox())!;
  expect(panel.width).toBeGreaterThan(main.width - 2);
  await screenshot(danaPage, 'thread-panel-narrow');
  await danaPage.setViewportSize({ width: 1280, height: 800 });

  // Carol, in another channel by now, follows the thread: it counts for her there, not in the channel.
  await openConversation(carolPage, elsewhere.name);
  await replyBox(danaPage).fill('Or the old mill, @carol?');
  await replyBox(danaPage).press('Enter');
  await expect(threadsLink(carolPage)).toContainText('2 unread replies');
  await expect(conversation(carolPage, channel.name)).not.toContainText('unread');

  // The Threads view lists it with its count; opening it reads it, on the server.
  await threadsLink(carolPage).click();
  const item = carolPage.getByRole('button', { name: /offsite/ });
  await expect(item.getByTestId('thread-unread')).toHaveText(/2/);
  await screenshot(carolPage, 'threads-view');
  await item.click();
  await expect(threadPanel(carolPage).getByTestId('message')).toHaveCount(3);
  await expect(threadsLink(carolPage)).not.toContainText('unread');
  await expect
    .poll(
      async () => (await carol.call<{ threads: { unreadCount: number }[] }>('GET', '/me/threads')).threads[0],
    )
    .toMatchObject({ unreadCount: 0 });

  // Carol's answer also goes to the channel: Dana sees it in the thread and in the channel's list.
  await threadPanel(carolPage)
    .getByRole('checkbox', { name: /Also send to/ })
    .check();
  await replyBox(carolPage).fill('The old mill it is');
  await replyBox(carolPage).press('Enter');
  await expect(
    threadPanel(danaPage).getByTestId('message').filter({ hasText: 'old mill it is' }),
  ).toHaveCount(1);
  await expect(messages(danaPage, 'old mill it is')).toHaveCount(1);
  await expect(messages(danaPage, 'offsite').getByRole('button', { name: /3 replies/ })).toBeVisible();

  // Closing the panel goes back to the channel alone.
  await threadPanel(danaPage).getByRole('button', { name: 'Close thread' }).click();
  await expect(threadPanel(danaPage)).toHaveCount(0);

  await carolPage.context().close();
  await danaPage.context().close();
});
