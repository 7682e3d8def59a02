// A channel left open stays the same size however many messages arrive: while the reader follows the
// newest, the page keeps at most the session core's window (WINDOW_LIMIT messages) and lets the oldest
// go. Scrolling back loads them again from the server, in order, each once; back at the bottom, the
// channel is trimmed again and the list stays there.
import { expect, test, type Page } from '@playwright/test';
import { WINDOW_LIMIT } from '../../client/src/std/stream.ts';
import { connect } from '../support/server.ts';
import { inView, log, messages, openReadChannel, sendFast, unreadShown } from './support/app.ts';

const EARLIER = 20;
/** Well past the window: trimmed several times while the reader follows. */
const INCOMING = WINDOW_LIMIT * 2 + 100;
/** Arriving while the reader reads the channel's beginning: nothing is let go under them. */
const WHILE_READING = 150;
const TOTAL = EARLIER + INCOMING + WHILE_READING;
const label = (n: number) => `window ${String(n).padStart(4, '0')}`;

/**
 * How many messages the list holds, read at its bottom: its rows' data indexes count from the oldest
 * it has, and the newest row is drawn.
 */
const rowsHeld = (page: Page) =>
  log(page).evaluate(
    (el) =>
      Math.max(
        -1,
        ...[...el.querySelectorAll('[data-index]')].map((r) => Number(r.getAttribute('data-index'))),
      ) + 1,
  );

test('a channel left open keeps at most its window, and scrolling back reads every message in order', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const earlier = Array.from({ length: EARLIER }, (_, i) => label(i + 1));
  const { url, alice, bob, channel, page } = await openReadChannel(
    browser,
    'window',
    earlier,
    label(EARLIER),
  );

  const { socket } = await connect(url, alice.token);
  try {
    await sendFast(socket, channel.id, { next: EARLIER + 1, to: EARLIER + INCOMING }, label, 40);
  } finally {
    socket.disconnect();
  }
  await expect.poll(() => inView(page, label(EARLIER + INCOMING)), { timeout: 60_000 }).toBe(true);
  // Let go while following: at most the window, the newest among them.
  await expect.poll(() => rowsHeld(page)).toBeLessThanOrEqual(WINDOW_LIMIT);
  expect(await inView(page, label(EARLIER + INCOMING))).toBe(true);

  // Up to the top of what is held: its first row is one of the newest WINDOW_LIMIT.
  const oldestHeld = await log(page).evaluate(
    (el) =>
      new Promise<number>((resolve) => {
        const read = () => {
          const row = el.querySelector('[data-index="0"] [data-testid="message"]');
          if (row) resolve(Number(row.textContent!.match(/window (\d{4})/)![1]));
          return row !== null;
        };
        if (read()) return;
        const observer = new MutationObserver(() => read() && observer.disconnect());
        observer.observe(el, { childList: true, subtree: true });
        el.scrollTop = 0;
      }),
  );
  expect(oldestHeld).toBeGreaterThan(EARLIER + INCOMING - WINDOW_LIMIT);

  // Every scroll to the top loads another older page, down to the channel's first message.
  await expect(async () => {
    await log(page).evaluate((el) => (el.scrollTop = 0));
    await expect(messages(page, label(1))).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  // More arrive while the reader is up there; what they read stays.
  const again = await connect(url, alice.token);
  try {
    await sendFast(again.socket, channel.id, { next: EARLIER + INCOMING + 1, to: TOTAL }, label, 40);
  } finally {
    again.socket.disconnect();
  }
  // They have reached the page: the sidebar shows the count the server keeps for the reader.
  await expect.poll(() => unreadShown(page, bob, channel)).toBeGreaterThanOrEqual(WHILE_READING);
  await expect(messages(page, label(1))).toBeInViewport();

  // Read it all, top to bottom, half a screen at a time: what is drawn at each step.
  const steps = await log(page).evaluate(async (el) => {
    const drawn = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const seen: { index: number; n: number }[][] = [];
    el.scrollTop = 0;
    await drawn();
    for (let step = 0; step < 2_000; step++) {
      seen.push(
        [...el.querySelectorAll('[data-index]')]
          .map((row) => ({
            index: Number(row.getAttribute('data-index')),
            n: Number(row.textContent?.match(/window (\d{4})/)?.[1] ?? Number.NaN),
          }))
          .sort((a, b) => a.index - b.index),
      );
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
      el.scrollTop += el.clientHeight / 2;
      await drawn();
    }
    return seen;
  });
  const read = new Set<number>();
  for (const rows of steps)
    rows.forEach((row, i) => {
      read.add(row.n);
      const next = rows[i + 1];
      // Neighbours in the list are neighbours in the channel: no gap, no duplicate, in order.
      if (next && next.index === row.index + 1) expect(next.n, `after ${label(row.n)}`).toBe(row.n + 1);
    });
  expect([...read].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));

  // Back at the bottom: the channel is trimmed again, and the list stays at its newest message.
  await expect.poll(() => rowsHeld(page), { timeout: 30_000 }).toBeLessThanOrEqual(WINDOW_LIMIT);
  await expect.poll(() => inView(page, label(TOTAL))).toBe(true);
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);

  await page.context().close();
});
