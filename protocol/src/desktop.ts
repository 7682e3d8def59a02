// The desktop app's contract between its main process, its preload and the page: every IPC channel
// in one place, the envelope the preload uses to hand things to the page with window.postMessage,
// and the API the preload exposes. No imports and no schemas: the sandboxed preload bundles this
// file (`@switchboard/protocol/desktop`) and must stay small; main parses every IPC payload
// (main/src/shared/ipc-schemas.ts) and checks its sender frame.

export const IPC = {
  /** main → preload: a fresh port to the session core (transferred), after every core (re)start. */
  sessionPort: 'switchboard:session-port',
  /** main → preload: the core is restarting, or gave up (crash loop). */
  coreStatus: 'switchboard:core-status',
  /** preload → main (invoke): versions, the secret-storage backend, where logs are. */
  appInfo: 'switchboard:app-info',
  /** preload → main: restart the core after a crash loop. */
  restartCore: 'switchboard:restart-core',
  /** preload → main: the page's uncaught errors, for the log file. */
  rendererError: 'switchboard:renderer-error',
  /** preload → main: the OS network came back or went away (the renderer sees online/offline). */
  network: 'switchboard:network',
  /** preload → main: open the logs folder. */
  openLogs: 'switchboard:open-logs',
  /** main → preload: a deep link to act on. */
  deepLink: 'switchboard:deep-link',
  // Notifications, tray and start at login.
  /** preload → main (invoke): this computer's desktop settings. */
  desktopSettings: 'switchboard:desktop-settings',
  /** preload → main: start (or not) when the person signs in to the computer. */
  setStartAtLogin: 'switchboard:set-start-at-login',
  // Several servers.
  /** preload → main (invoke): the server list. */
  servers: 'switchboard:servers',
  /** main → preload: the server list changed (names, counts, the active one). */
  serversChanged: 'switchboard:servers-changed',
  /** preload → main: put another account on screen (the window loads it). */
  switchServer: 'switchboard:switch-server',
  /** preload → main: a new account, on no server yet, put on screen. */
  addServer: 'switchboard:add-server',
  /** preload → main: remove an account from this computer (its core stops, its data goes). */
  removeServer: 'switchboard:remove-server',
  // The server on this computer.
  /** preload → main (invoke): its state. */
  localServer: 'switchboard:local-server',
  /** main → preload: its state changed. */
  localServerChanged: 'switchboard:local-server-changed',
  /**
   * preload → main (invoke): start it (set it up the first time) for the account on screen, which is
   * on no server yet; answers its address and, while it has no users, the first-admin setup code.
   */
  hostLocalServer: 'switchboard:host-local-server',
  /** preload → main (invoke): let others on the network join (true) or loopback only (false). */
  setLocalServerLan: 'switchboard:set-local-server-lan',
  /** preload → main (invoke): an invite link for people on the network, made for this admin. */
  localServerInvite: 'switchboard:local-server-invite',
  /** preload → main (invoke): back up its data to a file the person picks; answers the file or null. */
  backupLocalServer: 'switchboard:backup-local-server',
  /** preload → main (invoke): restore a backup the person picks; answers the file or null. */
  restoreLocalServer: 'switchboard:restore-local-server',
} as const;

/** What the core is doing, as a window shows it. */
export type CoreStatus =
  | { state: 'running' }
  | { state: 'restarting'; retryAt: number; attempt: number }
  | { state: 'failed'; reason: string; logsDir: string };

export interface AppInfo {
  appVersion: string;
  electronVersion: string;
  chromeVersion: string;
  platform: string;
  /** Where safeStorage keeps its key; `basic_text` means no OS keyring (Linux). */
  secretStorage: string;
  logsDir: string;
  server: { url: string | null; version: string | null };
}

/**
 * `message`: open the conversation at that message (a notification was clicked). `topic`: open a
 * followed topic's view (its notification was clicked; main hands it to the window, it is no link).
 */
export type DeepLinkTarget =
  | { action: 'open'; server: string; channel: string; message?: string }
  | { action: 'topic'; server: string; topic: string }
  | { action: 'join'; server: string; invite: string };

/** The server on this computer (local mode), as Settings shows it. */
export interface LocalServerInfo {
  /** `off` with no `url`: never set up here. */
  state: 'off' | 'starting' | 'running' | 'restarting' | 'failed';
  /** The address the app uses (loopback), once it has run. */
  url: string | null;
  /** Others on the network may join: it listens on every interface. */
  lan: boolean;
  /** The address to give people on the network, while `lan` and running. */
  shareUrl: string | null;
  reason: string | null;
}

/** An account in the server list (one per server; the window shows the active one). */
export interface ServerSummary {
  id: string;
  /** The server's host name, "This computer" for the local one, "New server" before one is chosen. */
  name: string;
  url: string | null;
  local: boolean;
  active: boolean;
  unread: number;
  /** Mentions and direct messages. */
  mentions: number;
}

/** What this computer's app does, apart from the account's preferences (kept by main, per computer). */
export interface DesktopSettings {
  /** Starts when the person signs in to the computer, in the tray. Off by default. */
  startAtLogin: boolean;
  /** Whether this OS can start apps at login for us. */
  startAtLoginSupported: boolean;
}

/** The preload's messages to the page (window.postMessage, same window, this marker). */
export const PAGE_MESSAGE = 'switchboard-desktop';

export type PageMessage =
  | { source: typeof PAGE_MESSAGE; kind: 'session-port' }
  | { source: typeof PAGE_MESSAGE; kind: 'servers'; servers: ServerSummary[] }
  | { source: typeof PAGE_MESSAGE; kind: 'local-server'; info: LocalServerInfo }
  | { source: typeof PAGE_MESSAGE; kind: 'core-status'; status: CoreStatus }
  | { source: typeof PAGE_MESSAGE; kind: 'deep-link'; target: DeepLinkTarget };

/**
 * What main answers every invoke with. A refusal travels as a value because Electron hands the page
 * only the message of an error thrown in a handler, and the page needs its code (errors.ts) to say
 * what went wrong. The preload turns `ok: false` back into a rejection carrying `code` and `message`.
 */
export type IpcAnswer<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** What the preload exposes as `window.switchboard` (contextBridge); requests reject with `code` and `message`. */
export interface DesktopBridge {
  readonly desktop: true;
  readonly platform: string;
  appInfo(): Promise<AppInfo>;
  restartCore(): void;
  openLogs(): void;
  reportError(message: string, stack?: string): void;
  desktopSettings(): Promise<DesktopSettings>;
  setStartAtLogin(on: boolean): void;
  servers(): Promise<ServerSummary[]>;
  switchServer(id: string): void;
  addServer(): void;
  removeServer(id: string): void;
  localServer(): Promise<LocalServerInfo>;
  hostLocalServer(): Promise<{ url: string; setupCode: string | null }>;
  setLocalServerLan(on: boolean): Promise<LocalServerInfo>;
  localServerInvite(admin: string): Promise<string>;
  backupLocalServer(): Promise<string | null>;
  restoreLocalServer(): Promise<string | null>;
}
