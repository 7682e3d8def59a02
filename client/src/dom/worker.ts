// Browser entry of the session core. Load it as a SharedWorker where the browser has them: every
// tab of the app then shares one core and one connection, each tab's port arriving in a `connect`
// event. A tab says `bye` as it goes away (browser.ts), and where browsers report a port whose
// other end is gone (its `close` event) a crashed tab is let go too.
//
// Elsewhere load it as a dedicated Worker: one core per tab, all on the same IndexedDB. Each queued
// message is a record of its own there, so no tab overwrites what another queued, and a Web Lock
// per account lets one core at a time send the outbox, the other tabs' messages included
// (outbox.ts); the server storing each clientId once covers the moment the lock changes hands.
import { consoleLogger } from '../std/log.ts';
import { serveSession, type PortLike } from '../std/port.ts';
import { SessionCore } from '../std/session.ts';
import { IdbStorage } from './storage-idb.ts';

/** The parts of a (Shared)WorkerGlobalScope used here; a dedicated worker's scope is its port. */
interface WorkerScope extends PortLike {
  navigator: { onLine: boolean };
  addEventListener(
    type: 'connect' | 'message' | 'online' | 'offline',
    listener: (event: MessageEvent) => void,
  ): void;
}

const scope = globalThis as unknown as WorkerScope;
const core = IdbStorage.open().then((storage) => SessionCore.open({ storage, logger: consoleLogger }));

void core.then((session) => {
  session.setNetworkAvailable(scope.navigator.onLine);
  scope.addEventListener('online', () => session.setNetworkAvailable(true));
  scope.addEventListener('offline', () => session.setNetworkAvailable(false));
});

if ('onconnect' in scope) {
  scope.addEventListener('connect', (event) => {
    const port = event.ports[0];
    if (!port) return;
    const detach = serveSession(core, port);
    (port as EventTarget).addEventListener('close', detach);
  });
} else {
  serveSession(core, scope);
}
