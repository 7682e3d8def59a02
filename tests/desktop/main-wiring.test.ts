// The built main process (dist/desktop/main/index.cjs) loaded in Node with a fake `electron` module
// shaped like the real one: checks the composition root wires the security checklist and the
// session core the way the modules' own tests assume — before ready (privileged app:// scheme,
// sandbox for all, single-instance lock), on ready (permission handlers, the utility process forked,
// one window with sandbox/contextIsolation/no Node, loaded from app://, its port sent after load),
// IPC answered only for the app's frame, the tray, a notification from the core shown natively and
// its click routed to the window, closing the window keeping the app in the tray (but not while an
// update installs). Only a real Electron shows that Electron honours them (tests/electron).
// `npm run build` first.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC } from '@switchboard/protocol/desktop';
import { REPO_ROOT, tempDir } from '../support/server.ts';
import { until } from '../support/desktop-host.ts';

const MAIN = path.join(REPO_ROOT, 'dist/desktop/main/index.cjs');

class FakeWebContents extends EventEmitter {
  readonly id = 7;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly posted: { channel: string; ports: unknown[] }[] = [];
  readonly sent: { channel: string; args: unknown[] }[] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  postMessage(channel: string, _message: unknown, ports: unknown[] = []) {
    this.posted.push({ channel, ports });
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  isLoading() {
    return false;
  }
  /** The page's address, as loadURL and the page's own navigation leave it. */
  url = '';
  getURL() {
    return this.url;
  }
}

class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: string | null = null;
  constructor(readonly options: Record<string, unknown> & { webPreferences: Record<string, unknown> }) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string) {
    this.loaded = url;
    this.webContents.url = url;
  }
  visible = false;
  maximize() {}
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isVisible() {
    return this.visible;
  }
  isFocused() {
    return this.visible;
  }
  setOverlayIcon() {}
  isMaximized() {
    return false;
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: 1100, height: 760 };
  }
}

class FakeUtilityProcess extends EventEmitter {
  readonly received: unknown[] = [];
  pid = 4242;
  postMessage(message: unknown) {
    this.received.push(message);
  }
  kill() {
    return true;
  }
}

class FakeNotification extends EventEmitter {
  static shown: FakeNotification[] = [];
  static isSupported() {
    return true;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show() {
    FakeNotification.shown.push(this);
  }
  close() {}
}

class FakeTray extends EventEmitter {
  static created: FakeTray[] = [];
  image: string;
  toolTip = '';
  menu: { label?: string; submenu?: { label?: string }[] }[] = [];
  constructor(image: string) {
    super();
    this.image = image;
    FakeTray.created.push(this);
  }
  setImage(image: string) {
    this.image = image;
  }
  setToolTip(toolTip: string) {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: FakeTray['menu']) {
    this.menu = menu;
  }
}

class FakePortMain extends EventEmitter {
  postMessage() {}
  start() {}
  close() {}
}

const userData = tempDir('switchboard-main-wiring-');
const calls = {
  privileged: [] as unknown[],
  sandboxEnabled: false,
  handled: [] as string[],
  forked: [] as { path: string; options: Record<string, unknown>; child: FakeUtilityProcess }[],
  permissionRequest: null as null | ((...args: unknown[]) => void),
  permissionCheck: null as null | ((...args: unknown[]) => boolean),
  ipcOn: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  ipcHandle: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  menu: null as unknown,
};
const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getPath: (name: string) => (name === 'logs' ? path.join(userData, 'logs') : userData),
  setPath: () => {},
  setAppLogsPath: () => {},
  enableSandbox: () => void (calls.sandboxEnabled = true),
  setAppUserModelId: () => {},
  requestSingleInstanceLock: () => true,
  quit: () => {},
  whenReady: () => Promise.resolve(),
  setAsDefaultProtocolClient: () => true,
  getVersion: () => '0.1.0',
  getAppPath: () => REPO_ROOT,
  getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
  setLoginItemSettings: () => {},
  setBadgeCount: () => true,
});
const fakeElectron = {
  app,
  BrowserWindow: FakeBrowserWindow,
  // Electron's own autoUpdater: emits before-quit-for-update, then closes every window (macOS).
  autoUpdater: new EventEmitter(),
  dialog: { showMessageBox: async () => ({ response: 1 }) },
  ipcMain: {
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) =>
      calls.ipcOn.set(channel, listener),
    handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) =>
      calls.ipcHandle.set(channel, listener),
  },
  Menu: {
    buildFromTemplate: (template: unknown) => template,
    setApplicationMenu: (menu: unknown) => (calls.menu = menu),
  },
  nativeImage: { createFromPath: (file: string) => ({ file }) },
  nativeTheme: Object.assign(new EventEmitter(), {
    shouldUseDarkColors: false,
    shouldUseDarkColorsForSystemIntegratedUI: false,
  }),
  Notification: FakeNotification,
  Tray: FakeTray,
  MessageChannelMain: class {
    port1 = new FakePortMain();
    port2 = new FakePortMain();
  },
  powerMonitor: new EventEmitter(),
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => calls.privileged.push(...schemes),
    handle: (scheme: string) => calls.handled.push(scheme),
  },
  // As Electron on Linux without a keyring: basic_text, which counts as available only once the
  // app allows plain-text encryption (electron_api_safe_storage.cc); until then encrypting throws.
  safeStorage: {
    plainText: false,
    setUsePlainTextEncryption(use: boolean) {
      this.plainText = use;
    },
    isEncryptionAvailable() {
      return this.plainText;
    },
    encryptString(s: string) {
      if (!this.plainText) throw new Error('Encryption is not available.');
      return Buffer.from(`v10${s}`);
    },
    decryptString(b: Buffer) {
      if (!this.plainText) throw new Error('Decryption is not available.');
      return b.toString().slice(3);
    },
    getSelectedStorageBackend: () => 'basic_text',
  },
  screen: {
    getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn: (...args: unknown[]) => void) => (calls.permissionRequest = fn),
      setPermissionCheckHandler: (fn: (...args: unknown[]) => boolean) => (calls.permissionCheck = fn),
    },
  },
  shell: { openExternal: async () => {}, openPath: async () => '' },
  utilityProcess: {
    fork: (modulePath: string, _args: string[], options: Record<string, unknown>) => {
      const child = new FakeUtilityProcess();
      calls.forked.push({ path: modulePath, options, child });
      return child;
    },
  },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Loader };
const realLoad = moduleInternals._load;

beforeAll(async () => {
  if (!fs.existsSync(MAIN))
    throw new Error('dist/desktop/main/index.cjs is missing: run "npm run build" first');
  // Electron sets this; the update policy reads the build's feed and package type from there.
  (process as { resourcesPath?: string }).resourcesPath = tempDir('switchboard-resources-');
  moduleInternals._load = (request, parent, isMain) =>
    request === 'electron' ? fakeElectron : realLoad(request, parent, isMain);
  Module.createRequire(import.meta.url)(MAIN);
  await until(() => FakeBrowserWindow.created.length === 1, 'the window');
});
afterAll(() => {
  moduleInternals._load = realLoad;
});

describe('main, wired to (fake) Electron', () => {
  it('before ready: app:// privileged and standard, the sandbox on for every renderer', () => {
    expect(calls.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(calls.sandboxEnabled).toBe(true);
    expect(calls.handled).toEqual(['app']);
  });

  it('opens one window: sandboxed, isolated, no Node, no webview, the bundled preload, loaded from app://', () => {
    const window = FakeBrowserWindow.created[0]!;
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      preload: path.join(REPO_ROOT, 'dist/desktop/preload/index.cjs'),
    });
    expect(window.loaded).toBe('app://switchboard/index.html');
  });

  it('forks the session core from the built utility entry and gives the loaded window its port', () => {
    expect(calls.forked.map((f) => f.path)).toEqual([path.join(REPO_ROOT, 'dist/desktop/main/utility.cjs')]);
    const child = calls.forked[0]!.child;
    expect(child.received[0]).toMatchObject({ type: 'start', dataDir: path.join(userData, 'session') });
    const window = FakeBrowserWindow.created[0]!;
    window.webContents.emit('did-finish-load');
    expect(window.webContents.posted.map((p) => [p.channel, p.ports.length])).toEqual([[IPC.sessionPort, 1]]);
    expect(child.received.at(-1)).toEqual({ type: 'attach', windowId: window.webContents.id });
  });

  it('keeps the token the core signed in with, in the account’s token file (no keyring here)', async () => {
    calls.forked[0]!.child.emit('message', { type: 'token', token: 'token-from-sign-in' });
    const file = path.join(userData, 'session-token');
    await until(() => fs.existsSync(file), 'the token file');
    expect(fs.readFileSync(file, 'utf8')).toBe('v10token-from-sign-in');
  });

  it('refuses every permission but notifications for the app', () => {
    const decide = (permission: string, url: string) => {
      let granted: boolean | null = null;
      calls.permissionRequest!({}, permission, (ok: boolean) => (granted = ok), { requestingUrl: url });
      return granted;
    };
    expect(decide('notifications', 'app://switchboard/index.html')).toBe(true);
    expect(decide('media', 'app://switchboard/index.html')).toBe(false);
    expect(decide('notifications', 'https://evil.example/')).toBe(false);
    expect(calls.permissionCheck!({}, 'geolocation', 'app://switchboard')).toBe(false);
  });

  it('guards every web contents, and answers IPC only from the app’s frame', async () => {
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler!({ url: 'https://example.org' })).toEqual({ action: 'deny' });
    const info = calls.ipcHandle.get(IPC.appInfo)!;
    expect(await info({ senderFrame: { url: 'https://evil.example/' } })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(await info({ senderFrame: { url: 'app://switchboard/index.html' } })).toMatchObject({
      ok: true,
      value: { appVersion: '0.1.0', secretStorage: process.platform === 'linux' ? 'basic_text' : 'os' },
    });
  });

  it('answers a refused request with its code: hosting a server for an account already on one', async () => {
    calls.forked[0]!.child.emit('message', { type: 'server', url: 'https://chat.example.org', version: '1' });
    const host = calls.ipcHandle.get(IPC.hostLocalServer)!;
    expect(await host({ senderFrame: { url: 'app://switchboard/index.html' } })).toMatchObject({
      ok: false,
      code: 'conflict',
    });
  });

  it('sets the application menu, with Help → Open logs folder', () => {
    const help = (calls.menu as { role?: string; submenu?: { label?: string }[] }[]).find(
      (m) => m.role === 'help',
    );
    expect(help?.submenu?.map((item) => item.label)).toContain('Open logs folder');
  });

  it('sends power events to the core', () => {
    const child = calls.forked[0]!.child;
    fakeElectron.powerMonitor.emit('suspend');
    fakeElectron.powerMonitor.emit('resume');
    expect(child.received.slice(-2)).toEqual([
      { type: 'power', event: 'suspend' },
      { type: 'power', event: 'resume' },
    ]);
  });

  it('puts an icon in the tray whose menu opens the app, sets do not disturb and quits', () => {
    expect(FakeTray.created).toHaveLength(1);
    const tray = FakeTray.created[0]!;
    expect(path.dirname(tray.image)).toBe(path.join(REPO_ROOT, 'dist/desktop/icons'));
    expect(fs.existsSync(tray.image)).toBe(true);
    expect(tray.menu.map((item) => item.label)).toEqual([
      'Open Switchboard',
      undefined,
      'Do not disturb',
      'Start at login',
      undefined,
      'Quit Switchboard',
    ]);
  });

  it('shows the core’s notification natively, and a click brings the window to that message', () => {
    const child = calls.forked[0]!.child;
    const window = FakeBrowserWindow.created[0]!;
    child.emit('message', { type: 'server', url: 'https://chat.example.org', version: '1.0.0' });
    child.emit('message', {
      type: 'notification',
      notification: {
        id: 'm1',
        channelId: 'c1',
        conversation: '#ops',
        reason: 'mention',
        messageId: 'm1',
        seq: 3,
        lastSeq: 3,
        author: { id: 'u1', name: 'Bob' },
        preview: 'the deploy is stuck',
        hidden: false,
        summary: false,
        count: 1,
        silent: false,
        ts: 1,
      },
    });
    expect(FakeNotification.shown.map((n) => [n.options.title, n.options.body])).toEqual([
      ['#ops', 'Bob: the deploy is stuck'],
    ]);
    window.hide();
    FakeNotification.shown[0]!.emit('click', {});
    expect(window.isVisible()).toBe(true);
    expect(window.webContents.sent.at(-1)).toEqual({
      channel: IPC.deepLink,
      args: [{ action: 'open', server: 'https://chat.example.org', channel: 'c1', message: 'm1' }],
    });
    // The totals reach the tray.
    child.emit('message', { type: 'attention', unread: 4, mentions: 1, dnd: null });
    const tray = FakeTray.created[0]!;
    expect(path.basename(tray.image)).toMatch(/^tray-mention-/);
    expect(tray.toolTip).toBe('Switchboard: 4 unread, 1 for you');
  });

  it('closing the window keeps the app in the tray, with a notice the first time only', () => {
    const window = FakeBrowserWindow.created[0]!;
    const before = FakeNotification.shown.length;
    const close = () => {
      let prevented = false;
      window.emit('close', { preventDefault: () => (prevented = true) });
      return prevented;
    };
    window.show();
    expect(close()).toBe(true);
    expect(window.isVisible()).toBe(false);
    expect(FakeNotification.shown.slice(before).map((n) => n.options.title)).toEqual([
      'Switchboard is still running',
    ]);
    window.show();
    expect(close()).toBe(true);
    expect(FakeNotification.shown.length).toBe(before + 1);
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'desktop-settings.json'), 'utf8'))).toMatchObject({
      closeNoticeShown: true,
    });
  });

  it('adds a server: a second core with its own data folder, the window loaded for it and back where it was', async () => {
    const fromApp = { senderFrame: { url: 'app://switchboard/index.html' } };
    const window = FakeBrowserWindow.created[0]!;
    // The first account's page was at a conversation.
    window.webContents.url = 'app://switchboard/index.html#/c/general';
    calls.ipcOn.get(IPC.addServer)!(fromApp);
    expect(calls.forked.map((f) => f.path)).toEqual([
      path.join(REPO_ROOT, 'dist/desktop/main/utility.cjs'),
      path.join(REPO_ROOT, 'dist/desktop/main/utility.cjs'),
    ]);
    const second = calls.forked[1]!.child;
    const dataDir = (second.received[0] as { dataDir: string }).dataDir;
    expect(path.relative(userData, dataDir)).toMatch(/^servers[/\\][0-9a-f-]{36}[/\\]session$/);
    expect(window.loaded).toBe('app://switchboard/index.html');
    window.webContents.emit('did-finish-load');
    expect(second.received.at(-1)).toEqual({ type: 'attach', windowId: window.webContents.id });
    const { value: list } = (await calls.ipcHandle.get(IPC.servers)!(fromApp)) as {
      value: { id: string; active: boolean }[];
    };
    expect(list.map((s) => s.active)).toEqual([false, true]);
    // Back to the first: its page where it was.
    calls.ipcOn.get(IPC.switchServer)!(fromApp, list[0]!.id);
    expect(window.loaded).toBe('app://switchboard/index.html#/c/general');
    // An id that is not in the list is refused by the schema, and nothing changes.
    calls.ipcOn.get(IPC.switchServer)!(fromApp, '../x');
    calls.ipcOn.get(IPC.switchServer)!(fromApp, 'not-an-account');
    expect(window.loaded).toBe('app://switchboard/index.html#/c/general');
    expect(calls.forked).toHaveLength(2);
  });

  it('installing an update closes the window for real (it would otherwise hide in the tray, and the update wait)', () => {
    const window = FakeBrowserWindow.created[0]!;
    fakeElectron.autoUpdater.emit('before-quit-for-update');
    let prevented = false;
    window.emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(false);
  });
});
