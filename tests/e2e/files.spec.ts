// Files in the web client: an image dropped on the conversation uploads (through the session core)
// with its progress, is sent and previewed through a blob: URL and opens in a viewer; a PDF chosen
// with the attach button is downloaded by someone else; a reply in a thread takes a file from the
// thread's own box; and an uploaded HTML page, opened in Chromium, runs no script — even with its
// attachment header taken away, the sandbox CSP holds. Files attached together keep the order they
// were chosen in, for the sender and everyone else, even when the later one finishes uploading first.
import { expect, test, type Page } from '@playwright/test';
import { composer, log, openConversation, person, Rest, screenshot, uniqueName } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

let channel: { id: string; name: string };

test.beforeAll(async () => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  channel = await alice.createChannel(uniqueName('files'));
  await (await Rest.signIn(url, 'bob')).join(channel.id);
});

/** Drops a PNG drawn on a canvas onto the composer, as a drag from the desktop would. */
async function dropImage(page: Page, name: string): Promise<void> {
  const transfer = await page.evaluateHandle(async (fileName) => {
    const canvas = document.createElement('canvas');
    canvas.width = 40;
    canvas.height = 30;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#c03';
    g.fillRect(0, 0, 40, 30);
    const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), 'image/png'));
    const data = new DataTransfer();
    data.items.add(new File([blob], fileName, { type: 'image/png' }));
    return data;
  }, name);
  await composer(page).dispatchEvent('dragover', { dataTransfer: transfer });
  await composer(page).dispatchEvent('drop', { dataTransfer: transfer });
}

test('an image dropped on the conversation is uploaded, sent, previewed and opened', async ({ browser }) => {
  const page = await person(browser, 'alice');
  await openConversation(page, channel.name);
  await dropImage(page, 'red.png');
  const attachment = page.getByTestId('attachment');
  await expect(attachment).toHaveAttribute('data-state', 'done');
  await composer(page).fill('a red square');
  await composer(page).press('Enter');
  await expect(page.getByTestId('attachment')).toHaveCount(0);

  const preview = log(page).getByRole('img', { name: 'red.png' });
  await expect(preview).toBeVisible();
  expect(await preview.getAttribute('src')).toMatch(/^blob:/);
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
  await screenshot(page, 'files-image-preview');

  await log(page).getByRole('button', { name: 'Open image red.png' }).click();
  const viewer = page.getByRole('dialog', { name: 'red.png' });
  await expect(viewer.getByRole('img', { name: 'red.png' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);
});

test('a PDF chosen with the attach button is downloaded by another member', async ({ browser }) => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const alice = await person(browser, 'alice');
  await openConversation(alice, channel.name);
  await alice
    .getByTestId('file-input')
    .setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf });
  await expect(alice.getByTestId('attachment')).toHaveAttribute('data-state', 'done');
  await alice.getByRole('button', { name: 'Send' }).click();

  const bob = await person(browser, 'bob');
  await openConversation(bob, channel.name);
  const download = bob.waitForEvent('download');
  await log(bob).getByRole('button', { name: 'Download report.pdf' }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe('report.pdf');
  const chunks: Buffer[] = [];
  for await (const chunk of (await saved.createReadStream())!) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks)).toEqual(pdf);
});

test('a reply in a thread takes a file from its own attach button', async ({ browser }) => {
  const { url } = e2eEnv();
  await (await Rest.signIn(url, 'alice')).post(channel.id, 'kestrel release notes');
  const bob = await person(browser, 'bob');
  await openConversation(bob, channel.name);
  const root = log(bob).getByTestId('message').filter({ hasText: 'kestrel release notes' });
  await root.hover();
  await root.getByRole('button', { name: 'Reply in thread' }).click();
  const thread = bob.getByRole('complementary', { name: /^Thread/ });
  await thread
    .getByTestId('file-input')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('kestrel 2.0\n') });
  await expect(thread.getByTestId('attachment')).toHaveAttribute('data-state', 'done');
  // The channel's own box holds nothing of the thread's.
  await expect(bob.getByTestId('attachment')).toHaveCount(1);
  const replyBox = thread.getByRole('textbox', { name: 'Reply' });
  await replyBox.fill('notes attached');
  await replyBox.press('Enter');

  const reply = thread.getByTestId('message').filter({ hasText: 'notes attached' });
  await expect(reply.getByRole('button', { name: 'Download notes.txt' })).toBeVisible();
  await expect(thread.getByTestId('attachment')).toHaveCount(0);
  await expect(log(bob).getByText('notes attached')).toHaveCount(0);
  await expect(root.getByRole('button', { name: /1 reply/ })).toBeVisible();
});

test('files keep the order they were chosen in, for the sender, another member and the REST API', async ({
  browser,
}) => {
  const alice = await person(browser, 'alice');
  await openConversation(alice, channel.name);
  const png = await alice.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 12;
    canvas.height = 8;
    const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), 'image/png'));
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  // The text file is chosen first but is large, so the small image overtakes it: the server stores
  // them in the opposite order to the one chosen (checked below by their time-ordered ids).
  await alice.getByTestId('file-input').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.alloc(8 * 1024 * 1024, 'ordered notes\n') },
    { name: 'pic.png', mimeType: 'image/png', buffer: Buffer.from(png) },
  ]);
  const attachments = alice.getByTestId('attachment');
  await expect(attachments).toHaveText([/notes\.txt/, /pic\.png/]);
  await expect(attachments.and(alice.locator('[data-state="done"]'))).toHaveCount(2);
  await composer(alice).fill('two files in order');
  await composer(alice).press('Enter');

  /** The message's files as `page` shows them, in the order chosen: the text file, then the image. */
  const expectChosenOrder = async (page: Page) => {
    const message = log(page).getByTestId('message').filter({ hasText: 'two files in order' });
    await expect(message).toHaveAttribute('data-delivery', 'sent');
    const files = message
      .locator('.message-files > li')
      .getByRole('button', { name: /^(Download|Open image) / });
    await expect(files).toHaveCount(2);
    await expect(files.nth(0)).toHaveAttribute('aria-label', 'Download notes.txt');
    await expect(files.nth(1)).toHaveAttribute('aria-label', 'Open image pic.png');
  };
  await expectChosenOrder(alice);
  const bob = await person(browser, 'bob');
  await openConversation(bob, channel.name);
  await expectChosenOrder(bob);
  // History read again (a reload) and the REST API agree.
  await alice.reload();
  await openConversation(alice, channel.name);
  await expectChosenOrder(alice);
  const rest = await Rest.signIn(e2eEnv().url, 'bob');
  const { messages } = await rest.call<{
    messages: { text: string; files: { id: string; name: string }[] }[];
  }>('GET', `/channels/${channel.id}/messages`);
  const files = messages.find((m) => m.text === 'two files in order')!.files;
  expect(files.map((f) => f.name)).toEqual(['notes.txt', 'pic.png']);
  // The case this test is for: the image was stored first (ids are UUIDv7, ordered by time).
  expect(files[1]!.id < files[0]!.id).toBe(true);
});

test('an uploaded HTML page opened in Chromium runs no script', async ({ browser }) => {
  const { url } = e2eEnv();
  const alice = await Rest.signIn(url, 'alice');
  const form = new FormData();
  form.append(
    'file',
    new Blob(['<h1>hi</h1><script>window.ran = true; alert("ran")</script>'], { type: 'text/html' }),
    'page.html',
  );
  const res = await fetch(`${url}/api/v1/channels/${channel.id}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}` },
    body: form,
  });
  const { file } = (await res.json()) as { file: { id: string } };
  await alice.call('POST', `/channels/${channel.id}/messages`, {
    clientId: `e2e${crypto.randomUUID().replaceAll('-', '')}`,
    text: 'a page',
    fileIds: [file.id],
  });
  const fileUrl = `${url}/api/v1/files/${file.id}`;

  // The page's own CSP applies here, as in a real browser.
  const context = await browser.newContext({
    bypassCSP: false,
    extraHTTPHeaders: { authorization: `Bearer ${alice.token}` },
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // As served, it is an attachment: Chromium saves it rather than showing it.
  const saved = page.waitForEvent('download');
  await page.goto(fileUrl).catch(() => undefined);
  expect((await saved).suggestedFilename()).toBe('page.html');

  // Even shown inline, the sandbox policy keeps its script from running.
  await page.route(fileUrl, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['content-disposition'];
    await route.fulfill({ response, headers });
  });
  await page.goto(fileUrl);
  await expect(page.getByRole('heading', { name: 'hi' })).toBeVisible();
  expect(await page.evaluate(() => (window as { ran?: boolean }).ran ?? false)).toBe(false);
  expect(dialogs).toEqual([]);
  await context.close();
});
