// The browser's Notification API in the web client's tests, replaced by a recorder: a real
// notification is outside the page and cannot be clicked by a test. The page shows what the session
// core decided; a test reads what was shown and clicks one as a person would.
import type { Browser, Page } from '@playwright/test';
import { signIn } from './app.ts';
import { e2eEnv } from './env.ts';

export interface Notice {
  title: string;
  body: string;
  tag: string;
  silent: boolean;
  closed: boolean;
}

/** The notifications shown so far. */
export const notices = (page: Page): Promise<Notice[]> =>
  page.evaluate(() => (window as unknown as { __notices: Notice[] }).__notices.map((n) => ({ ...n })));

/** Clicks the `index`th notification shown, as a person clicks it. */
export const clickNotice = (page: Page, index: number): Promise<void> =>
  page.evaluate((i) => (window as unknown as { __click(i: number): void }).__click(i), index);

/** A person, signed in, in a browser whose Notification API records what is shown and can be clicked. */
export async function personWithNotifications(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const shown: (Notice & { notice: RecordingNotification })[] = [];
    const w = window as unknown as { __notices: typeof shown; __click(index: number): void };
    w.__notices = shown;
    w.__click = (index) => shown[index]!.notice.onclick?.();
    class RecordingNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: (() => void) | null = null;
      onclose: (() => void) | null = null;
      private readonly record: Notice & { notice: RecordingNotification };
      constructor(title: string, options: { body: string; tag: string; silent: boolean }) {
        this.record = {
          title,
          body: options.body,
          tag: options.tag,
          silent: options.silent,
          closed: false,
          notice: this,
        };
        shown.push(this.record);
      }
      close() {
        this.record.closed = true;
        this.onclose?.();
      }
    }
    Object.defineProperty(window, 'Notification', { value: RecordingNotification });
  });
  const page = await context.newPage();
  await signIn(page, e2eEnv().url, username);
  return page;
}
