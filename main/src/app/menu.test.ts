import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { aboutText, menuTemplate } from './menu.ts';

const roles = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...roles((item.submenu as MenuItemConstructorOptions[]) ?? []),
  ]);
const labels = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((item) => [
    ...(item.label ? [item.label] : []),
    ...labels((item.submenu as MenuItemConstructorOptions[]) ?? []),
  ]);

describe('application menu', () => {
  const actions = { about: () => {}, openLogs: () => {} };

  it('has the usual roles, zoom, and Help → Open logs folder on every platform', () => {
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      const template = menuTemplate(platform, 'Switchboard', actions, { devTools: false });
      expect(roles(template)).toEqual(
        expect.arrayContaining([
          'undo',
          'redo',
          'cut',
          'copy',
          'paste',
          'selectAll',
          'resetZoom',
          'zoomIn',
          'zoomOut',
          'togglefullscreen',
          'minimize',
        ]),
      );
      expect(labels(template)).toEqual(expect.arrayContaining(['Open logs folder', 'About Switchboard']));
      expect(roles(template)).not.toContain('toggleDevTools');
    }
    const mac = menuTemplate('darwin', 'Switchboard', actions, { devTools: true });
    expect(mac[0]!.label).toBe('Switchboard');
    expect(roles(mac)).toEqual(
      expect.arrayContaining(['hide', 'hideOthers', 'quit', 'front', 'toggleDevTools']),
    );
  });

  it('binds no key the UI uses itself (Ctrl/Cmd+K, Alt+arrows)', () => {
    const accelerators = (items: MenuItemConstructorOptions[]): string[] =>
      items.flatMap((item) => [
        ...(item.accelerator ? [String(item.accelerator)] : []),
        ...accelerators((item.submenu as MenuItemConstructorOptions[]) ?? []),
      ]);
    expect(accelerators(menuTemplate('linux', 'Switchboard', actions, { devTools: true }))).toEqual([]);
  });

  it('About names the versions of the app, Electron and the connected server', () => {
    const text = aboutText({
      app: '0.1.0',
      electron: '45.6.1',
      chrome: '142.0',
      node: '22.20.0',
      server: { url: 'https://chat.example.org', version: '0.3.0' },
    });
    expect(text).toContain('Version 0.1.0');
    expect(text).toContain('Electron 45.6.1');
    expect(text).toContain('https://chat.example.org (version 0.3.0)');
    expect(
      aboutText({ app: '1', electron: '2', chrome: '3', node: '4', server: { url: null, version: null } }),
    ).toContain('Server: not connected');
  });
});
