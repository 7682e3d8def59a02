// Fakes of the Electron objects main's logic talks to, shaped like the real ones (event names and
// argument order from electron.d.ts): a UtilityProcess, MessagePortMain pairs, a manual clock, a
// Notification and a Tray; and main's real tray and badge controllers over them.
// For tests only.
import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions } from 'electron';
import { BadgeController } from '../app/badge.ts';
import type { NotificationOptions } from '../app/notifier.ts';
import { TrayController, type Attention, type TrayMenuActions } from '../app/tray.ts';
import type { CoreChild } from '../core/core-host.ts';
import type { Timers } from '../core/supervisor.ts';
import type { ToUtility } from '../shared/control.ts';
import type { Log } from '../shared/log.ts';

/** Time that moves only when the test says so. */
export class ManualTimers implements Timers {
  private time = 1_000_000;
  private readonly pending = new Map<number, { at: number; run: () => void }>();
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Moves time forward, running what falls due, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
    }
    this.time = until;
  }
  get waiting(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

/** A MessagePortMain stand-in: records what is posted to it. */
export class FakePort extends EventEmitter {
  static created = 0;
  readonly serial = ++FakePort.created;
  readonly posted: unknown[] = [];
  started = false;
  closed = false;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
}

export const fakeChannel = () => ({ port1: new FakePort(), port2: new FakePort() });

/** UtilityProcess as utilityProcess.fork returns it: an EventEmitter with pid, postMessage, kill. */
export class FakeUtility extends EventEmitter implements CoreChild<FakePort> {
  static nextPid = 4000;
  pid: number | undefined = FakeUtility.nextPid++;
  readonly received: { message: ToUtility; transfer: FakePort[] }[] = [];
  killed = false;
  postMessage(message: ToUtility, transfer: FakePort[] = []): void {
    this.received.push({ message, transfer });
  }
  kill(): boolean {
    this.killed = true;
    this.exit(143);
    return true;
  }
  /** The process ends (Electron emits `exit` with its code; pid is undefined afterwards). */
  exit(code: number): void {
    if (this.pid === undefined) return;
    this.pid = undefined;
    this.emit('exit', code);
  }
  /** A message from the child, as `process.parentPort.postMessage` would send it. */
  say(message: unknown): void {
    this.emit('message', message);
  }
  types(): string[] {
    return this.received.map((r) => r.message.type);
  }
}

export class RecordingLog implements Log {
  readonly lines: { level: 'info' | 'warn' | 'error'; message: string; details: Record<string, unknown> }[] =
    [];
  info(details: object, message: string): void {
    this.lines.push({ level: 'info', message, details: details as Record<string, unknown> });
  }
  warn(details: object, message: string): void {
    this.lines.push({ level: 'warn', message, details: details as Record<string, unknown> });
  }
  error(details: object, message: string): void {
    this.lines.push({ level: 'error', message, details: details as Record<string, unknown> });
  }
  messages(level?: 'info' | 'warn' | 'error'): string[] {
    return this.lines.filter((l) => !level || l.level === level).map((l) => l.message);
  }
}

/**
 * Electron's Notification: options at construction, nothing shown until show(), events `click`,
 * `reply` (details with `reply`, then the deprecated text argument), `action` (details with
 * `actionIndex`, then the deprecated index), `close` (details with its `reason` on Windows).
 * close() dismisses it (and, as on Windows, reports `close`).
 */
export class FakeNotification extends EventEmitter {
  static made: FakeNotification[] = [];
  shown = false;
  closed = false;
  constructor(readonly options: NotificationOptions) {
    super();
    FakeNotification.made.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', { reason: 'applicationHidden' });
  }
  /** What the OS reports when the person acts on it. */
  click(): void {
    this.emit('click', {});
  }
  reply(text: string): void {
    this.emit('reply', { reply: text }, text);
  }
  action(index: number): void {
    this.emit('action', { actionIndex: index, selectionIndex: -1 }, index, -1);
  }
  /** Dismissed by the person (no close() call). */
  dismiss(): void {
    this.emit('close', { reason: 'userCanceled' });
  }
  /** Windows: the toast timed out and went to the Action Center, where it can still be clicked. */
  timeOut(): void {
    this.emit('close', { reason: 'timedOut' });
  }
}

/** Electron's Tray: an image, a tooltip, a context menu, and `click`. */
export class FakeTray extends EventEmitter {
  image = '';
  toolTip = '';
  menu: MenuItemConstructorOptions[] = [];
  readonly images: string[] = [];
  setImage(image: string): void {
    this.image = image;
    this.images.push(image);
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu as MenuItemConstructorOptions[];
  }
  /** The menu item with this label (in submenus too). */
  item(label: string): MenuItemConstructorOptions {
    const find = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined =>
      items.reduce<MenuItemConstructorOptions | undefined>(
        (found, item) =>
          found ??
          (item.label === label
            ? item
            : Array.isArray(item.submenu)
              ? find(item.submenu as MenuItemConstructorOptions[])
              : undefined),
        undefined,
      );
    const item = find(this.menu);
    if (!item) throw new Error(`no menu item "${label}"`);
    return item;
  }
  /** Clicks a menu item as Electron would (checkbox items flip first). */
  choose(label: string): void {
    const item = this.item(label);
    (item.click as (() => void) | undefined)?.();
  }
}

/**
 * A launcher for CoreHost that starts a FakeUtility each time and keeps them all, newest last.
 */
export function fakeLauncher() {
  const children: FakeUtility[] = [];
  const launch = () => {
    const child = new FakeUtility();
    children.push(child);
    return child;
  };
  return { children, launch };
}

/**
 * Where main shows totals: the real TrayController over a FakeTray (`dnd` is its do-not-disturb
 * menu action) and the real BadgeController, keeping every badge text it set. `show` is what
 * main's totals handler does with new totals.
 */
export function fakeTotals(platform: NodeJS.Platform, timers: Timers, dnd: TrayMenuActions['dnd']) {
  const tray = new FakeTray();
  const trayController = new TrayController({
    tray,
    buildMenu: (template) => template,
    platform,
    imagePath: (file) => file,
    panelIsDark: () => false,
    startAtLogin: () => ({ on: false, supported: true }),
    actions: { open: () => {}, dnd, startAtLogin: () => {}, quit: () => {} },
    timers,
  });
  const badges: string[] = [];
  const badge = new BadgeController(platform, {
    setDockBadge: (text) => void badges.push(text),
    setOverlayIcon: () => {},
    setBadgeCount: () => true,
  });
  const show = (totals: Attention) => {
    trayController.update(totals);
    badge.update(totals);
  };
  return { tray, badges, show };
}

/** What the session core sends main for a direct message from Bob (a control-channel `notification`). */
export const directMessageNotification = (channelId: string, id: string) => ({
  id,
  channelId,
  conversation: 'Bob',
  reason: 'direct',
  messageId: id,
  seq: 7,
  lastSeq: 7,
  author: { id: 'bob', name: 'Bob' },
  preview: 'lunch?',
  hidden: false,
  summary: false,
  count: 1,
  silent: false,
  ts: 1,
});
