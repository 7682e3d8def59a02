// The server stops while Alice is typing; she sends anyway. The banner says what is happening, the
// message waits as pending, and after the server comes back (same port, same data) it arrives
// exactly once — for her, for Bob, and in the server's history.
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ServerProcess } from '../support/server.ts';
import {
  composer,
  messages,
  openConversation,
  Rest,
  screenshot,
  send,
  signIn,
  uniqueName,
} from './support/app.ts';
import { startServer, startServerWithPeople, stopServer } from './support/servers.ts';

let server: ServerProcess;
let dataDir: string;

test.beforeAll(async () => {
  ({ server, dataDir } = await startServerWithPeople(['alice', 'bob']));
});

test.afterAll(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a message sent while the server is down arrives exactly once after it restarts', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const url = server.url;
  const port = Number(new URL(url).port);
  const restAlice = await Rest.signIn(url, 'alice');
  const restBob = await Rest.signIn(url, 'bob');
  const channel = await restAlice.createChannel(uniqueName('ops'));
  await restBob.join(channel.id);

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
  await stopServer(server);
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

  // Same port, same data dir. The client reconnects on its own backoff (capped near 30 s).
  server = await startServer(dataDir, port);
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
