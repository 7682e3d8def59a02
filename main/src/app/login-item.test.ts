import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HIDDEN_FLAG, StartAtLogin, startsHidden, type LoginItemApp } from './login-item.ts';

function fakeApp(openAtLogin = false, wasOpenedAtLogin = false) {
  const set: { openAtLogin: boolean; args?: string[] }[] = [];
  const app: LoginItemApp = {
    getLoginItemSettings: () => ({ openAtLogin, wasOpenedAtLogin }),
    setLoginItemSettings: (settings) => {
      set.push(settings);
      openAtLogin = settings.openAtLogin;
    },
  };
  return { app, set };
}

const autostart = () =>
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-autostart-')), 'autostart');

describe('start at login', () => {
  it('is off until turned on', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const login = new StartAtLogin({
        platform,
        app: fakeApp().app,
        executable: '/x',
        autostartDir: autostart(),
        appName: 'Switchboard',
      });
      expect(login.isOn(), platform).toBe(false);
      expect(login.supported).toBe(true);
    }
  });

  it('macOS: a login item (the app starts hidden when it sees it was opened at login)', () => {
    const { app, set } = fakeApp();
    const login = new StartAtLogin({
      platform: 'darwin',
      app,
      executable: '/x',
      autostartDir: autostart(),
      appName: 'Switchboard',
    });
    login.set(true);
    expect(set).toEqual([{ openAtLogin: true }]);
    expect(login.isOn()).toBe(true);
    expect(startsHidden([], 'darwin', fakeApp(true, true).app)).toBe(true);
    expect(startsHidden([], 'darwin', fakeApp(true, false).app)).toBe(false);
  });

  it('Windows: a login item that passes --hidden', () => {
    const { app, set } = fakeApp();
    const login = new StartAtLogin({
      platform: 'win32',
      app,
      executable: 'C:\\x.exe',
      autostartDir: autostart(),
      appName: 'Switchboard',
    });
    login.set(true);
    login.set(false);
    expect(set).toEqual([
      { openAtLogin: true, args: [HIDDEN_FLAG] },
      { openAtLogin: false, args: [HIDDEN_FLAG] },
    ]);
    expect(startsHidden(['C:\\x.exe', HIDDEN_FLAG], 'win32', app)).toBe(true);
    expect(startsHidden(['C:\\x.exe'], 'win32', app)).toBe(false);
  });

  it('Linux: an XDG autostart entry that runs the app with --hidden', () => {
    const dir = autostart();
    const login = new StartAtLogin({
      platform: 'linux',
      app: fakeApp().app,
      executable: '/home/me/Apps/Switchboard "1".AppImage',
      autostartDir: dir,
      appName: 'Switchboard',
    });
    login.set(true);
    expect(login.isOn()).toBe(true);
    const entry = fs.readFileSync(path.join(dir, 'switchboard.desktop'), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/home/me/Apps/Switchboard \\"1\\".AppImage" --hidden');
    login.set(false);
    expect(login.isOn()).toBe(false);
    expect(fs.existsSync(path.join(dir, 'switchboard.desktop'))).toBe(false);
  });
});
