// The web client works under its own Content-Security-Policy (the other tests turn it off) and
// never trips it: no violation, no uncaught error, from sign-in through sending and a reload.
import { expect, test } from '@playwright/test';
import { messages, openConversation, Rest, send, signIn, uniqueName } from './support/app.ts';
import { e2eEnv } from './support/env.ts';

test('the web client runs under its CSP without violations', async ({ browser }) => {
  const { url } = e2eEnv();
  const carol = await Rest.signIn(url, 'carol');
  const channel = await carol.createChannel(uniqueName('csp'));

  const context = await browser.newContext({ bypassCSP: false });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(
        `CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`,
      ),
    ),
  );

  await signIn(page, url, 'carol');
  await openConversation(page, channel.name);
  await send(page, 'under the **policy** :lock:');
  await expect(messages(page, 'under the policy')).toHaveAttribute('data-delivery', 'sent');
  await page.reload();
  await expect(messages(page, 'under the policy')).toHaveCount(1);
  expect(problems).toEqual([]);

  // And the policy is really in force.
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
    'content',
    /script-src 'self'/,
  );
  const inlineRan = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.head.append(script);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(inlineRan).toBe(false);

  await context.close();
});
