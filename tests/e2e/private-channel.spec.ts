// A private channel: Alice creates it and adds Bob from the channel view; it appears in Bob's open
// app at once, with a notice of who added him, and they chat in it. When Alice adds Carol, Bob sees
// the notice and, in the channel's details open beside it, the new member. `@` completion offers the
// channel's members, not everyone.
import { expect, test, type Page } from '@playwright/test';
import {
  composer,
  conversation,
  createChannel,
  messages,
  openConversation,
  screenshot,
  send,
  person,
  uniqueName,
} from './support/app.ts';
import { seriousViolations } from './support/axe.ts';

async function addPerson(page: Page, channel: string, username: string): Promise<void> {
  await page.getByRole('button', { name: 'Add people' }).click();
  const dialog = page.getByRole('dialog', { name: `Add people to #${channel}` });
  await dialog.getByPlaceholder('Search people').fill(username.slice(0, 3));
  await dialog.getByRole('button', { name: `Add ${username}` }).click();
  await expect(dialog.getByText(`Added: ${username}.`)).toBeVisible();
  expect(await seriousViolations(page), 'add people dialog').toEqual([]);
  // A member is not offered again.
  await expect(dialog.getByRole('button', { name: `Add ${username}` })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
}

test('someone added to a private channel sees it at once and chats in it', async ({ browser }) => {
  const alice = await person(browser, 'alice');
  const bob = await person(browser, 'bob');
  const name = uniqueName('hush');

  await createChannel(alice, name, 'private');
  await send(alice, 'notes from before bob');
  await expect(conversation(bob, name)).toHaveCount(0);

  await addPerson(alice, name, 'bob');
  await screenshot(alice, 'private-channel-added');

  // Bob's app shows it without a reload, with what was said before he came.
  await expect(conversation(bob, name)).toBeVisible();
  await openConversation(bob, name);
  await expect(messages(bob, 'notes from before bob')).toHaveCount(1);
  await expect(messages(bob, 'alice added bob to the channel.')).toHaveCount(1);
  await send(alice, 'welcome, bob');
  await expect(messages(bob, 'welcome, bob')).toHaveCount(1);
  await send(bob, 'glad to be here');
  await expect(messages(alice, 'glad to be here')).toHaveCount(1);

  // Completion offers the members only; once Carol is added, she is offered too.
  await composer(alice).pressSequentially('@');
  await expect(alice.getByRole('option', { name: /bob/ })).toBeVisible();
  await expect(alice.getByRole('option', { name: /carol/ })).toHaveCount(0);
  await composer(alice).fill('');
  await bob.getByRole('button', { name: 'Details' }).click();
  const details = bob.getByRole('complementary', { name: 'Channel details' });
  await expect(details.getByRole('heading', { name: '2 members' })).toBeVisible();
  await addPerson(alice, name, 'carol');
  await expect(messages(bob, 'alice added carol to the channel.')).toHaveCount(1);
  await expect(details.getByRole('heading', { name: '3 members' })).toBeVisible();
  await expect(details.getByText('@carol')).toBeVisible();
  await composer(alice).pressSequentially('hi @car');
  await expect(alice.getByRole('option', { name: /carol/ })).toBeVisible();
  await composer(alice).press('Enter');
  await expect(composer(alice)).toHaveValue('hi @carol ');

  await alice.context().close();
  await bob.context().close();
});
