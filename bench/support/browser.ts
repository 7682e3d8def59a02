// Driving the built web client in Debian's Chromium for the UI benchmarks: the browser the e2e tests
// use, with their flags; signing in through the page; and the page's and the session worker's JS
// heap through the DevTools protocol (after a full GC, so live objects and not garbage).
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.ts';
import { nav } from '../../tests/e2e/support/app.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh context: own IndexedDB and SharedWorker, so nothing is cached. The benchmarks run under tsx,
 * whose esbuild wraps named inner functions in `__name(...)`; functions handed to page.evaluate keep
 * those calls, so the page gets a `__name` that does nothing. `bypassCSP` is for a page the benchmark
 * makes up itself, whose scripts the server's CSP would refuse.
 */
export async function newContext(
  browser: Browser,
  { bypassCSP = false }: { bypassCSP?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    bypassCSP,
  });
  await context.addInitScript('globalThis.__name = (fn) => fn;');
  return context;
}

/** A fresh context signed in as `username` through the page, as a person would. */
export async function signedInPage(
  browser: Browser,
  url: string,
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await nav(page).waitFor({ timeout: 30_000 });
  return { context, page };
}

export interface HeapSample {
  /** JS heap in use (bytes) after a full GC. */
  usedBytes: number;
}

/** The page's main-thread JS heap in use, after a full GC (Performance.getMetrics JSHeapUsedSize). */
export async function pageHeap(cdp: CDPSession): Promise<HeapSample> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
  if (used === undefined) throw new Error('Performance.getMetrics has no JSHeapUsedSize');
  return { usedBytes: used };
}

/** Main-thread busy time so far (Performance.getMetrics TaskDuration, seconds → ms). */
export async function pageTaskMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * (metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN);
}

/**
 * The session core's heap: it runs in a SharedWorker, which Playwright does not expose, so this
 * attaches to the worker's target through the browser's DevTools session and talks to it with
 * Target.sendMessageToTarget. Null when no such worker is found (e.g. a browser without SharedWorker).
 */
export async function sessionWorkerHeap(browser: Browser, pageUrl: string): Promise<HeapSample | null> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const origin = new URL(pageUrl).origin;
    const worker = targetInfos.find((t) => t.type === 'shared_worker' && t.url.startsWith(origin));
    if (!worker) return null;
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: worker.targetId,
      flatten: false,
    });
    let nextId = 1;
    const ask = (method: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error(`worker did not answer ${method}`)), 10_000);
        const onMessage = (event: { sessionId?: string; message: string }) => {
          if (event.sessionId !== sessionId) return;
          const reply = JSON.parse(event.message) as { id?: number; result?: Record<string, unknown> };
          if (reply.id !== id) return;
          clearTimeout(timer);
          cdp.off('Target.receivedMessageFromTarget', onMessage);
          resolve(reply.result ?? {});
        };
        cdp.on('Target.receivedMessageFromTarget', onMessage);
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
      });
    await ask('HeapProfiler.collectGarbage');
    const usage = await ask('Runtime.getHeapUsage');
    await cdp.send('Target.detachFromTarget', { sessionId });
    return { usedBytes: Number(usage.usedSize) };
  } finally {
    await cdp.detach();
  }
}
