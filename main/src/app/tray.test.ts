import { describe, expect, it } from 'vitest';
import { FakeTray, ManualTimers } from '../testing/fakes.ts';
import {
  closeToTray,
  trayImage,
  trayState,
  trayTooltip,
  TrayController,
  type Attention,
  type TrayMenuActions,
} from './tray.ts';

const attention = (unread: number, mentions: number, dnd: Attention['dnd'] = null): Attention => ({
  unread,
  mentions,
  dnd,
});

describe('tray state, tooltip and image', () => {
  it.each([
    [attention(0, 0), 'normal', 'Switchboard'],
    [attention(3, 0), 'unread', 'Switchboard: 3 unread'],
    [attention(5, 2), 'mention', 'Switchboard: 5 unread, 2 for you'],
    [attention(1, 1), 'mention', 'Switchboard: 1 unread, 1 for you'],
  ] as const)('%j → %s, "%s"', (counts, state, tooltip) => {
    expect(trayState(counts)).toBe(state);
    expect(trayTooltip(counts, 0)).toBe(tooltip);
  });

  it('says in the tooltip while do not disturb is on', () => {
    const now = new Date(2026, 0, 15, 12, 0).getTime();
    expect(trayTooltip(attention(2, 0, { until: null }), now)).toBe(
      'Switchboard: 2 unread\nDo not disturb until turned off',
    );
    // In this computer's own way of writing a time.
    const one = new Date(now + 3_600_000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    expect(trayTooltip(attention(0, 0, { until: now + 3_600_000 }), now)).toBe(
      `Switchboard\nDo not disturb until ${one}`,
    );
    const days = now + 3 * 24 * 3_600_000;
    expect(trayTooltip(attention(0, 0, { until: days }), now)).toContain(
      new Date(days).toLocaleDateString([], { weekday: 'short' }),
    );
    expect(trayTooltip(attention(0, 0, { until: now - 1 }), now)).toBe('Switchboard');
  });

  it.each([
    ['darwin', 'normal', false, 'trayTemplate.png'],
    ['darwin', 'normal', true, 'trayTemplate.png'],
    ['darwin', 'mention', true, 'tray-mention-on-dark.png'],
    ['win32', 'unread', false, 'tray-unread-on-light.png'],
    ['win32', 'normal', true, 'tray-normal-on-dark.png'],
    ['linux', 'mention', true, 'tray-mention-on-dark-24.png'],
    ['linux', 'normal', false, 'tray-normal-on-light-24.png'],
  ] as const)('%s, %s, dark panel %s → %s', (platform, state, dark, file) => {
    expect(trayImage(platform, state, dark)).toBe(file);
  });
});

function controller(platform: NodeJS.Platform = 'win32') {
  const tray = new FakeTray();
  const timers = new ManualTimers();
  const calls: string[] = [];
  let dark = false;
  let login = { on: false, supported: true };
  const actions: TrayMenuActions = {
    open: () => void calls.push('open'),
    dnd: (choice) => void calls.push(`dnd:${choice}`),
    startAtLogin: (on) => void calls.push(`login:${on}`),
    quit: () => void calls.push('quit'),
  };
  const control = new TrayController({
    tray,
    buildMenu: (template) => template,
    platform,
    imagePath: (file) => `/icons/${file}`,
    panelIsDark: () => dark,
    startAtLogin: () => login,
    actions,
    timers,
  });
  return {
    tray,
    timers,
    calls,
    control,
    setDark: (value: boolean) => (dark = value),
    setLogin: (value: typeof login) => (login = value),
  };
}

describe('TrayController', () => {
  it('follows the totals: image and tooltip change with the state', () => {
    const { tray, control } = controller('win32');
    expect(tray.image).toBe('/icons/tray-normal-on-light.png');
    control.update(attention(4, 0));
    expect(tray.image).toBe('/icons/tray-unread-on-light.png');
    expect(tray.toolTip).toBe('Switchboard: 4 unread');
    control.update(attention(4, 1));
    expect(tray.image).toBe('/icons/tray-mention-on-light.png');
    control.update(attention(4, 1));
    expect(tray.images).toHaveLength(3);
    control.update(attention(0, 0));
    expect(tray.image).toBe('/icons/tray-normal-on-light.png');
  });

  it('takes the dark variant when the panel turns dark', () => {
    const { tray, control, setDark } = controller('linux');
    control.update(attention(1, 0));
    setDark(true);
    control.refresh();
    expect(tray.image).toBe('/icons/tray-unread-on-dark-24.png');
  });

  it('a left click and "Open Switchboard" open the window; Quit quits', () => {
    const { tray, calls } = controller();
    tray.emit('click', {}, {});
    tray.choose('Open Switchboard');
    tray.choose('Quit Switchboard');
    expect(calls).toEqual(['open', 'open', 'quit']);
  });

  it('offers do not disturb for an hour, until tomorrow, or until turned off, and turning it off', () => {
    const { tray, calls, control, timers } = controller();
    expect(tray.item('Turn off').enabled).toBe(false);
    tray.choose('For 1 hour');
    tray.choose('Until tomorrow');
    tray.choose('Until I turn it off');
    expect(calls).toEqual(['dnd:hour', 'dnd:tomorrow', 'dnd:off']);
    // The core reports it on (stored with the account): the menu says until when, and can end it.
    control.update(attention(0, 0, { until: timers.now() + 60_000 }));
    expect(tray.menu[2]!.label).toMatch(/^Do not disturb until /);
    expect(tray.item('Turn off').enabled).toBe(true);
    tray.choose('Turn off');
    expect(calls.at(-1)).toBe('dnd:null');
    // When it ends by itself, the menu and tooltip say so without being told.
    timers.advance(60_000);
    expect(tray.menu[2]!.label).toBe('Do not disturb');
    expect(tray.toolTip).toBe('Switchboard');
  });

  it('shows and flips start at login', () => {
    const { tray, calls, control, setLogin } = controller();
    expect(tray.item('Start at login')).toMatchObject({ type: 'checkbox', checked: false, enabled: true });
    tray.choose('Start at login');
    expect(calls).toEqual(['login:true']);
    setLogin({ on: true, supported: true });
    control.refresh();
    expect(tray.item('Start at login').checked).toBe(true);
    tray.choose('Start at login');
    expect(calls).toEqual(['login:true', 'login:false']);
  });
});

describe('closing the window', () => {
  it('keeps the app in the tray unless it is quitting, with a notice the first time', () => {
    expect(closeToTray(false, false)).toEqual({ keep: true, notice: true });
    expect(closeToTray(false, true)).toEqual({ keep: true, notice: false });
    expect(closeToTray(true, false)).toEqual({ keep: false, notice: false });
  });
});
