// A reader at the bottom of a channel stays at the bottom however fast messages arrive, on a slow
// machine too: the page's CPU is throttled (DevTools' CPU throttling) while another person sends a
// burst as fast as the server takes them, and the newest message is on screen at the end without
// "Jump to latest" ever having been offered. A reader who scrolls up in the middle of a burst stays
// where they are, and is offered the way back.
import { expect, test, type Page } from '@playwright/test';
import { connect, type TestSocket } from '../support/server.ts';
import { conversation, inView, log, openReadChannel, sendFast, unreadShown } from './support/app.ts';

const EARLIER = 30;
const BURST = 1_500;
/**
 * The reader's burst: sent `PACED_IN_FLIGHT` at a time (so the throttled page is still in the middle
 * of it) until the list has shown `SCROLL_AT` of it and the reader has scrolled up, at most
 * `PACED_MAX`; then `LATER` more at full speed. What the reader misses stays under the badge's cap.
 */
const SCROLL_AT = 150;
const PACED_IN_FLIGHT = 2;
const PACED_MAX = 600;
const LATER = 300;
/** Sends in flight at once, each waiting for its ack: the server's pace, not one round trip's. */
const IN_FLIGHT = 40;
/** How much slower than this machine the page's main thread runs (DevTools' CPU throttling). */
const CPU_SLOWDOWN = Number(process.env.E2E_BURST_CPU_SLOWDOWN ?? 20);

const label = (n: number) => `burst ${String(n).padStart(4, '0')}`;
/** About a line of chat, and now and then a longer one, so the rows are not all one height. */
const text = (n: number) =>
  n % 9 === 0 ? `${label(n)}: a longer one\n\nwith a second paragraph` : `${label(n)}: a chat line`;

/** The burst: as fast as the server takes it, `inFlight` sends at a time. */
const burst = (
  socket: TestSocket,
  channelId: string,
  sending: { next: number; to: number },
  inFlight = IN_FLIGHT,
) => sendFast(socket, channelId, sending, text, inFlight);

/** A channel of `EARLIER` messages that bob has read, open at its bottom in bob's page, CPU throttled. */
async function openAtBottom(browser: import('@playwright/test').Browser) {
  const earlier = Array.from({ length: EARLIER }, (_, i) => text(i + 1));
  const { url, alice, bob, channel, page } = await openReadChannel(browser, 'burst', earlier, label(EARLIER));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const { socket } = await connect(url, alice.token);
  return { page, channel, socket, bob };
}

/** Notes in the page whether "Jump to latest" is ever shown, and whether it is ever taken away after. */
async function watchJump(page: Page): Promise<void> {
  await log(page).evaluate((el) => {
    const seen = { shown: false, hiddenAfterShown: false };
    (window as unknown as { jumpSeen: typeof seen }).jumpSeen = seen;
    const note = () => {
      const shown = !!el.parentElement?.querySelector('.jump-bottom');
      if (shown) seen.shown = true;
      else if (seen.shown) seen.hiddenAfterShown = true;
    };
    new MutationObserver(note).observe(el.parentElement!, { childList: true, subtree: true });
  });
}
const jumpSeen = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { jumpSeen: { shown: boolean; hiddenAfterShown: boolean } }).jumpSeen,
  );

/** The number of the newest burst message the list has drawn (0 for none). */
const newestRow = (page: Page) =>
  log(page).evaluate((el) =>
    Math.max(
      0,
      ...[...el.querySelectorAll('[data-testid=message]')].map((r) =>
        Number(r.textContent?.match(/burst (\d{4})/)?.[1] ?? 0),
      ),
    ),
  );

/** The text label of the first message wholly inside the log's view. */
const firstWhollyShown = (page: Page) =>
  log(page).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const row = [...el.querySelectorAll('[data-testid=message]')].find((r) => {
      const { top, bottom } = r.getBoundingClientRect();
      return top >= box.top && bottom <= box.bottom;
    });
    return row?.textContent?.match(/burst \d{4}/)?.[0] ?? null;
  });

test('a reader at the bottom follows a fast burst of incoming messages on a slow machine', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const { page, channel, socket } = await openAtBottom(browser);
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  await expect(jump).toHaveCount(0);
  await watchJump(page);
  try {
    await burst(socket, channel.id, { next: EARLIER + 1, to: EARLIER + BURST });
    // The newest message comes into view; the reader was never sent away from the bottom.
    const newest = label(EARLIER + BURST);
    await expect.poll(() => inView(page, newest), { timeout: 60_000 }).toBe(true);
    expect((await jumpSeen(page)).shown, '"Jump to latest" showed during the burst').toBe(false);
    await expect(jump).toHaveCount(0);
    await expect(conversation(page, channel.name)).not.toContainText('unread', { timeout: 20_000 });
  } finally {
    socket.disconnect();
  }
  await page.context().close();
});

test('a reader who scrolls up in the middle of a burst stays there, and Jump to latest brings them back', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const { page, channel, socket, bob } = await openAtBottom(browser);
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  try {
    const sending = { next: EARLIER + 1, to: EARLIER + PACED_MAX };
    const paced = burst(socket, channel.id, sending, PACED_IN_FLIGHT);
    // Part-way through, the reader turns the wheel up over the list.
    await expect.poll(() => newestRow(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(EARLIER + SCROLL_AT);
    const box = (await log(page).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -1_200);
    await expect(jump).toBeVisible();
    // The wheel's scroll is animated: what the reader is reading is what shows once it has stopped.
    let top = -1;
    await expect
      .poll(async () => {
        const previous = top;
        top = await log(page).evaluate((el) => el.scrollTop);
        return top === previous;
      })
      .toBe(true);
    await watchJump(page);
    const reading = await firstWhollyShown(page);
    expect(reading).not.toBeNull();
    // The rest of the burst arrives while they read.
    sending.to = sending.next + LATER - 1;
    await Promise.all([paced, burst(socket, channel.id, sending)]);
    const last = sending.to;

    // All of it has reached the page: the sidebar shows the count the server keeps for the reader.
    await expect.poll(() => unreadShown(page, bob, channel), { timeout: 60_000 }).toBeGreaterThan(0);
    // The reader was left where they were the whole time.
    expect(await inView(page, reading!)).toBe(true);
    expect(await inView(page, label(last))).toBe(false);
    expect((await jumpSeen(page)).hiddenAfterShown, 'the reader was taken back to the bottom').toBe(false);

    await jump.click();
    await expect.poll(() => inView(page, label(last)), { timeout: 30_000 }).toBe(true);
    await expect(jump).toHaveCount(0);
  } finally {
    socket.disconnect();
  }
  await page.context().close();
});
