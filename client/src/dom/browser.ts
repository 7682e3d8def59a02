// The UI side of the web client: starts the session core in a worker and hands back its client.
// The worker constructors come from the app, because how a worker script is referenced is the
// bundler's business (Vite: `new SharedWorker(new URL('…/worker.ts', import.meta.url), { type: 'module' })`).
import { SessionClient } from '../std/port.ts';

/**
 * Runs `run` at the start of the next paint while the page is shown, and within 50 ms either way (a
 * hidden page does not paint): how a page paces the events its session core sends it
 * (SessionClient's `pace`). At the start of a frame the message list has had the scroll events of
 * the last one, so it knows whether to follow new messages.
 */
export function nextPaint(run: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    run();
  };
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible')
    requestAnimationFrame(once);
  setTimeout(once, 50);
}

export interface SessionWorkers {
  /** A SharedWorker running worker.ts; used wherever the browser supports SharedWorker. */
  shared?: () => SharedWorker;
  /** A dedicated Worker running worker.ts; the fallback. */
  dedicated: () => Worker;
}

export interface BrowserSessionOptions {
  timeoutMs?: number;
  /** Where `pagehide` is heard: the window (the default), or a stand-in in tests. */
  page?: EventTarget;
}

export function connectBrowserSession(
  workers: SessionWorkers,
  { page = globalThis as unknown as EventTarget, ...options }: BrowserSessionOptions = {},
): SessionClient {
  const client =
    workers.shared && typeof SharedWorker === 'function'
      ? new SessionClient(workers.shared().port, { pace: nextPaint, ...options })
      : new SessionClient(workers.dedicated(), { pace: nextPaint, ...options });
  // A page that is going away says bye, so a shared core stops serving its port. One kept for the
  // back/forward cache (`persisted`) may be shown again and keeps its port.
  page.addEventListener?.('pagehide', (event) => {
    if (!(event as PageTransitionEvent).persisted) client.close();
  });
  return client;
}
