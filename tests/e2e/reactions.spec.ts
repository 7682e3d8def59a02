// Reactions toggled by two people: the picker with search and recents, chips that show who reacted,
// and each person's click toggling only their own reaction, seen live on the other side.
import { expect, test, type Page } from '@playwright/test';
import { messages, openConversation, person, screenshot, twoInChannels } from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { e2eEnv } from './support/env.ts';

const chip = (page: Page, text: string, emoji: string) =>
  messages(page, text).getByRole('button', { name: new RegExp(`^${emoji} \\d+ reaction`) });

async function react(page: Page, text: string, search: string, emoji: string): Promise<void> {
  const message = messages(page, text);
  await message.hover();
  await message
    .getByRole('group', { name: 'Message actions' })
    .getByRole('button', { name: 'Add a reaction' })
    .click();
  const picker = page.getByRole('dialog', { name: 'Add a reaction' });
  await picker.getByPlaceholder('Search emoji').fill(search);
  await picker.getByRole('button', { name: emoji, exact: true }).click();
  await expect(picker).toHaveCount(0);
}

test('reactions toggled by two people', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    people: [alice],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['cheers']);
  await alice.post(channel.id, 'The release is out');

  const alicePage = await person(browser, 'alice');
  const bobPage = await person(browser, 'bob');
  for (const page of [alicePage, bobPage]) await openConversation(page, channel.name);

  // Bob finds 🎉 by searching "tada"; both see it, pressed only for him.
  await react(bobPage, 'release is out', 'tada', 'tada');
  await expect(chip(bobPage, 'release is out', '🎉')).toHaveAttribute('aria-pressed', 'true');
  await expect(chip(alicePage, 'release is out', '🎉')).toHaveAccessibleName('🎉 1 reaction');
  await expect(chip(alicePage, 'release is out', '🎉')).toHaveAttribute('aria-pressed', 'false');

  // Alice clicks the chip to join in; hovering shows who reacted.
  await chip(alicePage, 'release is out', '🎉').click();
  await expect(chip(bobPage, 'release is out', '🎉')).toHaveAccessibleName('🎉 2 reactions');
  await chip(bobPage, 'release is out', '🎉').hover();
  await expect(chip(bobPage, 'release is out', '🎉')).toHaveAccessibleDescription(
    'You, alice reacted with 🎉',
  );
  await expect(bobPage.getByRole('tooltip', { name: 'You, alice reacted with 🎉' })).toBeVisible();
  expect(await seriousViolations(bobPage), 'reactions').toEqual([]);
  await screenshot(bobPage, 'reactions');

  // Each click toggles only the clicker's own reaction.
  await chip(bobPage, 'release is out', '🎉').click();
  await expect(chip(alicePage, 'release is out', '🎉')).toHaveAccessibleName('🎉 1 reaction');
  await expect(chip(alicePage, 'release is out', '🎉')).toHaveAttribute('aria-pressed', 'true');
  await chip(alicePage, 'release is out', '🎉').click();
  await expect(chip(bobPage, 'release is out', '🎉')).toHaveCount(0);

  // Bob's picker remembers what he used.
  const message = messages(bobPage, 'release is out');
  await message.hover();
  await message
    .getByRole('group', { name: 'Message actions' })
    .getByRole('button', { name: 'Add a reaction' })
    .click();
  const recent = bobPage
    .getByRole('dialog', { name: 'Add a reaction' })
    .getByRole('group', { name: 'Recently used' });
  await expect(recent.getByRole('button')).toHaveText(['🎉']);
  expect(await seriousViolations(bobPage), 'emoji picker').toEqual([]);
  await bobPage.keyboard.press('Escape');

  // The server agrees: nothing left.
  expect((await alice.history(channel.id))[0]).toMatchObject({ text: 'The release is out' });
  await expect
    .poll(
      async () =>
        (
          await alice.call<{ messages: { reactions: unknown[] }[] }>(
            'GET',
            `/channels/${channel.id}/messages`,
          )
        ).messages[0]!.reactions,
    )
    .toEqual([]);

  await alicePage.context().close();
  await bobPage.context().close();
});
