// Message text is rendered as safe markdown: HTML and script payloads show as text, nothing runs,
// no element is injected, and only http(s)/mailto links survive — opening outside the app.
import { expect, test } from '@playwright/test';
import { log, messages, openConversation, screenshot, signIn, twoInChannels } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

const PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<svg onload="window.__pwned = \'svg\'"><circle r="5"/></svg>',
  '<iframe src="javascript:parent.__pwned = \'iframe\'"></iframe>',
  '<a href="javascript:window.__pwned = \'raw-a\'">raw link</a>',
  "[md link](javascript:window.__pwned='md-link')",
  '[data link](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0nZGF0YSc8L3NjcmlwdD4=)',
  '<javascript:window.__pwned=1>',
  '![image](https://example.invalid/x.png" onerror="window.__pwned=\'image\')',
  '<style>body { display: none }</style>',
  '<form action="https://example.invalid"><input name="q"></form>',
  '`<b>code stays code</b>`',
  '```html\n<script>window.__pwned = "fence"</script>\n```',
  'a [good link](https://example.com/docs) and mail to <mailto:ops@example.com>',
];

test('HTML and script payloads render inert', async ({ browser }) => {
  const { url } = e2eEnv();
  const {
    people: [alice],
    channels: [channel],
  } = await twoInChannels(url, ['alice', 'bob'], ['xss']);
  for (const text of PAYLOADS) await alice.post(channel.id, text);

  const page = await (await browser.newContext()).newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signIn(page, url, 'bob');
  await openConversation(page, channel.name);
  await expect(messages(page)).toHaveCount(PAYLOADS.length);

  // The payloads are visible as text.
  await expect(messages(page, '<script>window.__pwned = "script"</script>')).toHaveCount(1);
  await expect(messages(page, '<img src=x onerror=')).toHaveCount(1);
  await expect(messages(page, '<b>code stays code</b>').locator('code')).toHaveText('<b>code stays code</b>');

  // Nothing ran and nothing was injected into the message bodies.
  const bodies = log(page).locator('.message-body');
  for (const tag of ['script', 'img', 'svg', 'iframe', 'style', 'form', 'input', 'object', 'embed']) {
    await expect(bodies.locator(tag), `<${tag}> in a message`).toHaveCount(0);
  }
  const handlers = await bodies.evaluateAll((nodes) =>
    nodes
      .flatMap((n) => [...n.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name)))
      .filter((name) => name.startsWith('on')),
  );
  expect(handlers).toEqual([]);

  // Only http(s) and mailto links exist, and every one opens outside with no opener or referrer.
  const links = await bodies.locator('a').evaluateAll((nodes) =>
    nodes.map((a) => ({
      href: a.getAttribute('href'),
      target: a.getAttribute('target'),
      rel: a.getAttribute('rel'),
    })),
  );
  expect(links.map((l) => l.href)).toEqual(
    expect.arrayContaining(['https://example.com/docs', 'mailto:ops@example.com']),
  );
  for (const link of links) {
    expect(link.href).toMatch(/^(https?:|mailto:)/);
    expect(link).toMatchObject({ target: '_blank', rel: 'noopener noreferrer' });
  }

  // Clicking the would-be links does nothing either.
  await messages(page, 'md link').getByText('md link').click();
  await messages(page, 'raw link').getByText('raw link').click();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(page.locator('body')).toBeVisible();
  await screenshot(page, 'injection-inert');

  await page.context().close();
});
