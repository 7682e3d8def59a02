// What the reader sees decides what is read and where the list stays: a message counts as read once
// its end has been on screen (a very tall one too); a reader at the bottom stays there when the last
// rows change size (an edit, a delete, a wider window), anyone else is offered "Jump to latest"; and
// the window's title counts what is unread.
import { expect, test } from '@playwright/test';
import { connect } from '../support/server.ts';
import {
  conversation,
  inView,
  log,
  messages,
  openConversation,
  person,
  sendFast,
  twoInChannels,
} from './support/app.ts';
import { e2eEnv } from './support/env.ts';

const TALL = `the tall one\n\n${Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join('\n\n')}`;

test('only what has been on screen is marked read, however tall a message is', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    people: [alice, bob],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['tall-read']);
  let read = 0;
  for (const text of ['one', 'two', 'three']) read = (await alice.post(channel.id, text)).seq;
  await bob.call('POST', `/channels/${channel.id}/read`, { seq: read });
  await alice.post(channel.id, TALL);
  await alice.post(channel.id, 'after the tall one');
  await alice.post(channel.id, 'the last one');

  const page = await person(browser, 'bob');
  await expect(conversation(page, channel.name)).toContainText('3 unread messages');
  await openConversation(page, channel.name);
  // It opens at the first unread, the tall one, whose end is below the view: nothing new was seen.
  await expect(page.getByTestId('new-divider')).toBeVisible();
  expect(await inView(page, 'after the tall one')).toBe(false);
  // Its end comes into view, the next message does not: one of three is read.
  await messages(page, 'the tall one').evaluate((row) => row.scrollIntoView({ block: 'end' }));
  await expect(conversation(page, channel.name)).toContainText('2 unread messages');
  expect(await inView(page, 'after the tall one')).toBe(false);
  await expect
    .poll(() => bob.call<{ unreadCount: number }>('GET', `/channels/${channel.id}`))
    .toMatchObject({ unreadCount: 2 });
  // At the bottom, everything is.
  await log(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(conversation(page, channel.name)).not.toContainText('unread');

  await page.context().close();
});

test('a reader at the bottom stays there after an edit, a delete and a wider window; others get Jump to latest', async ({
  browser,
}) => {
  const { url } = e2eEnv();
  const {
    people: [alice, bob],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['pinned']);
  for (let n = 1; n <= 40; n++) await alice.post(channel.id, `message ${n}`);
  const last = await alice.post(channel.id, 'the last message');
  await bob.call('POST', `/channels/${channel.id}/read`, { seq: last.seq });

  const page = await person(browser, 'bob');
  await page.setViewportSize({ width: 900, height: 700 });
  await openConversation(page, channel.name);
  await expect.poll(() => inView(page, 'the last message')).toBe(true);
  const jump = page.getByRole('button', { name: 'Jump to latest' });

  // An edit adds "(edited)" under the last message: a line more, which must come into view.
  await alice.call('PATCH', `/messages/${last.id}`, { text: 'the last message!' });
  await expect(messages(page, 'the last message!')).toContainText('(edited)');
  await expect(messages(page, 'the last message!').getByText('(edited)')).toBeInViewport({ ratio: 1 });
  // Another makes it much taller: the list follows.
  await alice.call('PATCH', `/messages/${last.id}`, {
    text: `the last message, now longer\n\n${Array.from({ length: 12 }, (_, i) => `added ${i}`).join('\n\n')}`,
  });
  const edited = messages(page, 'the last message, now longer');
  await expect(edited).toContainText('(edited)');
  await expect.poll(() => inView(page, 'the last message, now longer')).toBe(true);
  await expect(edited.getByText('(edited)')).toBeInViewport({ ratio: 1 });
  await expect(jump).toHaveCount(0);

  // A delete shrinks it; a new message arrives below; the window gets wider: still at the bottom.
  await alice.call('DELETE', `/messages/${last.id}`);
  await expect(messages(page, 'This message was deleted.')).toHaveCount(1);
  await alice.post(channel.id, 'after the delete');
  await expect.poll(() => inView(page, 'after the delete')).toBe(true);
  await page.setViewportSize({ width: 1400, height: 700 });
  await expect.poll(() => inView(page, 'after the delete')).toBe(true);
  await page.setViewportSize({ width: 700, height: 700 });
  await expect.poll(() => inView(page, 'after the delete')).toBe(true);
  await expect(jump).toHaveCount(0);

  // Someone reading further up is left where they are, and offered the way back.
  await log(page).evaluate((el) => (el.scrollTop -= 800));
  await expect(jump).toBeVisible();
  await alice.post(channel.id, 'while you were reading');
  await expect(messages(page, 'while you were reading')).not.toBeInViewport();
  await alice.call('PATCH', `/messages/${(await alice.post(channel.id, 'one more')).id}`, {
    text: `one more, edited\n\n${'tall\n\n'.repeat(10)}`,
  });
  await expect(jump).toBeVisible();
  await jump.click();
  await expect.poll(() => inView(page, 'one more, edited')).toBe(true);
  await expect(jump).toHaveCount(0);

  await page.context().close();
});

/** Bob's page on a channel of its own, with everything else he could see read: the title says no count. */
async function titleCounting(browser: import('@playwright/test').Browser) {
  const { url } = e2eEnv();
  const {
    people: [alice, bob],
    channels: [quiet, busy],
  } = await twoInChannels(url, ['alice', 'bob'], ['quiet', 'busy']);
  const page = await person(browser, 'bob');
  await openConversation(page, quiet.name);
  // Whatever else bob has not read (other tests' channels) is in the count too: read it all first.
  for (const c of await bob
    .call<{ channels: { id: string; headSeq: number }[] }>('GET', '/me/channels')
    .then((r) => r.channels))
    await bob.call('POST', `/channels/${c.id}/read`, { seq: c.headSeq });
  await expect(page).toHaveTitle('Switchboard');
  return { url, alice, busy, page };
}

test('the window title counts unread messages', async ({ browser }) => {
  const { alice, busy, page } = await titleCounting(browser);

  await alice.post(busy.id, 'first');
  await alice.post(busy.id, 'second');
  await expect(page).toHaveTitle('(2) Switchboard');
  await openConversation(page, busy.name);
  await expect(page).toHaveTitle('Switchboard');

  await page.context().close();
});

test('during a burst the title changes at most once a second, and ends with the full count', async ({
  browser,
}) => {
  const { url, alice, busy, page } = await titleCounting(browser);
  // Every change of the title, with when it happened.
  await page.evaluate(() => {
    const changes: number[] = [];
    (window as unknown as { titleChanges: number[] }).titleChanges = changes;
    new MutationObserver(() => changes.push(performance.now())).observe(document.querySelector('title')!, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  const { socket } = await connect(url, alice.token);
  try {
    await sendFast(socket, busy.id, { next: 1, to: 300 }, (n) => `burst ${n}`, 20);
  } finally {
    socket.disconnect();
  }
  await expect(page).toHaveTitle('(300) Switchboard');
  const changes = await page.evaluate(() => (window as unknown as { titleChanges: number[] }).titleChanges);
  expect(changes.length).toBeGreaterThanOrEqual(1);
  // Timers may fire a little early by the page's clock; every other title would be a frame apart.
  for (let i = 1; i < changes.length; i++) expect(changes[i]! - changes[i - 1]!).toBeGreaterThan(900);

  await page.context().close();
});
