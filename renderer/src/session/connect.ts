// The one place the UI gets its session. Desktop: the preload hands in a port to the core in the
// utility process (window.switchboard.port). Web: the core (`@switchboard/client/worker`, through
// ./worker.ts) runs in a SharedWorker, so every tab of this origin shares one connection and one
// outbox — or in a dedicated Worker where SharedWorker does not exist. The constructors are written
// out here so Vite sees them and bundles the worker.
import {
  connectBrowserSession,
  nextPaint,
  SessionClient as PortClient,
  type PortLike,
} from '@switchboard/client/browser';
import type { SessionClient } from './types.ts';

declare global {
  interface Window {
    /** Set by the desktop preload; absent in the web build. */
    switchboard?: { port?: PortLike | Promise<PortLike> };
  }
}

const WORKER_NAME = 'switchboard-session';

/** `onFailure` hears about a worker that could not load: nothing would ever answer then. */
export async function connectSession(onFailure: (reason: string) => void): Promise<SessionClient> {
  const handed = window.switchboard?.port;
  if (handed) return new PortClient(await handed, { pace: nextPaint });
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
