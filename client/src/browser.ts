// The UI side of the web client: starts the session core in a worker and hands back its client.
// The worker constructors come from the app, because how a worker script is referenced is the
// bundler's business (Vite: `new SharedWorker(new URL('…/worker.ts', import.meta.url), { type: 'module' })`).
import { SessionClient } from './port.ts';

export interface SessionWorkers {
  /** A SharedWorker running worker.ts; used wherever the browser supports SharedWorker. */
  shared?: () => SharedWorker;
  /** A dedicated Worker running worker.ts; the fallback. */
  dedicated: () => Worker;
}

export function connectBrowserSession(
  workers: SessionWorkers,
  options?: { timeoutMs?: number },
): SessionClient {
  if (workers.shared && typeof SharedWorker === 'function')
    return new SessionClient(workers.shared().port, options);
  return new SessionClient(workers.dedicated(), options);
}
