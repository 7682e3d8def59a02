// The application menu: the platform's usual roles (Edit, View with zoom, Window), Help with the
// logs folder, and About with the versions of the app, Electron and the connected server. It has no
// accelerators of its own beyond the roles', so the UI's shortcuts (Ctrl/Cmd+K, Alt+↑/↓, …) reach
// the page as they do in the browser.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  about(): void;
  openLogs(): void;
}

export function menuTemplate(
  platform: NodeJS.Platform,
  appName: string,
  actions: MenuActions,
  options: { devTools: boolean },
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: `About ${appName}`, click: actions.about };
  const template: MenuItemConstructorOptions[] = [];
  if (mac)
    template.push({
      label: appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  template.push(
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'pasteAndMatchStyle' },
        { role: 'delete' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Window',
      submenu: mac
        ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
        : [{ role: 'minimize' }, { role: 'close' }],
    },
    {
      role: 'help',
      submenu: [
        { label: 'Open logs folder', click: actions.openLogs },
        ...(mac ? [] : [{ type: 'separator' } as const, about]),
      ],
    },
  );
  return template;
}

/** The text of the About box. */
export function aboutText(versions: {
  app: string;
  electron: string;
  chrome: string;
  node: string;
  server: { url: string | null; version: string | null };
}): string {
  const server = versions.server.url
    ? `${versions.server.url} (version ${versions.server.version ?? 'unknown'})`
    : 'not connected';
  return [
    `Version ${versions.app}`,
    `Electron ${versions.electron}, Chromium ${versions.chrome}, Node.js ${versions.node}`,
    `Server: ${server}`,
  ].join('\n');
}
