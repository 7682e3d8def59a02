// Start at login (off until the person turns it on), in the tray rather than with a window: on macOS
// and Windows through Electron's login items (Windows passes --hidden; macOS says it opened the app at
// login), on Linux through an XDG autostart entry that passes --hidden.
import fs from 'node:fs';
import path from 'node:path';

export const HIDDEN_FLAG = '--hidden';

/** Electron's app, as far as login items go. */
export interface LoginItemApp {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** What the autostart entry runs on Linux: the AppImage, or the installed binary. */
  executable: string;
  /** ~/.config/autostart (XDG_CONFIG_HOME/autostart). */
  autostartDir: string;
  appName: string;
}

export class StartAtLogin {
  constructor(private readonly options: StartAtLoginOptions) {}

  get supported(): boolean {
    return ['darwin', 'win32', 'linux'].includes(this.options.platform);
  }

  private get desktopFile(): string {
    return path.join(this.options.autostartDir, `${this.options.appName.toLowerCase()}.desktop`);
  }

  isOn(): boolean {
    const { platform, app } = this.options;
    if (platform === 'linux') return fs.existsSync(this.desktopFile);
    return app.getLoginItemSettings(platform === 'win32' ? { args: [HIDDEN_FLAG] } : undefined).openAtLogin;
  }

  set(on: boolean): void {
    const { platform, app, executable, appName } = this.options;
    if (platform === 'win32') return app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_FLAG] });
    if (platform !== 'linux') return app.setLoginItemSettings({ openAtLogin: on });
    if (!on) return fs.rmSync(this.desktopFile, { force: true });
    fs.mkdirSync(this.options.autostartDir, { recursive: true });
    const quoted = `"${executable.replace(/(["\\`$])/g, '\\$1')}"`;
    fs.writeFileSync(
      this.desktopFile,
      [
        '[Desktop Entry]',
        'Type=Application',
        `Name=${appName}`,
        `Exec=${quoted} ${HIDDEN_FLAG}`,
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  }
}

/** Whether this start should stay in the tray: started at login (or asked to with --hidden). */
export function startsHidden(argv: readonly string[], platform: NodeJS.Platform, app: LoginItemApp): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}
