// The server stops while Alice is typing; she sends anyway. The banner says what is happening, the
// message waits as pending, and after the server comes back (same port, same data) it arrives
// exactly once — for her, for Bob, and in the server's history.
import { expect, test } from '@playwright/test';
import {
  composer,
  messages,
  openConversation,
  Rest,
  screenshot,
  send,
  signIn,
  twoInChannels,
} from './support/app.ts';
import { passwordOf } from './support/env.ts';
import { startServer, stopServer, useServerWithPeople } from './support/servers.ts';

const own = useServerWithPeople(['alice', 'bob']);

test('a message sent while the server is down arrives exactly once after it restarts', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const url = own.server.url;
  const port = Number(new URL(url).port);
  const {
    people: [, restBob],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['ops']);

  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signIn(alice, url, 'alice');
  await signIn(bob, url, 'bob');
  await openConversation(alice, channel.name);
  await openConversation(bob, channel.name);
  await send(alice, 'before the outage');
  await expect(messages(bob, 'before the outage')).toHaveCount(1);

  // Alice starts typing, the server goes away, she finishes and sends.
  await composer(alice).pressSequentially('written during ');
  await stopServer(own.server);
  const banner = alice.locator('[data-connection]');
  await expect(banner).toHaveAttribute('data-connection', /reconnecting|offline/);
  await expect(banner).toContainText('Connection lost.');
  await expect(banner.getByRole('timer')).toContainText(/Reconnecting (in \d+ seconds?|now)/);
  await expect(banner.getByRole('button', { name: 'Retry now' })).toBeVisible();
  await composer(alice).pressSequentially('the outage');
  await composer(alice).press('Enter');
  const pending = messages(alice, 'written during the outage');
  await expect(pending).toHaveCount(1);
  await expect(pending).toHaveAttribute('data-delivery', 'pending');
  await expect(pending).toContainText('Sending…');
  await screenshot(alice, 'outage-banner');

  // Same port, same data dir. The client reconnects once the server answers its health check.
  own.server = await startServer(own.dataDir, port);
  await expect(banner).toContainText('Back online.', { timeout: 45_000 });
  await expect(pending).toHaveAttribute('data-delivery', 'sent', { timeout: 20_000 });
  await expect(messages(bob, 'written during the outage')).toHaveCount(1, { timeout: 45_000 });
  await screenshot(alice, 'outage-back-online');

  // Exactly once: still one copy once a later message has arrived after it (a stream is delivered in
  // order, so a second copy would have come first), in both views and in the server's history.
  await composer(alice).fill('after the outage');
  await composer(alice).press('Enter');
  await expect(messages(alice, 'after the outage')).toHaveAttribute('data-delivery', 'sent');
  await expect(messages(bob, 'after the outage')).toHaveCount(1);
  await expect(messages(alice, 'written during the outage')).toHaveCount(1);
  await expect(messages(bob, 'written during the outage')).toHaveCount(1);
  const stored = (await restBob.history(channel.id)).filter((m) => m.text === 'written during the outage');
  expect(stored).toHaveLength(1);

  await alice.context().close();
  await bob.context().close();
});

test('every client names the same reason for an outage, in its own language, shows presence as unknown, and is back as soon as the server is', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const url = own.server.url;
  const port = Number(new URL(url).port);
  const restBob = await Rest.signIn(url, 'bob');
  await restBob.setPreferences({ language: 'ko' });
  const restAlice = await Rest.signIn(url, 'alice');
  // A direct conversation, so each has the other's presence dot in the navigation.
  await restAlice.call('POST', '/directs', { userId: restBob.userId });

  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signIn(alice, url, 'alice');
  // This browser has not seen bob yet: the sign-in page is in English, then his language applies.
  await bob.goto(url);
  await bob.getByLabel('Username').fill('bob');
  await bob.getByLabel('Password').fill(passwordOf('bob'));
  await bob.getByRole('button', { name: 'Sign in' }).click();
  await expect(bob.getByRole('navigation', { name: '채널' })).toBeVisible();
  const alicesDot = bob
    .getByRole('navigation', { name: '채널' })
    .getByRole('button', { name: /^alice/ })
    .locator('[data-presence]');
  await expect(alicesDot).toHaveAttribute('data-presence', 'online');

  await stopServer(own.server);
  const aliceBanner = alice.locator('[data-connection]');
  const bobBanner = bob.locator('[data-connection]');
  await expect(aliceBanner).toContainText('Connection lost.');
  await expect(aliceBanner).toContainText('The server is restarting.');
  await expect(bobBanner).toContainText('연결이 끊겼습니다.');
  await expect(bobBanner).toContainText('서버가 다시 시작하는 중입니다.');
  // While bob's app is offline, it cannot know whether alice is online.
  await expect(alicesDot).toHaveAttribute('data-presence', 'unknown');
  await screenshot(bob, 'outage-banner-ko');
  // A failed attempt later, the outage is still the restart, not "cannot reach the server".
  for (const banner of [aliceBanner, bobBanner])
    await expect(banner).toHaveAttribute('data-attempt', /^([2-9]|\d\d)$/, { timeout: 15_000 });
  await expect(bobBanner).toContainText('서버가 다시 시작하는 중입니다.');
  await expect(aliceBanner).toContainText('The server is restarting.');

  // Back: the clients notice when the server answers again, instead of waiting out their backoff.
  own.server = await startServer(own.dataDir, port);
  await expect(aliceBanner).toContainText('Back online.', { timeout: 15_000 });
  await expect(bobBanner).toContainText('다시 온라인입니다.', { timeout: 15_000 });
  await expect(alicesDot).toHaveAttribute('data-presence', 'online');

  await alice.context().close();
  await bob.context().close();
});
