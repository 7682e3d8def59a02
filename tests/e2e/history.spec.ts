// A channel with more history than one page: scrolling up loads older pages without losing your
// place, and someone with a backlog of unread messages can jump straight to the first of them. Rows
// differ in height as in a conversation (two authors taking turns, some messages several lines), so
// the list has to measure rather than rely on its first guess.
import { expect, test, type Page } from '@playwright/test';
import { inView, log, messages, openConversation, person, Rest, uniqueName } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

const TOTAL = 150;
const label = (n: number) => `history ${String(n).padStart(3, '0')}`;
/** Runs of three messages per author; every seventh message has three lines. */
const text = (n: number) => (n % 7 === 0 ? `${label(n)}\n\nsecond paragraph\nthird line` : label(n));
let channel: { id: string; name: string };
let elsewhere: { id: string; name: string };

test.beforeAll(async () => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  channel = await alice.createChannel(uniqueName('history'));
  elsewhere = await alice.createChannel(uniqueName('elsewhere'));
  const dana = await Rest.signIn(url, 'dana');
  for (const rest of [await Rest.signIn(url, 'bob'), await Rest.signIn(url, 'carol'), dana]) {
    await rest.join(channel.id);
    await rest.join(elsewhere.id);
  }
  let head = 0;
  for (let n = 1; n <= TOTAL; n++)
    head = (await (Math.floor(n / 3) % 2 === 0 ? alice : dana).post(channel.id, text(n))).seq;
  // Bob has read everything; Carol has read nothing.
  await (await Rest.signIn(url, 'bob')).call('POST', `/channels/${channel.id}/read`, { seq: head });
});

/** The label of the first message row the list renders, i.e. the one at the top of the view. */
async function topRow(page: Page): Promise<string> {
  // Rows that came into view are measured in the frame after they render, and the list may then
  // drop a row it rendered just above the view: read the top once that has happened.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return (await messages(page).first().textContent())!.match(/history \d{3}/)![0];
}

test('scrolling up loads older pages and keeps your place', async ({ browser }) => {
  const page = await person(browser, 'bob');
  await openConversation(page, channel.name);
  await expect(messages(page, label(TOTAL))).toBeVisible();
  expect(await inView(page, label(TOTAL))).toBe(true);
  await expect(messages(page, label(1))).toHaveCount(0);

  // To the top of what is loaded: the oldest loaded message stays where it is while more arrive above.
  // It is the first row (data index 0) as the list first draws its top, read in the page at that
  // moment: the older page is asked for only after that drawing, so it cannot have arrived yet.
  const oldestLoaded = await log(page).evaluate(
    (el) =>
      new Promise<string>((resolve) => {
        const read = () => {
          const row = el.querySelector('[data-index="0"] [data-testid="message"]');
          if (row) resolve(row.textContent!.match(/history \d{3}/)![0]);
          return row !== null;
        };
        const observer = new MutationObserver(() => read() && observer.disconnect());
        observer.observe(el, { childList: true, subtree: true });
        el.scrollTop = 0;
      }),
  );
  // The newest page the core loads first (FIRST_PAGE in client/src/std/sync.ts) is 50 messages.
  expect(oldestLoaded).toBe(label(TOTAL - 49));
  await expect
    .poll(async () => (await messages(page).first().textContent())?.includes(oldestLoaded))
    .toBe(false);
  expect(await inView(page, oldestLoaded)).toBe(true);

  // Keep going up until the beginning of the channel: each scroll to the top loads another page.
  await expect(async () => {
    await log(page).evaluate((el) => (el.scrollTop = 0));
    await expect(messages(page, label(1))).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await log(page).evaluate((el) => (el.scrollTop = 0));
  await expect(page.getByText(`This is the very beginning of #${channel.name}.`)).toBeInViewport();
  await expect(messages(page, label(1))).toBeInViewport();
  await expect(messages(page, label(1))).toHaveCount(1);

  await page.context().close();
});

test('a channel opened while the page is stalled says it is ready only once it is at its newest message', async ({
  browser,
}) => {
  // A busy machine, made certain: right after the list appears the page does nothing for longer than
  // the list's quiet period, before the list has begun to move to its newest message. Until it has
  // got there the list is busy; a list that said it was ready earlier let the reader scroll (and older
  // pages load) and then jumped back to its newest message under them.
  const page = await person(browser, 'bob');
  await page.evaluate((name) => {
    const appeared = new MutationObserver(() => {
      const list = document.querySelector(`[role="log"][aria-label="Messages in #${name}"]`);
      if (!list) return;
      appeared.disconnect();
      new MutationObserver((_, ready) => {
        if (list.getAttribute('aria-busy') !== 'false') return;
        ready.disconnect();
        const fromBottom = list.scrollHeight - list.scrollTop - list.clientHeight;
        (window as unknown as { fromBottomWhenReady: number }).fromBottomWhenReady = fromBottom;
      }).observe(list, { attributes: true, attributeFilter: ['aria-busy'] });
      requestAnimationFrame(() => {
        const until = performance.now() + 2_000;
        while (performance.now() < until);
      });
    });
    appeared.observe(document.body, { childList: true, subtree: true });
  }, channel.name);
  await openConversation(page, channel.name);
  const fromBottom = await page.evaluate(
    () => (window as unknown as { fromBottomWhenReady: number }).fromBottomWhenReady,
  );
  expect(fromBottom).toBeLessThanOrEqual(1);
  expect(await inView(page, label(TOTAL))).toBe(true);

  await page.context().close();
});

test('coming back to a channel keeps your place', async ({ browser }) => {
  const page = await person(browser, 'bob');
  await openConversation(page, channel.name);
  await expect(messages(page, label(TOTAL))).toBeVisible();
  await log(page).evaluate((el) => (el.scrollTop -= 600));
  await expect(messages(page, label(TOTAL))).not.toBeInViewport();
  const top = await topRow(page);

  await openConversation(page, elsewhere.name);
  await openConversation(page, channel.name);
  await expect(messages(page).first()).toContainText(top);
  await expect(messages(page, label(TOTAL))).not.toBeInViewport();

  await page.context().close();
});

test('a backlog of unread messages offers a jump to the first unread', async ({ browser }) => {
  const page = await person(browser, 'carol');
  await openConversation(page, channel.name);
  const jump = page.getByRole('button', { name: `${TOTAL} new messages — jump to the first` });
  await expect(jump).toBeVisible();
  await jump.click();
  await expect(page.getByTestId('new-divider')).toBeVisible();
  await expect(messages(page, label(1))).toBeVisible();
  expect(await inView(page, label(1))).toBe(true);
  await expect(jump).toBeHidden();

  await page.context().close();
});

test('a channel of tall messages opens with its newest message wholly in view', async ({ browser }) => {
  // Every row three lines tall: far from the list's first guess if it guessed a one-line row.
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const tall = await alice.createChannel(uniqueName('tall'));
  await (await Rest.signIn(url, 'bob')).join(tall.id);
  for (let n = 1; n <= 60; n++) await alice.post(tall.id, `${label(n)}\n\nsecond paragraph\nthird line`);

  const page = await person(browser, 'bob');
  await openConversation(page, tall.name);
  expect(await inView(page, label(60))).toBe(true);
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);

  await page.context().close();
});
