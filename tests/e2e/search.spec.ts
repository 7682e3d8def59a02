// Search in the web client: typed with filters, results with the match highlighted (as text, not
// HTML), and a result opened in its channel at that message, far back in its history; a thread's
// reply, in a channel named in Korean, opened in its thread; a result from a public channel the
// reader has not joined, named and joined on opening; results as you type, and one Escape closing
// the dialog.
import { expect, test } from '@playwright/test';
import { log, person, Rest, screenshot, uniqueName } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

const OLDER = 120;
let channel: { id: string; name: string };

test.beforeAll(async () => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  channel = await alice.createChannel(uniqueName('search'));
  await (await Rest.signIn(url, 'bob')).join(channel.id);
  await alice.post(channel.id, 'the capybara <b>migration</b> plan 서버점검 일정');
  // Enough newer messages that the result is far outside the page the channel opens at.
  for (let n = 1; n <= OLDER; n++) await alice.post(channel.id, `filler ${n}`);
});

test('search finds a message by word and Korean substring and opens it in context', async ({ browser }) => {
  const page = await person(browser, 'bob');
  await page.getByRole('button', { name: 'Search messages' }).click();
  const box = page.getByRole('searchbox', { name: 'Search' });
  await box.fill(`capyb in:#${channel.name} from:@alice colour:red`);
  await box.press('Enter');
  // An unknown filter is explained, and searched as text: nothing has it.
  await expect(page.getByText('“colour:” is not a filter: it was searched as text.')).toBeVisible();
  await expect(page.getByText('No messages match.')).toBeVisible();

  await box.fill(`capyb 버점검 in:#${channel.name} from:@alice`);
  await box.press('Enter');
  const snippet = page.getByTestId('search-snippet');
  await expect(snippet).toHaveCount(1);
  await expect(snippet.locator('mark')).toHaveText(['capyb', '버점검']);
  // Markup in a message is text in the result, never HTML.
  await expect(snippet).toContainText('<b>migration</b>');
  await expect(snippet.locator('b')).toHaveCount(0);
  await screenshot(page, 'search-results');

  await snippet.click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const focused = log(page).locator('[data-focused]');
  await expect(focused).toContainText('capybara');
  await expect(focused).toBeInViewport();
  // The messages around it came with it: those after it in the channel, far from the newest.
  await expect(log(page).getByText('filler 24', { exact: true })).toHaveCount(1);
  await screenshot(page, 'search-in-context');

  await page.getByRole('button', { name: 'Back to the newest messages' }).click();
  await expect(log(page).getByText(`filler ${OLDER}`, { exact: true })).toBeVisible();
  await expect(log(page).locator('[data-focused]')).toHaveCount(0);
});

test('a thread reply found by search opens in its thread, its channel shown by its display name', async ({
  browser,
}) => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const displayName = `웜뱃 ${uniqueName('team')}`;
  const korean = await alice.call<{ id: string; name: string }>('POST', '/channels', {
    displayName,
    visibility: 'public',
  });
  await (await Rest.signIn(url, 'bob')).join(korean.id);
  const root = await alice.post(korean.id, 'the wombat roadmap');
  await alice.call('POST', `/channels/${korean.id}/messages`, {
    clientId: `e2e${crypto.randomUUID().replaceAll('-', '')}`,
    text: 'wombat reply kept in the thread',
    parentId: root.id,
  });

  const page = await person(browser, 'bob');
  await page.getByRole('button', { name: 'Search messages' }).click();
  const box = page.getByRole('searchbox', { name: 'Search' });
  await box.fill(`wombat reply in:#${korean.name}`);
  await box.press('Enter');
  const result = page.getByRole('button', { name: /wombat reply kept in the thread/ });
  await expect(result).toHaveCount(1);
  await expect(result).toContainText(`#${displayName}`);

  await result.click();
  await expect(page.getByRole('heading', { level: 1, name: displayName })).toBeVisible();
  const thread = page.getByRole('complementary', { name: /^Thread/ });
  await expect(thread.getByTestId('message')).toHaveText([/the wombat roadmap/, /wombat reply kept/]);
  // The reply stays out of the channel's list, which opens at its newest messages.
  await expect(log(page).getByText('wombat reply kept in the thread')).toHaveCount(0);
  await expect(log(page).locator('[data-focused]')).toHaveCount(0);
});

test('a result from a public channel not joined yet names it, and opening it joins', async ({ browser }) => {
  const page = await person(browser, 'dana');
  await page.getByRole('button', { name: 'Search messages' }).click();
  const box = page.getByRole('searchbox', { name: 'Search' });
  await box.fill(`capyb in:#${channel.name}`);
  await box.press('Enter');
  const result = page.getByRole('list', { name: 'Results' }).getByRole('button');
  await expect(result).toHaveCount(1);
  await expect(result).toContainText(`#${channel.name} (not joined)`);
  await result.click();
  await expect(log(page).locator('[data-focused]')).toContainText('capybara');
  await expect(page.getByRole('navigation').getByText(channel.name, { exact: true })).toBeVisible();
});

test('results come as you type, Enter still searches, and one Escape closes the dialog', async ({
  browser,
}) => {
  const page = await person(browser, 'bob');
  const opener = page.getByRole('button', { name: 'Search messages' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Search messages' });
  const box = dialog.getByRole('searchbox', { name: 'Search' });
  const snippets = dialog.getByTestId('search-snippet');

  // No Enter: the results follow what is typed, a key at a time.
  await box.pressSequentially(`capyb in:#${channel.name}`);
  await expect(snippets).toHaveCount(1);
  await expect(snippets.locator('mark')).toHaveText(['capyb']);
  await box.pressSequentially(' nothing-has-this');
  await expect(dialog.getByText('No messages match.')).toBeVisible();
  await expect(snippets).toHaveCount(0);

  // Enter searches at once, as before.
  await box.fill(`서버점검 in:#${channel.name}`);
  await box.press('Enter');
  await expect(snippets.locator('mark')).toHaveText(['서버점검']);

  // With text in the box, one Escape closes the dialog (it does not just empty the box), and focus
  // goes back to the button that opened it.
  await expect(box).not.toHaveValue('');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();

  // And with the box empty.
  await opener.click();
  await expect(box).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});
