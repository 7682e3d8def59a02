// Entry points that run anywhere (browser window, worker, Node). Node-only pieces are in
// ./node.ts (`@switchboard/client/node`); the browser worker script is ./worker.ts.
export * from './contract.ts';
export { SessionCore, type SessionOptions } from './session.ts';
export { serveSession, SessionClient, type PortLike } from './port.ts';
export { connectBrowserSession, type BrowserSessionOptions, type SessionWorkers } from './browser.ts';
export { displayOrder } from './batch.ts';
export { backoffDelay, BACKOFF_CAP_MS, type Clock, type SocketFactory } from './connection.ts';
export { IdbStorage } from './storage-idb.ts';
export type { KeyValueStorage } from './storage.ts';
export { silentLogger, type Logger } from './log.ts';
