// A reader at the bottom of a channel stays at the bottom however fast messages arrive: another person
// sends a burst of them as fast as the server takes them, and the newest is on screen at the end,
// without the reader ever having been offered "Jump to latest" (they never scrolled away). A reader
// who has scrolled up stays where they are through the next burst, and is offered the way back.
import { expect, test } from '@playwright/test';
import { newId, type SendAck } from '@switchboard/protocol';
import { call, connect } from '../support/server.ts';
import { conversation, inView, log, openConversation, person, Rest, uniqueName } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

const EARLIER = 30;
const BURST = 1_500;
/** The burst that arrives while the reader is further up. */
const LATER = 300;
/** Sends in flight at once, each waiting for its ack: the server's pace, not one round trip's. */
const IN_FLIGHT = 40;
const label = (n: number) => `burst ${String(n).padStart(4, '0')}`;
/** About a line of chat, and now and then a longer one, so the rows are not all one height. */
const text = (n: number) =>
  n % 9 === 0 ? `${label(n)}: a longer one\n\nwith a second paragraph` : `${label(n)}: a chat line`;

test('a reader at the bottom follows a fast burst of incoming messages', async ({ browser }) => {
  test.setTimeout(120_000);
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const bob = await Rest.signIn(url, 'bob');
  const channel = await alice.createChannel(uniqueName('burst'));
  await bob.join(channel.id);
  let head = 0;
  for (let n = 1; n <= EARLIER; n++) head = (await alice.post(channel.id, text(n))).seq;
  await bob.call('POST', `/channels/${channel.id}/read`, { seq: head });

  const page = await person(browser, 'bob');
  await openConversation(page, channel.name);
  await expect.poll(() => inView(page, label(EARLIER))).toBe(true);
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  await expect(jump).toHaveCount(0);
  // The button may come and go between two looks from here: the page notes whether it ever showed.
  await log(page).evaluate((el) => {
    const seen = { jump: false };
    (window as unknown as { burstSeen: typeof seen }).burstSeen = seen;
    const note = () => {
      if (el.parentElement?.querySelector('.jump-bottom')) seen.jump = true;
    };
    new MutationObserver(note).observe(el.parentElement!, { childList: true, subtree: true });
  });

  const { socket } = await connect(url, alice.token);
  /** Sends messages `from`..`to` as fast as the server acks them. */
  const burst = async (from: number, to: number) => {
    let next = from;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next <= to) {
          const n = next++;
          const sent = await call<SendAck>(socket, 'message.send', {
            channelId: channel.id,
            clientId: newId(),
            text: text(n),
          });
          expect(sent.ok, `message ${n} was refused: ${JSON.stringify(sent)}`).toBe(true);
        }
      }),
    );
  };
  try {
    await burst(EARLIER + 1, EARLIER + BURST);
    // The newest message comes into view; the reader was never sent away from the bottom.
    const newest = EARLIER + BURST;
    await expect.poll(() => inView(page, label(newest)), { timeout: 30_000 }).toBe(true);
    await expect(jump).toHaveCount(0);
    const seen = await page.evaluate(() => (window as unknown as { burstSeen: { jump: boolean } }).burstSeen);
    expect(seen.jump, '"Jump to latest" showed during the burst').toBe(false);
    await expect(conversation(page, channel.name)).not.toContainText('unread');

    // A reader who scrolls up is left there while the next burst arrives, and offered the way back.
    await log(page).evaluate((el) => (el.scrollTop -= 1_500));
    await expect(jump).toBeVisible();
    const reading = await log(page).evaluate((el) => {
      const box = el.getBoundingClientRect();
      const row = [...el.querySelectorAll('[data-testid=message]')].find((r) => {
        const { top, bottom } = r.getBoundingClientRect();
        return top >= box.top && bottom <= box.bottom;
      });
      return row?.textContent?.match(/burst \d{4}/)?.[0] ?? null;
    });
    expect(reading).not.toBeNull();
    await burst(newest + 1, newest + LATER);
    // All of it has reached the page (the counts come with the messages), and none was followed.
    await expect(conversation(page, channel.name)).toContainText(`${LATER} unread messages`);
    expect(await inView(page, label(newest + LATER))).toBe(false);
    expect(await inView(page, reading!)).toBe(true);
    await expect(jump).toBeVisible();
    await jump.click();
    await expect.poll(() => inView(page, label(newest + LATER)), { timeout: 30_000 }).toBe(true);
    await expect(jump).toHaveCount(0);
  } finally {
    socket.disconnect();
  }

  await page.context().close();
});
