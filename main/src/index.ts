// Electron main: the composition root. Everything with a decision in it lives in a module of its
// own (core/, app/) behind a small interface and is tested without Electron; this file only
// connects those modules to Electron's objects.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  app,
  autoUpdater as nativeAutoUpdater,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  nativeTheme,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
  type MessagePortMain,
} from 'electron';
import { autoUpdater } from 'electron-updater';
import {
  IPC,
  type AppInfo,
  type CoreStatus,
  type DeepLinkTarget,
  type DesktopSettings,
} from '@switchboard/protocol/desktop';
import { SwitchboardError } from '@switchboard/protocol';
import { appProtocolHandler } from './app/app-protocol.ts';
import { setDndFromTray } from './app/attention.ts';
import { BadgeController } from './app/badge.ts';
import { DesktopSettingsFile } from './app/desktop-settings.ts';
import { StartAtLogin, startsHidden } from './app/login-item.ts';
import { Notifier, type NotificationLike } from './app/notifier.ts';
import { closeToTray, TrayController, type TrayLike } from './app/tray.ts';
import { deepLinkIn, parseDeepLink, DEEP_LINK_SCHEME } from './app/deep-links.ts';
import { IpcRouter, type IpcMainLike } from './app/ipc-router.ts';
import { aboutText, menuTemplate } from './app/menu.ts';
import { APP_ID, PRODUCT_NAME } from './app/product.ts';
import { SafeStorageSecrets, secretStorageKind } from './app/secrets.ts';
import {
  APP_ENTRY,
  APP_SCHEME,
  decidePermissionCheck,
  decidePermissionRequest,
  guardContents,
  isExternalAllowed,
} from './app/security.ts';
import { claimSingleInstance } from './app/single-instance.ts';
import { runUpdates, updatePolicy } from './app/updater.ts';
import { accountFiles, forgetAccountFiles } from './app/account-files.ts';
import { Servers } from './app/servers.ts';
import { LocalServer, type ServerProcess } from './local/local-server.ts';
import { MIN_SIZE, parseWindowState, placeWindow, type WindowState } from './app/window-state.ts';
import { CoreHost, type CoreChild } from './core/core-host.ts';
import { systemTimers } from './core/supervisor.ts';
import type { Logger } from 'pino';
import { openFileLog } from './shared/file-log.ts';
import { readText, writeText } from './shared/files.ts';

const BUILD_DIR = path.join(app.getAppPath(), 'dist/desktop');
const RENDERER_DIR = path.join(BUILD_DIR, 'renderer');
const PRELOAD = path.join(BUILD_DIR, 'preload/index.cjs');
const UTILITY = path.join(BUILD_DIR, 'main/utility.cjs');
const LOCAL_SERVER = path.join(BUILD_DIR, 'main/local-server.cjs');
const SERVER_CLI = path.join(BUILD_DIR, 'server/dist/cli.js');
const ICONS = path.join(BUILD_DIR, 'icons');

// A separate profile (tests, or a second account side by side): set before anything reads userData,
// so the single-instance lock and every file follow it.
if (process.env.SWITCHBOARD_USER_DATA) app.setPath('userData', process.env.SWITCHBOARD_USER_DATA);

// Before ready: the UI's scheme behaves like https (standard, secure, fetch), so CSP 'self' and
// relative URLs work as they do on the web.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
app.setAppLogsPath();

const logsDir = app.getPath('logs');
const userData = app.getPath('userData');
let log: Logger;
let mainWindow: BrowserWindow | null = null;
/** Deep links that arrived before the window could take them. */
const pendingLinks: string[] = [];
/** Checked links for the window, waiting while it loads (another account is coming on screen). */
const pendingTargets: DeepLinkTarget[] = [];
/** Where each account's window was (the address after #), to come back to it. */
const placeOf = new Map<string, string>();
/** Set once the app is quitting: closing the window then really closes it. */
let quitting = false;
/** Started at login: the first window waits in the tray until asked for. */
const hiddenAtStart = startsHidden(process.argv, process.platform, app);
// Kept referenced for the app's life: a collected Tray disappears from the panel.
let tray: Tray | null = null;
/** Every account's session core (app/servers.ts); set once the app is ready. */
let accounts: Servers<MessagePortMain> | null = null;

if (claimSingleInstance(app, { focus: () => focusWindow(), openLink: (url) => openLink(url) })) {
  const initialLink = deepLinkIn(process.argv);
  if (initialLink) pendingLinks.push(initialLink);
  void boot();
}
// Otherwise another instance has the lock and got our link; claimSingleInstance quit this one.

async function boot(): Promise<void> {
  log = await openFileLog(logsDir, 'main');
  process.on('uncaughtException', (err) =>
    log.fatal({ error: err.message, stack: err.stack }, 'uncaught exception in main'),
  );
  registerProtocolClient();
  await app.whenReady();
  start();
}

function registerProtocolClient(): void {
  // Packaged builds are registered by their installer too; this covers dev runs and portable ones.
  const ok = process.defaultApp
    ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [
        path.resolve(process.argv[1] ?? '.'),
      ])
    : app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  if (!ok) log.warn({}, `could not register as the handler of ${DEEP_LINK_SCHEME}:// links`);
}

function start(): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(RENDERER_DIR));
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(decidePermissionRequest(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    decidePermissionCheck(permission, requestingOrigin),
  );
  app.on('web-contents-created', (_event, contents) => guardContents(contents, openExternal));

  const settings = new DesktopSettingsFile(path.join(userData, 'desktop-settings.json'), log);
  const startAtLogin = new StartAtLogin({
    platform: process.platform,
    app,
    executable: process.env.APPIMAGE ?? process.execPath,
    autostartDir: path.join(
      process.env.XDG_CONFIG_HOME ?? path.join(app.getPath('home'), '.config'),
      'autostart',
    ),
    appName: PRODUCT_NAME,
  });
  const loginState = () => ({ on: startAtLogin.isOn(), supported: startAtLogin.supported });
  const attention = startAttention(
    () => servers,
    loginState,
    (on) => {
      startAtLogin.set(on);
      attention.tray.refresh();
    },
  );
  const servers = new Servers<MessagePortMain>({
    store: {
      load: () => settings.value.servers ?? null,
      save: (list) => void settings.update({ servers: list }),
    },
    createHost: (account) => {
      const files = accountFiles(userData, account);
      return new CoreHost<MessagePortMain>({
        launch: () =>
          utilityProcess.fork(UTILITY, [], {
            serviceName: 'Switchboard session',
            stdio: 'ignore',
          }) as unknown as CoreChild<MessagePortMain>,
        createChannel: () => new MessageChannelMain(),
        secrets: new SafeStorageSecrets(files.token, safeStorage, log),
        dataDir: files.dataDir,
        logsDir,
        log,
      });
    },
    createNotifier: (actions, source) =>
      new Notifier({
        create: (options) => new Notification(options) as unknown as NotificationLike,
        platform: process.platform,
        icon: path.join(ICONS, 'app.png'),
        actions,
        source,
        log,
      }),
    window: { show: () => focusWindow(), follow: (target) => followTarget(target), openExternal },
    newId: () => randomUUID(),
    forget: (account) => forgetAccountFiles(userData, account),
    onTotals: (totals) => {
      attention.tray.update(totals);
      attention.badge.update(totals);
    },
    onList: (list) => mainWindow?.webContents.send(IPC.serversChanged, list),
    onSwitch: (from, to) => {
      if (!mainWindow) return;
      placeOf.set(from, new URL(mainWindow.webContents.getURL()).hash);
      void mainWindow.loadURL(`${APP_ENTRY}${placeOf.get(to) ?? ''}`);
    },
    log,
  });
  accounts = servers;
  servers.start();
  const local = startLocalServer(settings, servers);

  powerMonitor.on('suspend', () => servers.power('suspend'));
  powerMonitor.on('resume', () => servers.power('resume'));
  powerMonitor.on('unlock-screen', () => servers.power('unlock-screen'));

  const router = new IpcRouter(ipcMain as unknown as IpcMainLike, log);
  router.handle(IPC.appInfo, (): AppInfo => ({
    appVersion: app.getVersion(),
    electronVersion: process.versions.electron,
    chromeVersion: process.versions.chrome,
    platform: process.platform,
    secretStorage: secretStorageKind(safeStorage, process.platform),
    logsDir,
    server: servers.active.state.server,
  }));
  router.on(IPC.restartCore, () => servers.active.restart());
  router.on(IPC.openLogs, () => void shell.openPath(logsDir));
  router.on(IPC.rendererError, ([message, stack]) => log.error({ stack }, `renderer: ${message}`));
  router.on(IPC.network, ([online]) => servers.network(online));
  routeServers(router, servers, local, settings);
  router.handle(IPC.desktopSettings, (): DesktopSettings => {
    const { on, supported } = loginState();
    return { startAtLogin: on, startAtLoginSupported: supported };
  });
  router.on(IPC.setStartAtLogin, ([on]) => {
    startAtLogin.set(on);
    attention.tray.refresh();
  });

  const showAbout = () =>
    void dialog.showMessageBox({
      type: 'info',
      title: `About ${PRODUCT_NAME}`,
      message: PRODUCT_NAME,
      detail: aboutText({
        app: app.getVersion(),
        electron: process.versions.electron,
        chrome: process.versions.chrome,
        node: process.versions.node,
        server: servers.active.state.server,
      }),
    });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        process.platform,
        PRODUCT_NAME,
        { about: showAbout, openLogs: () => void shell.openPath(logsDir) },
        {
          devTools: !app.isPackaged,
        },
      ),
    ),
  );

  mainWindow = createWindow(servers, settings, !hiddenAtStart);
  app.on('activate', () => {
    // macOS: clicking the dock icon with no window open opens one.
    if (!mainWindow) mainWindow = createWindow(servers, settings, true);
    else focusWindow();
  });
  app.on('window-all-closed', () => {
    // Closing the window keeps the app in the tray; this happens only while quitting.
    if (process.platform !== 'darwin') app.quit();
  });
  // Installing an update closes every window before before-quit (Electron's autoUpdater on macOS;
  // electron-updater emits the same event elsewhere): then the window must close, not hide to the
  // tray, or the update waits for a quit that never comes.
  nativeAutoUpdater.on('before-quit-for-update', () => {
    quitting = true;
  });
  let shuttingDown = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (shuttingDown) return;
    shuttingDown = true;
    event.preventDefault();
    // The cores first (their last writes may go to the local server), then the server itself.
    void servers
      .shutdown()
      .then(() => local.stop())
      .finally(() => app.quit());
  });
  startUpdates();
}

/** The tray and the badge (app/tray.ts, app/badge.ts), fed with every account's totals. */
function startAttention(
  servers: () => Pick<Servers<MessagePortMain>, 'setDnd'>,
  loginState: () => { on: boolean; supported: boolean },
  setStartAtLogin: (on: boolean) => void,
) {
  const icon = (file: string) => path.join(ICONS, file);
  tray = new Tray(icon(process.platform === 'darwin' ? 'trayTemplate.png' : 'tray-normal-on-dark.png'));
  const trayController = new TrayController({
    tray: tray as unknown as TrayLike,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    platform: process.platform,
    imagePath: icon,
    // Windows' taskbar follows the system theme, not the app's; Linux panels are mostly dark.
    panelIsDark: () =>
      process.platform === 'win32'
        ? nativeTheme.shouldUseDarkColorsForSystemIntegratedUI
        : process.platform === 'linux' || nativeTheme.shouldUseDarkColors,
    startAtLogin: loginState,
    actions: {
      open: () => focusWindow(),
      dnd: (choice) => setDndFromTray(servers(), () => Date.now())(choice),
      startAtLogin: setStartAtLogin,
      quit: () => app.quit(),
    },
    timers: systemTimers,
  });
  nativeTheme.on('updated', () => trayController.refresh());
  const badge = new BadgeController(process.platform, {
    setDockBadge: (text) => app.dock?.setBadge(text),
    setOverlayIcon: (file, description) =>
      mainWindow?.setOverlayIcon(file ? nativeImage.createFromPath(icon(file)) : null, description),
    setBadgeCount: (count) => app.setBadgeCount(count),
  });
  return { tray: trayController, badge };
}

/**
 * The server on this computer (local/local-server.ts) in a utility process of its own, started with
 * the app once it has been set up; the cores signed in there follow it when it changes port.
 */
function startLocalServer(settings: DesktopSettingsFile, servers: Servers<MessagePortMain>): LocalServer {
  const serverLog = openFileLog(logsDir, 'local-server');
  const local = new LocalServer({
    launch: () =>
      utilityProcess.fork(LOCAL_SERVER, [], {
        serviceName: 'Switchboard server',
        stdio: 'pipe',
      }) as unknown as ServerProcess,
    cli: SERVER_CLI,
    dataDir: path.join(userData, 'local-server'),
    config: {
      load: () => settings.value.localServer,
      save: (config) => void settings.update({ localServer: { ...settings.value.localServer, ...config } }),
    },
    output: (line) => void serverLog.then((out) => out.info(line)),
    log,
  });
  local.onMoved((from, to) => servers.serverMoved(from, to));
  local.onChange((info) => mainWindow?.webContents.send(IPC.localServerChanged, info));
  if (settings.value.localServer.hosting)
    local.start().catch((err: Error) => log.error({ error: err.message }, 'the local server did not start'));
  return local;
}

/** The server list's and the local server's requests from the window. */
function routeServers(
  router: IpcRouter,
  servers: Servers<MessagePortMain>,
  local: LocalServer,
  settings: DesktopSettingsFile,
): void {
  router.handle(IPC.servers, () => servers.list());
  router.on(IPC.switchServer, ([id]) => servers.activate(id));
  router.on(IPC.addServer, () => void servers.add());
  router.on(IPC.removeServer, ([id]) => servers.remove(id));
  router.handle(IPC.localServer, () => local.state);
  router.handle(IPC.hostLocalServer, async () => {
    if (servers.active.state.server.url)
      throw new SwitchboardError('conflict', 'this account is on a server already: add a server first');
    const hosting = await local.setup();
    settings.update({ localServer: { ...settings.value.localServer, hosting: true } });
    servers.markActiveLocal();
    return hosting;
  });
  router.handle(IPC.setLocalServerLan, ([on]) => local.setLan(on));
  router.handle(IPC.localServerInvite, ([admin]) => local.invite(admin));
  router.handle(IPC.backupLocalServer, async () => {
    const { canceled, filePath } = await dialog.showSaveDialog({
      title: 'Back up the server on this computer',
      defaultPath: `switchboard-${new Date().toISOString().slice(0, 10)}.db`,
    });
    if (canceled || !filePath) return null;
    await local.backup(filePath);
    return filePath;
  });
  router.handle(IPC.restoreLocalServer, async () => {
    const { canceled, filePaths } = await dialog.showOpenDialog({
      title: 'Restore the server on this computer from a backup',
      properties: ['openFile'],
    });
    const file = filePaths[0];
    if (canceled || !file) return null;
    await local.restore(file);
    return file;
  });
}

/** Tells the person, once, that closing the window left the app running in the tray. */
function showTrayNotice(): void {
  const where = process.platform === 'darwin' ? 'the menu bar' : 'the tray';
  const body = `${PRODUCT_NAME} keeps running in ${where} and notifies you of new messages. Quit it from there.`;
  if (Notification.isSupported())
    new Notification({ title: `${PRODUCT_NAME} is still running`, body }).show();
  else
    void dialog.showMessageBox({ type: 'info', message: `${PRODUCT_NAME} is still running`, detail: body });
}

function createWindow(
  host: Servers<MessagePortMain>,
  settings: DesktopSettingsFile,
  showWhenReady: boolean,
): BrowserWindow {
  const stateFile = path.join(userData, 'window-state.json');
  const saved = parseWindowState(readText(stateFile), (reason) => log.warn({}, reason));
  const primary = screen.getPrimaryDisplay().workArea;
  const bounds = placeWindow(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
    primary,
  );
  const window = new BrowserWindow({
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: PRODUCT_NAME,
    webPreferences: {
      preload: PRELOAD,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  });
  if (bounds.maximized) window.maximize();
  window.once('ready-to-show', () => {
    if (showWhenReady) window.show();
  });
  // A conversation is on screen only while the window is shown and focused.
  const reportFocus = () => host.setWindowFocused(window.isVisible() && window.isFocused());
  window.on('focus', reportFocus);
  window.on('blur', reportFocus);
  window.on('show', reportFocus);
  window.on('hide', reportFocus);
  window.on('minimize', reportFocus);
  window.on('restore', reportFocus);

  const id = window.webContents.id;
  const target = {
    id,
    sendPort: (port: MessagePortMain) => window.webContents.postMessage(IPC.sessionPort, null, [port]),
    sendStatus: (status: CoreStatus) => window.webContents.send(IPC.coreStatus, status),
  };
  // Every load (the first, a reload) gets a port of its own; the old one closed with the old page.
  window.webContents.on('did-finish-load', () => {
    host.attachWindow(target);
    window.webContents.send(IPC.serversChanged, host.list());
    for (const link of pendingLinks.splice(0)) openLink(link);
    for (const link of pendingTargets.splice(0)) followTarget(link);
  });
  window.webContents.on('render-process-gone', (_event, details) =>
    log.error({ reason: details.reason, exitCode: details.exitCode }, 'the window’s renderer stopped'),
  );
  window.on('close', (event) => {
    const state: WindowState = { ...window.getNormalBounds(), maximized: window.isMaximized() };
    writeText(stateFile, JSON.stringify(state), log);
    const decision = closeToTray(quitting, settings.value.closeNoticeShown);
    if (!decision.keep) return;
    event.preventDefault();
    window.hide();
    if (decision.notice) {
      settings.update({ closeNoticeShown: true });
      showTrayNotice();
    }
  });
  window.on('closed', () => {
    host.setWindowFocused(false);
    host.detachWindow(id);
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(APP_ENTRY);
  return window;
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function openLink(url: string): void {
  if (!mainWindow || mainWindow.webContents.isLoading()) return void pendingLinks.push(url);
  const parsed = parseDeepLink(url);
  if (!parsed.ok) return log.warn({ reason: parsed.reason }, 'ignored a switchboard:// link');
  // The account on the link's server comes on screen (the window loads it if it was another).
  accounts?.accountFor(parsed.target);
  focusWindow();
  followTarget(parsed.target);
}

/** Hands the window a checked link (from switchboard://, or a notification's click). */
function followTarget(target: DeepLinkTarget): void {
  if (!mainWindow || mainWindow.webContents.isLoading()) return void pendingTargets.push(target);
  mainWindow.webContents.send(IPC.deepLink, target);
}

function openExternal(url: string): void {
  if (isExternalAllowed(url)) void shell.openExternal(url);
}

function startUpdates(): void {
  const resources = process.resourcesPath;
  const policy = updatePolicy({
    packaged: app.isPackaged,
    feedConfigured: fs.existsSync(path.join(resources, 'app-update.yml')),
    packageType: readText(path.join(resources, 'package-type'))?.trim() ?? null,
    disabledByEnv: Boolean(process.env.SWITCHBOARD_DISABLE_UPDATES),
  });
  if (policy.mode === 'off') return log.info({ reason: policy.reason }, 'updates are off');
  runUpdates(autoUpdater, policy, {
    timers: systemTimers,
    log,
    prompts: {
      offerRestart: (version) =>
        confirm(
          `${PRODUCT_NAME} ${version} is ready`,
          'Restart to update now, or it installs when you quit.',
          'Restart to update',
          'Later',
        ),
      notify: (version, url) =>
        void confirm(
          `${PRODUCT_NAME} ${version} is available`,
          'Your package manager installs it, or download it from the releases page.',
          'Open releases page',
          'Close',
        ).then((open) => {
          if (open) openExternal(url);
        }),
    },
  });
}

/** A two-button message box; resolves true for the first button. */
async function confirm(message: string, detail: string, yes: string, no: string): Promise<boolean> {
  const { response } = await dialog.showMessageBox({
    type: 'info',
    message,
    detail,
    buttons: [yes, no],
    defaultId: 0,
    cancelId: 1,
  });
  return response === 0;
}
