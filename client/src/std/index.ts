// `@switchboard/client`: the session core and its contract, for any runtime (browser window or
// worker, Node, Electron). Nothing here touches the DOM or Node's modules; storage comes from the
// runtime's entry: `@switchboard/client/node` (files) or `@switchboard/client/browser` (IndexedDB).
export * from './contract.ts';
export * from './display.ts';
export * from './notify/rules.ts';
export * from './notify/text.ts';
export { samePreference } from './session/preferences.ts';
export { SessionCore, type SessionOptions } from './session.ts';
export { serveSession, SessionClient, type PortLike, type SessionClientOptions } from './port.ts';
export { whenOnline } from './online.ts';
export { backoffDelay, BACKOFF_CAP_MS, systemClock, type Clock, type SocketFactory } from './connection.ts';
export type { KeyValueStorage } from './storage.ts';
export { silentLogger, type Logger } from './log.ts';
