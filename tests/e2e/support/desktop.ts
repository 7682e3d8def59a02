// The desktop renderer in Chromium: the built UI (server/web, what the app serves from app://)
// served at http://switchboard.desktop with the app's CSP, the test preload (desktop-preload.ts)
// injected before any page script, and its IPC socket answered here by main's own server list
// (main/src/app/servers.ts) with a CoreHost per account driving the real utility entry in Node
// (tests/support/desktop-host.ts). Notifications go through main's own Notifier and routing to
// stand-ins of Electron's Notification, which a test clicks as a person would click the real one.
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { Page, WebSocketRoute } from '@playwright/test';
import { IPC, type CoreStatus, type DeepLinkTarget } from '@switchboard/protocol/desktop';
import { pagePolicy } from '../../../main/src/app/app-protocol.ts';
import { answerOf } from '../../../main/src/app/ipc-router.ts';
import { Notifier } from '../../../main/src/app/notifier.ts';
import { Servers } from '../../../main/src/app/servers.ts';
import { LocalServer, type LocalServerConfig } from '../../../main/src/local/local-server.ts';
import { FakeNotification, RecordingLog } from '../../../main/src/testing/fakes.ts';
import type { CoreWindow } from '../../../main/src/core/core-host.ts';
import { startDesktopCore, type DesktopCore } from '../../support/desktop-host.ts';
import { REPO_ROOT, tempDir } from '../../support/server.ts';
import { StandInUtility, type BridgePort } from '../../support/utility-host.ts';

export const DESKTOP_ORIGIN = 'http://switchboard.desktop';
const WEB = path.join(REPO_ROOT, 'server/web');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

let preload: string | null = null;
function testPreload(): string {
  preload ??= buildSync({
    entryPoints: [path.join(REPO_ROOT, 'tests/e2e/support/desktop-preload.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  }).outputFiles[0]!.text;
  return preload;
}

/** One window of the app: its IPC socket, and the port main gave it. */
class BridgedWindow implements CoreWindow<BridgePort> {
  private port: BridgePort | null = null;
  /** Frames name their port, so nothing meant for an old one reaches the new one. */
  private portNumber = 0;
  readonly statuses: CoreStatus[] = [];
  constructor(
    readonly id: number,
    private readonly ws: WebSocketRoute,
  ) {}
  sendPort(port: BridgePort): void {
    this.port?.close();
    this.port = port;
    const number = ++this.portNumber;
    port.on('message', (event: { data: unknown }) =>
      this.ws.send(JSON.stringify({ k: 'port-data', port: number, data: event.data })),
    );
    port.start();
    this.ws.send(JSON.stringify({ k: 'port', port: number }));
  }
  sendStatus(status: CoreStatus): void {
    this.statuses.push(status);
    this.ws.send(JSON.stringify({ k: 'ipc', channel: IPC.coreStatus, args: [status] }));
  }
  /** A message from main on one of the IPC channels (a deep link, the server list). */
  ipc(channel: string, args: unknown[]): void {
    this.ws.send(JSON.stringify({ k: 'ipc', channel, args }));
  }
  fromPage(port: number, data: unknown): void {
    if (port === this.portNumber) this.port?.postMessage(data);
  }
}

/** main's LocalServer running the built local-server entry and bundled server, as the app ships them. */
function localServerOf(lanAddress: string): LocalServer {
  let config: LocalServerConfig = { port: null, lan: false };
  return new LocalServer({
    launch: () =>
      new StandInUtility(
        { STANDIN_UTILITY_ENTRY: path.join(REPO_ROOT, 'dist/desktop/main/local-server.cjs') },
        { output: 'pipe' },
      ),
    cli: path.join(REPO_ROOT, 'dist/desktop/server/dist/cli.js'),
    dataDir: tempDir('switchboard-e2e-local-'),
    config: { load: () => config, save: (next) => void (config = next) },
    lanAddress: () => lanAddress,
    log: new RecordingLog(),
  });
}

export interface DesktopApp {
  /** The first account's core. */
  core: DesktopCore;
  /** Every account's core, in the order of the server list. */
  cores: DesktopCore[];
  servers: Servers<BridgePort>;
  /** The server on this computer (started only when the page asks to host one). */
  local: LocalServer;
  /** The native notifications main has shown, in order. */
  notifications: FakeNotification[];
  /** The links main handed to the OS (shell.openExternal), in order. */
  openedExternally: string[];
  /** What the page sent main over IPC (network state, renderer errors, restart requests). */
  sent: { channel: string; args: unknown[] }[];
  open(page: Page): Promise<void>;
  /** Hands a (checked) switchboard:// link to the open windows, as main does. */
  deepLink(target: DeepLinkTarget): void;
  stop(): Promise<void>;
}

/** Main's side for the pages opened with `open`: a core per account, one port per page load. */
export function startDesktopApp(options: { crashLoopAfter?: number } = {}): DesktopApp {
  const cores: DesktopCore[] = [];
  const sent: DesktopApp['sent'] = [];
  let windows = 0;
  let ids = 0;
  const open = new Set<BridgedWindow>();
  const pages = new Set<Page>();
  const notifications: FakeNotification[] = [];
  const openedExternally: string[] = [];
  const toWindows = (channel: string, args: unknown[]) => {
    for (const window of open) window.ipc(channel, args);
  };
  const servers: Servers<BridgePort> = new Servers<BridgePort>({
    store: { load: () => null, save: () => {} },
    createHost: () => {
      const core = startDesktopCore(options);
      cores.push(core);
      return core.host;
    },
    createNotifier: (actions, source) =>
      new Notifier({
        create: (notificationOptions) => {
          const made = new FakeNotification(notificationOptions);
          notifications.push(made);
          return made;
        },
        platform: 'darwin',
        actions,
        source,
        log: cores[0]!.log,
      }),
    window: {
      show: () => {},
      follow: (target) => toWindows(IPC.deepLink, [target]),
      openExternal: (url) => void openedExternally.push(url),
    },
    newId: () => `account-${++ids}`,
    forget: () => {},
    onTotals: () => {},
    onList: (list) => toWindows(IPC.serversChanged, [list]),
    // As main does: the window loads again for the account now on screen.
    onSwitch: () => {
      for (const page of pages) void page.goto(`${DESKTOP_ORIGIN}/`);
    },
    log: new RecordingLog(),
  });
  servers.start();
  const core = cores[0]!;
  // 127.0.0.2 stands for this computer's address on the network: loopback too, but not 127.0.0.1.
  const local = localServerOf('127.0.0.2');
  local.onChange((info) => toWindows(IPC.localServerChanged, [info]));
  local.onMoved((from, to) => servers.serverMoved(from, to));
  /** main's answers to the page's requests (ipcMain.handle in main/src/index.ts). */
  const answer = async (channel: string, args: unknown[]): Promise<unknown> => {
    switch (channel) {
      case IPC.desktopSettings:
        return { startAtLogin: false, startAtLoginSupported: true };
      case IPC.appInfo:
        return {
          appVersion: '0.0.0-test',
          electronVersion: 'none',
          chromeVersion: 'test',
          platform: 'linux',
          secretStorage: 'basic_text',
          logsDir: core.logsDir,
          server: servers.active.state.server,
        };
      case IPC.servers:
        return servers.list();
      case IPC.localServer:
        return local.state;
      case IPC.hostLocalServer: {
        const hosting = await local.setup();
        servers.markActiveLocal();
        return hosting;
      }
      case IPC.setLocalServerLan:
        return local.setLan(args[0] === true);
      case IPC.localServerInvite:
        return local.invite(String(args[0]));
      default:
        return null;
    }
  };
  return {
    core,
    cores,
    servers,
    local,
    notifications,
    openedExternally,
    sent,
    deepLink: (target) => toWindows(IPC.deepLink, [target]),
    async open(page) {
      await page.route(`${DESKTOP_ORIGIN}/**`, async (route) => {
        const url = new URL(route.request().url());
        const file = path.join(WEB, url.pathname === '/' ? 'index.html' : url.pathname);
        const inside = file.startsWith(WEB + path.sep) && fs.existsSync(file);
        await route.fulfill({
          status: inside ? 200 : 404,
          headers: {
            'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
            'content-security-policy': pagePolicy(fs.readFileSync(path.join(WEB, 'index.html'), 'utf8')),
          },
          body: inside ? fs.readFileSync(file) : 'not found',
        });
      });
      await page.routeWebSocket(`ws://switchboard.desktop/__desktop-ipc`, (ws) => {
        // Each page load is a new socket: like did-finish-load, it gets a port of its own.
        const window = new BridgedWindow(++windows, ws);
        let attached = false;
        ws.onMessage((raw) => {
          // The socket is usable both ways once the page has spoken (the preload reports the
          // network state first thing): then, like did-finish-load, the window gets its port.
          if (!attached) {
            attached = true;
            servers.attachWindow(window);
          }
          const frame = JSON.parse(String(raw)) as
            | { k: 'port-data'; port: number; data: unknown }
            | { k: 'send'; channel: string; args: unknown[] }
            | { k: 'invoke'; id: number; channel: string; args: unknown[] };
          if (frame.k === 'port-data') return window.fromPage(frame.port, frame.data);
          if (frame.k === 'send') {
            sent.push({ channel: frame.channel, args: frame.args });
            if (frame.channel === IPC.restartCore) servers.active.restart();
            if (frame.channel === IPC.switchServer) servers.activate(frame.args[0] as string);
            if (frame.channel === IPC.addServer) servers.add();
            if (frame.channel === IPC.removeServer) void servers.remove(frame.args[0] as string);
            return;
          }
          // As main's IpcRouter answers: a value, or a refusal with its code.
          void answerOf(() => answer(frame.channel, frame.args)).then((result) =>
            ws.send(JSON.stringify({ k: 'reply', id: frame.id, result })),
          );
        });
        open.add(window);
        ws.onClose(() => {
          open.delete(window);
          servers.detachWindow(window.id);
        });
      });
      pages.add(page);
      await page.addInitScript({ content: testPreload() });
      await page.goto(`${DESKTOP_ORIGIN}/`);
    },
    stop: async () => {
      await Promise.all(cores.map((c) => c.stop()));
      await local.stop();
    },
  };
}
