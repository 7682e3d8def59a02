// The one place the UI gets its session. Desktop: the preload says so (`window.switchboard`, a
// contextBridge API) and hands this page a port to the core in the utility process with
// window.postMessage; see desktop.ts. Web: the core (`@switchboard/client/worker`, through
// ./worker.ts) runs in a SharedWorker, so every tab of this origin shares one connection and one
// outbox — or in a dedicated Worker where SharedWorker does not exist. The constructors are written
// out here so Vite sees them and bundles the worker.
import { connectBrowserSession, nextPaint } from '@switchboard/client/browser';
import type { DesktopBridge } from '@switchboard/protocol/desktop';
import { desktopHandOver } from './desktop.ts';
import type { SessionClient } from './types.ts';

declare global {
  interface Window {
    /** Exposed by the desktop preload; absent in the web build. */
    switchboard?: DesktopBridge;
  }
}

const WORKER_NAME = 'switchboard-session';

/** The desktop app's bridge, or null in a browser. */
export const desktopBridge = (): DesktopBridge | null =>
  window.switchboard?.desktop === true ? window.switchboard : null;

// Listening from this module's first evaluation: the preload posts as soon as the document is
// parsed, which is before the page has finished starting.
const desktop = desktopBridge() ? desktopHandOver(window, { pace: nextPaint }) : null;

/** The desktop hand-over (core status, deep links), or null in a browser. */
export const desktopSession = () => desktop;

/** `onFailure` hears about a worker that could not load: nothing would ever answer then. */
export async function connectSession(onFailure: (reason: string) => void): Promise<SessionClient> {
  if (desktop) {
    await desktop.firstPort;
    return desktop.session;
  }
  const watch = <W extends SharedWorker | Worker>(worker: W): W => {
    worker.addEventListener('error', (event) =>
      onFailure((event as ErrorEvent).message || 'the session worker failed to load'),
    );
    return worker;
  };
  return connectBrowserSession({
    shared: () =>
      watch(
        new SharedWorker(new URL('./worker.ts', import.meta.url), {
          type: 'module',
          name: WORKER_NAME,
        }),
      ),
    dedicated: () =>
      watch(
        new Worker(new URL('./worker.ts', import.meta.url), {
          type: 'module',
          name: WORKER_NAME,
        }),
      ),
  });
}
