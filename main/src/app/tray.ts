// The tray icon: its state (normal, unread, mention) and tooltip from the core's totals, the image for
// the OS and its panel's colour, and its menu — Open Switchboard, Do not disturb (for an hour, until
// tomorrow, until turned off, off), Start at login, Quit. A left click opens the window. Closing the
// window keeps the app here (closeToTray), with a notice the first time.
import type { MenuItemConstructorOptions } from 'electron';
import { dndActive, type DndChoice } from '@switchboard/client/node';
import type { DoNotDisturb } from '@switchboard/protocol';
import type { Timers } from '../core/supervisor.ts';

/** What the core reports for the tray and the badge. */
export interface Attention {
  unread: number;
  /** Mentions and direct messages. */
  mentions: number;
  dnd: DoNotDisturb | null;
  /** Each server's own counts, when the app holds accounts on several. */
  servers?: { name: string; unread: number; mentions: number }[];
}

export const NO_ATTENTION: Attention = { unread: 0, mentions: 0, dnd: null };

export type TrayState = 'normal' | 'unread' | 'mention';

export function trayState({ unread, mentions }: Attention): TrayState {
  return mentions > 0 ? 'mention' : unread > 0 ? 'unread' : 'normal';
}

/** Whether do-not-disturb is on at `now`. */
export const dndOn = (attention: Attention, now: number): boolean =>
  dndActive({ dnd: attention.dnd ?? undefined }, now);

const clockTime = (at: number, now: number): string => {
  const time = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at - now < 20 * 60 * 60 * 1000
    ? time
    : `${new Date(at).toLocaleDateString([], { weekday: 'short' })} ${time}`;
};

/** "Do not disturb until 15:30", "… until turned off", or null when it is off. */
export function dndStatus(attention: Attention, now: number): string | null {
  if (!dndOn(attention, now)) return null;
  const until = attention.dnd?.until;
  return until === null || until === undefined
    ? 'Do not disturb until turned off'
    : `Do not disturb until ${clockTime(until, now)}`;
}

const countsText = ({ unread, mentions }: { unread: number; mentions: number }): string =>
  [unread > 0 ? `${unread} unread` : null, mentions > 0 ? `${mentions} for you` : null]
    .filter(Boolean)
    .join(', ');

/** The totals, then — with accounts on several servers — each server's own, then do not disturb. */
export function trayTooltip(attention: Attention, now: number, appName = 'Switchboard'): string {
  const counts = countsText(attention);
  const servers =
    (attention.servers?.length ?? 0) > 1
      ? attention.servers!.map((s) => `${s.name}: ${countsText(s) || 'nothing new'}`)
      : [];
  const dnd = dndStatus(attention, now);
  return [counts ? `${appName}: ${counts}` : appName, ...servers, dnd].filter(Boolean).join('\n');
}

/**
 * The image for the state: macOS shows its normal state as a template (the menu bar colours it);
 * `onDark` picks the light glyph for a dark panel. Windows and macOS load the @2x beside it on
 * high-density screens; Linux panels get 24 px.
 */
export function trayImage(platform: NodeJS.Platform, state: TrayState, onDark: boolean): string {
  if (platform === 'darwin' && state === 'normal') return 'trayTemplate.png';
  const name = `tray-${state}-${onDark ? 'on-dark' : 'on-light'}`;
  return platform === 'linux' ? `${name}-24.png` : `${name}.png`;
}

export interface TrayMenuActions {
  open(): void;
  /** A do-not-disturb choice, or null to turn it off. */
  dnd(choice: DndChoice | null): void;
  startAtLogin(on: boolean): void;
  quit(): void;
}

export interface TrayMenuState {
  attention: Attention;
  now: number;
  startAtLogin: { on: boolean; supported: boolean };
  appName?: string;
}

export function trayMenu(state: TrayMenuState, actions: TrayMenuActions): MenuItemConstructorOptions[] {
  const appName = state.appName ?? 'Switchboard';
  const dnd = dndStatus(state.attention, state.now);
  return [
    { label: `Open ${appName}`, click: () => actions.open() },
    { type: 'separator' },
    {
      label: dnd ?? 'Do not disturb',
      submenu: [
        { label: 'For 1 hour', click: () => actions.dnd('hour') },
        { label: 'Until tomorrow', click: () => actions.dnd('tomorrow') },
        { label: 'Until I turn it off', click: () => actions.dnd('off') },
        { type: 'separator' },
        { label: 'Turn off', enabled: dnd !== null, click: () => actions.dnd(null) },
      ],
    },
    {
      label: 'Start at login',
      type: 'checkbox',
      checked: state.startAtLogin.on,
      enabled: state.startAtLogin.supported,
      click: () => actions.startAtLogin(!state.startAtLogin.on),
    },
    { type: 'separator' },
    { label: `Quit ${appName}`, click: () => actions.quit() },
  ];
}

/** Electron's Tray, as used here. */
export interface TrayLike {
  setImage(image: string): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface TrayControllerOptions {
  tray: TrayLike;
  /** Menu.buildFromTemplate in the app. */
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
  platform: NodeJS.Platform;
  /** Full path of an image file in the app's icons folder. */
  imagePath(file: string): string;
  /** Whether the panel the icon sits in is dark (nativeTheme). */
  panelIsDark(): boolean;
  startAtLogin(): { on: boolean; supported: boolean };
  actions: TrayMenuActions;
  timers: Timers;
}

export class TrayController {
  private attention = NO_ATTENTION;
  private shown = { image: '', tooltip: '' };
  private expiry: unknown = null;

  constructor(private readonly options: TrayControllerOptions) {
    options.tray.on('click', () => options.actions.open());
    this.refresh();
  }

  update(attention: Attention): void {
    this.attention = attention;
    this.refresh();
  }

  /** Draws the current state; also after the theme or the start-at-login setting changed. */
  refresh(): void {
    const { tray, timers, platform } = this.options;
    const now = timers.now();
    const image = this.options.imagePath(
      trayImage(platform, trayState(this.attention), this.options.panelIsDark()),
    );
    if (image !== this.shown.image) tray.setImage(image);
    const tooltip = trayTooltip(this.attention, now);
    if (tooltip !== this.shown.tooltip) tray.setToolTip(tooltip);
    this.shown = { image, tooltip };
    tray.setContextMenu(
      this.options.buildMenu(
        trayMenu(
          { attention: this.attention, now, startAtLogin: this.options.startAtLogin() },
          this.options.actions,
        ),
      ),
    );
    // Do not disturb that ends by itself: the menu and tooltip say so when it does.
    if (this.expiry !== null) timers.clearTimeout(this.expiry);
    this.expiry = null;
    const until = this.attention.dnd?.until;
    if (typeof until === 'number' && until > now)
      this.expiry = timers.setTimeout(() => this.refresh(), Math.min(until - now, 2 ** 31 - 1));
  }
}

/** When the window closes but the app is not quitting: hide it to the tray, telling the person once. */
export function closeToTray(quitting: boolean, noticeShown: boolean): { keep: boolean; notice: boolean } {
  return quitting ? { keep: false, notice: false } : { keep: true, notice: !noticeShown };
}
