// Two people in two browser contexts: a channel (created and joined through the UI) and a direct
// conversation, with mentions, typing, edit and delete seen from the other side; a mention styled only
// when the message mentioned that person when it was sent.
import { expect, test } from '@playwright/test';
import {
  composer,
  conversation,
  createChannel,
  log,
  messages,
  nav,
  openConversation,
  screenshot,
  send,
  person,
  Rest,
  twoInChannels,
  uniqueName,
} from './support/app.ts';
import { e2eEnv, passwordOf } from './support/env.ts';

test('two people chat in a channel and in a direct conversation', async ({ browser }) => {
  const alice = await person(browser, 'alice');
  const bob = await person(browser, 'bob');
  const channel = uniqueName('lobby');

  // Alice creates a public channel; Bob finds it under Browse channels and joins.
  await createChannel(alice, channel);

  await nav(bob).getByRole('button', { name: 'Browse channels' }).click();
  const browse = bob.getByRole('dialog', { name: 'Browse channels' });
  await browse.getByPlaceholder('Search channels').fill(channel);
  await browse.getByRole('button', { name: `Join ${channel}` }).click();
  await expect(bob.getByRole('heading', { level: 1, name: channel })).toBeVisible();

  // A message each way, in order, once each.
  await send(alice, 'Hello Bob, welcome to the lobby');
  await expect(messages(bob, 'Hello Bob, welcome to the lobby')).toHaveCount(1);
  await send(bob, 'Thanks Alice!');
  await expect(messages(alice, 'Thanks Alice!')).toHaveCount(1);
  await expect(messages(alice)).toHaveText([/Hello Bob, welcome to the lobby/, /Thanks Alice!/]);

  // Typing shows on the other side while Bob writes.
  await composer(bob).pressSequentially('still typ');
  await expect(alice.getByTestId('typing')).toContainText('bob is typing');

  // @ completion: the list offers alice, Enter picks her, and the sent mention is highlighted for her.
  await composer(bob).fill('');
  await composer(bob).pressSequentially('ping @ali');
  await expect(bob.getByRole('option', { name: /alice/ })).toBeVisible();
  await composer(bob).press('Enter');
  await expect(composer(bob)).toHaveValue('ping @alice ');
  await composer(bob).pressSequentially('see the **release** notes :tada:');
  await composer(bob).press('Enter');
  const mention = messages(alice, 'ping');
  await expect(mention.locator('.mention-self')).toHaveText('@alice');
  await expect(mention.locator('strong')).toHaveText('release');
  await expect(mention).toContainText('🎉');
  await screenshot(alice, 'channel-light');

  // Alice edits her message and deletes Bob's view of it changes too.
  const first = messages(alice, 'Hello Bob');
  await first.hover();
  await first.getByRole('button', { name: 'Edit message' }).click();
  const editor = first.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Hello Bob, welcome to the lobby (now with snacks)');
  await editor.press('Enter');
  await expect(messages(bob, 'now with snacks')).toContainText('(edited)');

  const second = messages(alice, 'now with snacks');
  await second.hover();
  await second.getByRole('button', { name: 'Delete message' }).click();
  await alice
    .getByRole('dialog', { name: 'Delete this message?' })
    .getByRole('button', { name: 'Delete message' })
    .click();
  await expect(messages(bob, 'This message was deleted.')).toHaveCount(1);
  await expect(messages(bob, 'now with snacks')).toHaveCount(0);

  // A direct conversation: Alice starts it, Bob sees it arrive unread, opens it and answers.
  await nav(alice).getByRole('button', { name: 'Start a direct message' }).click();
  await alice
    .getByRole('dialog', { name: 'Start a direct message' })
    .getByRole('button', { name: /bob/ })
    .click();
  await expect(alice.getByRole('heading', { level: 1, name: 'bob' })).toBeVisible();
  await send(alice, 'psst, a private word');

  await expect(conversation(bob, 'alice')).toContainText('1 unread message');
  await openConversation(bob, 'alice');
  await expect(messages(bob, 'psst, a private word')).toHaveCount(1);
  await expect(conversation(bob, 'alice')).not.toContainText('unread');
  await send(bob, 'got it');
  await expect(messages(alice, 'got it')).toHaveCount(1);
  await expect(log(alice)).toHaveAttribute('aria-label', 'Messages in bob');
  await screenshot(bob, 'direct-light');

  // Presence: Bob sees Alice online, then offline once her browser is gone.
  await expect(conversation(bob, 'alice')).toContainText('Online');
  await alice.context().close();
  await expect(conversation(bob, 'alice')).toContainText('Offline');

  // Leaving: the channel goes from Bob's sidebar.
  await openConversation(bob, channel);
  await bob.getByRole('button', { name: 'Leave channel' }).click();
  await bob
    .getByRole('dialog', { name: `Leave #${channel}?` })
    .getByRole('button', { name: 'Leave' })
    .click();
  await expect(conversation(bob, channel)).toHaveCount(0);

  await bob.context().close();
});

test('an @name is styled as a mention only if the message mentioned that user when it was sent', async ({
  browser,
}) => {
  const { url } = e2eEnv();
  const {
    people: [alice],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['ghosts']);
  const ghost = uniqueName('ghost');
  await alice.post(channel.id, `ask @${ghost} and @bob`);
  // The user is created after the message, and joins the channel: the message still mentioned nobody.
  const admin = await Rest.signIn(url, 'admin');
  await admin.call('POST', '/users', { username: ghost, password: passwordOf(ghost) });
  await (await Rest.signIn(url, ghost)).join(channel.id);

  const bob = await person(browser, 'bob');
  await openConversation(bob, channel.name);
  const message = messages(bob, 'ask @');
  await expect(message).toContainText(`ask @${ghost} and @bob`);
  await expect(message.locator('.mention')).toHaveText(['@bob']);
});
