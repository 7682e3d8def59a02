// What the preload does, apart from Electron itself: exposes a minimal typed API to the page
// (`window.switchboard`), forwards the session port and the core's status from main to the page
// with window.postMessage (Electron's documented hand-over for context-isolated pages), and
// reports the page's network state and uncaught errors to main. The test preload of the browser
// tests runs this same function with a WebSocket standing in for IPC.
import {
  IPC,
  PAGE_MESSAGE,
  type AppInfo,
  type CoreStatus,
  type DeepLinkTarget,
  type DesktopBridge,
  type DesktopSettings,
  type IpcAnswer,
  type LocalServerInfo,
  type PageMessage,
  type ServerSummary,
} from '@switchboard/protocol/desktop';

/** The parts of Electron's ipcRenderer used here. */
export interface IpcRendererLike {
  on(
    channel: string,
    listener: (event: { ports: readonly MessagePort[] }, ...args: unknown[]) => void,
  ): unknown;
  send(channel: string, ...args: unknown[]): void;
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

export interface BridgeHost {
  ipc: IpcRendererLike;
  /** contextBridge.exposeInMainWorld */
  expose(key: 'switchboard', api: DesktopBridge): void;
  window: Window;
  platform: string;
}

const clip = (text: unknown, max: number): string => String(text).slice(0, max);

export function installBridge({ ipc, expose, window, platform }: BridgeHost): void {
  /** main's answer to a request; a refusal rejects with its code and message. */
  const request = async <T>(channel: string, ...args: unknown[]): Promise<T> => {
    const answer = (await ipc.invoke(channel, ...args)) as IpcAnswer<T>;
    if (answer.ok) return answer.value;
    // A plain object, not an Error: contextBridge copies an Error without its own properties.
    throw { code: answer.code, message: answer.message };
  };
  const api: DesktopBridge = {
    desktop: true,
    platform,
    appInfo: () => request<AppInfo>(IPC.appInfo),
    restartCore: () => ipc.send(IPC.restartCore),
    openLogs: () => ipc.send(IPC.openLogs),
    reportError: (message, stack) =>
      ipc.send(IPC.rendererError, clip(message, 4096), stack === undefined ? undefined : clip(stack, 16_384)),
    desktopSettings: () => request<DesktopSettings>(IPC.desktopSettings),
    setStartAtLogin: (on) => ipc.send(IPC.setStartAtLogin, on === true),
    servers: () => request<ServerSummary[]>(IPC.servers),
    switchServer: (id) => ipc.send(IPC.switchServer, String(id)),
    addServer: () => ipc.send(IPC.addServer),
    removeServer: (id) => ipc.send(IPC.removeServer, String(id)),
    localServer: () => request<LocalServerInfo>(IPC.localServer),
    hostLocalServer: () => request<{ url: string; setupCode: string | null }>(IPC.hostLocalServer),
    setLocalServerLan: (on) => request<LocalServerInfo>(IPC.setLocalServerLan, on === true),
    localServerInvite: (admin) => request<string>(IPC.localServerInvite, String(admin)),
    backupLocalServer: () => request<string | null>(IPC.backupLocalServer),
    restoreLocalServer: () => request<string | null>(IPC.restoreLocalServer),
  };
  expose('switchboard', Object.freeze(api));

  // The page listens from its first script on. Its module scripts have run by DOMContentLoaded
  // (not by readyState 'interactive'), so messages wait for that event; this runs before the page.
  let pageReady = window.document.readyState === 'complete';
  const waiting: (() => void)[] = [];
  window.document.addEventListener(
    'DOMContentLoaded',
    () => {
      pageReady = true;
      for (const post of waiting.splice(0)) post();
    },
    { once: true },
  );
  const toPage = (message: PageMessage, ports: MessagePort[] = []) => {
    const post = () => window.postMessage(message, window.location.origin, ports);
    if (pageReady) post();
    else waiting.push(post);
  };
  ipc.on(IPC.sessionPort, (event) => {
    const port = event.ports[0];
    if (port) toPage({ source: PAGE_MESSAGE, kind: 'session-port' }, [port]);
  });
  ipc.on(IPC.coreStatus, (_event, status) =>
    toPage({ source: PAGE_MESSAGE, kind: 'core-status', status: status as CoreStatus }),
  );
  ipc.on(IPC.serversChanged, (_event, servers) =>
    toPage({ source: PAGE_MESSAGE, kind: 'servers', servers: servers as ServerSummary[] }),
  );
  ipc.on(IPC.localServerChanged, (_event, info) =>
    toPage({ source: PAGE_MESSAGE, kind: 'local-server', info: info as LocalServerInfo }),
  );
  ipc.on(IPC.deepLink, (_event, target) =>
    toPage({ source: PAGE_MESSAGE, kind: 'deep-link', target: target as DeepLinkTarget }),
  );

  ipc.send(IPC.network, window.navigator.onLine);
  window.addEventListener('online', () => ipc.send(IPC.network, true));
  window.addEventListener('offline', () => ipc.send(IPC.network, false));
  window.addEventListener('error', (event) => api.reportError(event.message, event.error?.stack));
  window.addEventListener('unhandledrejection', (event) =>
    api.reportError(
      `unhandled rejection: ${String(event.reason?.message ?? event.reason)}`,
      event.reason?.stack,
    ),
  );
}
