// `@switchboard/client/browser`: what a web page needs to talk to a session core that runs in a
// worker — the contract, the display rules, the port client and connectBrowserSession — and the
// IndexedDB storage a core uses in a browser. The core itself runs in the worker
// (`@switchboard/client/worker`), so this entry does not carry it (nor socket.io-client).
export * from '../std/contract.ts';
export * from '../std/display.ts';
export * from '../std/notify/rules.ts';
export * from '../std/notify/text.ts';
export { samePreference } from '../std/session/preferences.ts';
export { serveSession, SessionClient, type PortLike, type SessionClientOptions } from '../std/port.ts';
export {
  connectBrowserSession,
  nextPaint,
  type BrowserSessionOptions,
  type SessionWorkers,
} from './browser.ts';
export { IdbStorage } from './storage-idb.ts';
