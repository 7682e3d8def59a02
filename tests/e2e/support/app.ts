// Page helpers: how a person signs in, moves around and chats — by the labels the UI promises
// (Username, Password, Sign in, the "Channels" navigation, the "Message" textbox, the log).
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { newId, type Preferences, type SendAck } from '@switchboard/protocol';
import { api, call, REPO_ROOT, type TestSocket } from '../../support/server.ts';
import { e2eEnv, passwordOf } from './env.ts';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results/screenshots');

export const nav = (page: Page): Locator => page.getByRole('navigation', { name: 'Channels' });
export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });
/** The open channel's message list, in English or Korean (a thread beside it has a log of its own). */
export const log = (page: Page): Locator => page.getByRole('log', { name: /^Messages in |의 메시지$/ });
/** A conversation in the sidebar, by its name (the accessible name also holds the counts). */
export const conversation = (page: Page, name: string): Locator =>
  nav(page).getByRole('button', {
    name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`),
  });
export const messages = (page: Page, text?: string): Locator => {
  const all = log(page).getByTestId('message');
  return text === undefined ? all : all.filter({ hasText: text });
};

/** Is the message fully inside the log's viewport (to within a pixel: rows can sit at half pixels)? */
export async function inView(page: Page, text: string): Promise<boolean> {
  // The list renders only rows near the view: one it has not rendered is not in view.
  if ((await messages(page, text).count()) === 0) return false;
  const [box, row] = await Promise.all([log(page).boundingBox(), messages(page, text).boundingBox()]);
  return !!box && !!row && row.y >= box.y - 1 && row.y + row.height <= box.y + box.height + 1;
}

/** The Settings dialog, opened from the navigation, on `tab`. */
export async function openSettings(page: Page, tab?: string): Promise<Locator> {
  await nav(page).getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  if (tab) await dialog.getByRole('tab', { name: tab }).click();
  return dialog;
}

/** The sign-in form is back: this page's session has ended. */
export async function expectSignedOut(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in to Switchboard' })).toBeVisible({
    timeout: 20_000,
  });
}

/** A name no other test uses, valid as a channel name. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

export async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(passwordOf(username));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav(page)).toBeVisible();
}

/** A page in a fresh browser context (its own storage, so its own session), signed in. */
export async function signedInPage(browser: Browser, baseUrl: string, username: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, baseUrl, username);
  return page;
}

/** A person signed in, in a context of their own, on the server the whole e2e run shares. */
export function person(browser: Browser, username: string): Promise<Page> {
  return signedInPage(browser, e2eEnv().url, username);
}

export async function openConversation(page: Page, name: string): Promise<void> {
  await conversation(page, name).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  // Ready for scrolling: the list is done positioning at its start row.
  await expect(log(page)).toHaveAttribute('aria-busy', 'false');
}

/** Creates a channel through the sidebar's "Create a channel" dialog; it opens once created. */
export async function createChannel(
  page: Page,
  name: string,
  visibility: 'public' | 'private' = 'public',
): Promise<void> {
  await nav(page).getByRole('button', { name: 'Create a channel' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a channel' });
  await dialog.getByLabel('Name').fill(name);
  if (visibility === 'private') await dialog.getByRole('radio', { name: /Private/ }).check();
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect(composer(page)).toHaveValue('');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** A REST session for arranging what a test needs without going through its UI. */
export class Rest {
  private constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly userId: string,
  ) {}

  static async signIn(baseUrl: string, username: string): Promise<Rest> {
    const res = await api(baseUrl, 'POST', '/api/v1/auth/login', {
      json: { username, password: passwordOf(username) },
    });
    if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${JSON.stringify(res.body)}`);
    return new Rest(baseUrl, res.body.token, res.body.user.id);
  }

  async call<T = any>(
    method: string,
    urlPath: string,
    json?: unknown,
    expected = [200, 201, 204],
  ): Promise<T> {
    const res = await api<T>(this.baseUrl, method, `/api/v1${urlPath}`, { token: this.token, json });
    if (!expected.includes(res.status))
      throw new Error(`${method} ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Marks every conversation read: a test that counts starts from nothing unread, whatever ran before. */
  async readEverything(): Promise<void> {
    const { channels } = await this.call<{ channels: { id: string; headSeq: number }[] }>(
      'GET',
      '/me/channels',
    );
    for (const c of channels) await this.call('POST', `/channels/${c.id}/read`, { seq: c.headSeq });
  }

  createChannel(
    name: string,
    visibility: 'public' | 'private' = 'public',
  ): Promise<{ id: string; name: string }> {
    return this.call('POST', '/channels', { name, visibility });
  }

  join(channelId: string): Promise<unknown> {
    return this.call('POST', `/channels/${channelId}/join`);
  }

  /** Replaces this person's preferences on the server (`{}`: back to the defaults). */
  setPreferences(preferences: Preferences): Promise<Preferences> {
    return this.call('PUT', '/me/preferences', preferences);
  }

  post(channelId: string, text: string): Promise<{ id: string; seq: number }> {
    return this.call('POST', `/channels/${channelId}/messages`, {
      clientId: `e2e${crypto.randomUUID().replaceAll('-', '')}`,
      text,
    });
  }

  async history(channelId: string): Promise<{ text: string; deletedAt: number | null }[]> {
    const body = await this.call<{ messages: { text: string; deletedAt: number | null }[] }>(
      'GET',
      `/channels/${channelId}/messages?limit=200`,
    );
    return body.messages;
  }
}

/**
 * Two people signed in over REST at `url`, and one new channel per prefix (named from it) that the
 * first made and the second joined: where most tests of two people start.
 */
export async function twoInChannels<const P extends readonly string[]>(
  url: string,
  [owner, member]: readonly [string, string],
  prefixes: P,
): Promise<{ people: [Rest, Rest]; channels: { -readonly [K in keyof P]: { id: string; name: string } } }> {
  const people: [Rest, Rest] = [await Rest.signIn(url, owner), await Rest.signIn(url, member)];
  const channels: { id: string; name: string }[] = [];
  for (const prefix of prefixes) channels.push(await people[0].createChannel(uniqueName(prefix)));
  for (const channel of channels) await people[1].join(channel.id);
  return { people, channels: channels as { -readonly [K in keyof P]: { id: string; name: string } } };
}

/** What a script does: `curl -u <user>:… -H "Title: …" -d "…" <server>/<topic>` (ntfy's dialect). */
export async function publishToTopic(
  username: string,
  topic: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const basic = Buffer.from(`${username}:${passwordOf(username)}`).toString('base64');
  const res = await fetch(`${e2eEnv().url}/${topic}`, {
    method: 'POST',
    body,
    headers: { authorization: `Basic ${basic}`, ...headers },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Follows a topic through the sidebar's "Follow a topic" dialog (leaves the dialog open if refused). */
export async function followTopic(page: Page, topic: string): Promise<void> {
  await nav(page).getByRole('button', { name: 'Follow a topic' }).click();
  const dialog = page.getByRole('dialog', { name: 'Follow a topic' });
  await dialog.getByLabel('Topic name').fill(topic);
  await dialog.getByRole('button', { name: 'Follow' }).click();
}

/** A followed topic in the sidebar. */
export const topicLink = (page: Page, topic: string): Locator =>
  nav(page).getByRole('button', { name: new RegExp(`^${topic}`) });

/**
 * Sends messages `sending.next`..`sending.to` (each `text(n)`) to `channelId` as fast as the server
 * acks them, `inFlight` at a time, each waiting for its ack; `to` may be moved while it runs, and
 * several may share one `sending`.
 */
export async function sendFast(
  socket: TestSocket,
  channelId: string,
  sending: { next: number; to: number },
  text: (n: number) => string,
  inFlight: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (sending.next <= sending.to) {
        const n = sending.next++;
        const sent = await call<SendAck>(socket, 'message.send', {
          channelId,
          clientId: newId(),
          text: text(n),
        });
        expect(sent.ok, `message ${n} was refused: ${JSON.stringify(sent)}`).toBe(true);
      }
    }),
  );
}

/**
 * A new channel (named from `prefix`) that alice made and bob joined, holding `texts` from alice that
 * bob has read, open in bob's page with `newest` in view.
 */
export async function openReadChannel(browser: Browser, prefix: string, texts: string[], newest: string) {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const bob = await Rest.signIn(url, 'bob');
  const channel = await alice.createChannel(uniqueName(prefix));
  await bob.join(channel.id);
  let head = 0;
  for (const text of texts) head = (await alice.post(channel.id, text)).seq;
  await bob.call('POST', `/channels/${channel.id}/read`, { seq: head });
  const page = await person(browser, 'bob');
  await openConversation(page, channel.name);
  await expect.poll(() => inView(page, newest)).toBe(true);
  return { url, alice, bob, channel, page };
}

/** The unread count the server keeps for `reader` in `channel` once the sidebar shows it too, else 0. */
export async function unreadShown(page: Page, reader: Rest, channel: { id: string; name: string }) {
  const { channels } = await reader.call<{ channels: { id: string; unreadCount: number }[] }>(
    'GET',
    '/me/channels',
  );
  const unread = channels.find((c) => c.id === channel.id)!.unreadCount;
  const name = (await conversation(page, channel.name).textContent()) ?? '';
  return name.includes(`${unread} unread`) ? unread : 0;
}
