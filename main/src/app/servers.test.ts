// The server list with fakes of Electron's classes: every account's core (CoreHost over a fake
// utility process) runs at once; the window is handed to the active one; notifications from any of
// them name their server and a click brings that one on screen at the conversation; the tray and the
// badge add up all of them; deep links pick the right account; the list is kept between runs.
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeepLinkTarget, ServerSummary } from '@switchboard/protocol/desktop';
import { CoreHost } from '../core/core-host.ts';
import {
  fakeChannel,
  FakeNotification,
  FakePort,
  fakeTotals,
  FakeUtility,
  ManualTimers,
  directMessageNotification as notification,
  RecordingLog,
} from '../testing/fakes.ts';
import { setDndFromTray } from './attention.ts';
import { Notifier } from './notifier.ts';
import { FIRST_ACCOUNT, Servers, type ServerAccount, type ServerListState } from './servers.ts';

class FakeWindow {
  readonly ports: FakePort[] = [];
  constructor(readonly id = 1) {}
  sendPort(port: FakePort): void {
    this.ports.push(port);
  }
  sendStatus(): void {}
}

function app(saved: ServerListState | null = null) {
  const timers = new ManualTimers();
  const log = new RecordingLog();
  const children = new Map<string, FakeUtility[]>();
  const store = { state: saved, saves: 0 };
  const switches: [string, string][] = [];
  const followed: DeepLinkTarget[] = [];
  const forgotten: string[] = [];
  const lists: ServerSummary[][] = [];
  let shown = 0;
  let ids = 0;
  const { tray, badges, show } = fakeTotals('darwin', timers, (choice) =>
    setDndFromTray(servers, () => timers.now())(choice),
  );
  const servers: Servers<FakePort> = new Servers<FakePort>({
    store: {
      load: () => store.state,
      save: (state) => {
        store.state = structuredClone(state);
        store.saves++;
      },
    },
    createHost: (account: ServerAccount) =>
      new CoreHost<FakePort>({
        launch: () => {
          const child = new FakeUtility();
          children.set(account.id, [...(children.get(account.id) ?? []), child]);
          return child;
        },
        createChannel: fakeChannel,
        secrets: { load: () => null, save: () => {} },
        dataDir: `/data/${account.id}`,
        logsDir: '/logs',
        log,
        timers,
        shutdownTimeoutMs: 10,
      }),
    createNotifier: (actions, source) =>
      new Notifier({ create: (o) => new FakeNotification(o), platform: 'darwin', actions, source, log }),
    window: {
      show: () => void shown++,
      follow: (target) => void followed.push(target),
      openExternal: () => {},
    },
    newId: () => `account-${++ids}`,
    forget: (account) => void forgotten.push(account.id),
    onTotals: show,
    onList: (list) => void lists.push(list),
    onSwitch: (from, to) => void switches.push([from, to]),
    log,
  });
  servers.start();
  /** The utility process of an account (the latest one). */
  const child = (id: string) => children.get(id)!.at(-1)!;
  const signIn = (id: string, url: string) => child(id).say({ type: 'server', url, version: '1.0.0' });
  return {
    servers,
    store,
    switches,
    followed,
    forgotten,
    lists,
    tray,
    badges,
    timers,
    child,
    signIn,
    shown: () => shown,
  };
}

beforeEach(() => {
  FakeNotification.made.length = 0;
});

describe('several servers', () => {
  it('starts with one account where the app kept it before; a new one runs beside it and comes on screen', () => {
    const { servers, store, switches, child, signIn, lists } = app();
    expect(servers.list().map((s) => [s.id, s.name, s.active])).toEqual([
      [FIRST_ACCOUNT, 'New server', true],
    ]);
    signIn(FIRST_ACCOUNT, 'https://work.example.org');
    expect(lists.at(-1)!.map((s) => s.name)).toEqual(['work.example.org']);
    const window = new FakeWindow();
    servers.attachWindow(window);
    expect(window.ports).toHaveLength(1);

    const home = servers.add();
    expect(switches).toEqual([[FIRST_ACCOUNT, home]]);
    expect(store.state).toEqual({
      accounts: [
        { id: FIRST_ACCOUNT, local: false, url: 'https://work.example.org' },
        { id: home, local: false },
      ],
      active: home,
    });
    // The first core keeps running, out of the window's sight; the new one gets the window's next load.
    expect(child(FIRST_ACCOUNT).killed).toBe(false);
    expect(child(home).types()).toEqual(['start']);
    servers.attachWindow(window);
    expect(child(home).types()).toEqual(['start', 'attach']);
    expect(
      child(FIRST_ACCOUNT)
        .types()
        .filter((t) => t === 'attach'),
    ).toHaveLength(1);
  });

  it('only the core on screen has its conversation in front of the person', () => {
    const { servers, child } = app();
    const home = servers.add();
    servers.setWindowFocused(true);
    const focus = (id: string) =>
      child(id)
        .received.map((r) => r.message)
        .filter((m) => m.type === 'focus')
        .at(-1);
    expect(focus(home)).toBeUndefined(); // focused is what a core assumes
    expect(focus(FIRST_ACCOUNT)).toEqual({ type: 'focus', focused: false });
    servers.activate(FIRST_ACCOUNT);
    expect(focus(home)).toEqual({ type: 'focus', focused: false });
    expect(focus(FIRST_ACCOUNT)).toEqual({ type: 'focus', focused: true });
  });

  it('adds up the counts of every server in the tray and the badge, each named in the tooltip', () => {
    const { servers, child, signIn, tray, badges, lists } = app();
    const home = servers.add();
    signIn(FIRST_ACCOUNT, 'https://work.example.org');
    signIn(home, 'https://home.example.net:8443');
    child(FIRST_ACCOUNT).say({ type: 'attention', unread: 4, mentions: 0, dnd: null });
    child(home).say({ type: 'attention', unread: 2, mentions: 1, dnd: null });
    expect(tray.image).toBe('tray-mention-on-light.png');
    expect(tray.toolTip).toBe(
      'Switchboard: 6 unread, 1 for you\nwork.example.org: 4 unread\nhome.example.net:8443: 2 unread, 1 for you',
    );
    expect(badges.at(-1)).toBe('1');
    expect(lists.at(-1)!.map((s) => [s.name, s.unread, s.mentions, s.active])).toEqual([
      ['work.example.org', 4, 0, false],
      ['home.example.net:8443', 2, 1, true],
    ]);
    child(home).say({ type: 'attention', unread: 0, mentions: 0, dnd: null });
    expect(tray.image).toBe('tray-unread-on-light.png');
    expect(badges.at(-1)).toBe('•');
  });

  it('a notification names its server; its click brings that account on screen at the message', () => {
    const { servers, child, signIn, switches, followed, shown } = app();
    signIn(FIRST_ACCOUNT, 'https://work.example.org');
    child(FIRST_ACCOUNT).say({ type: 'notification', notification: notification('dm1', 'm1') });
    // One server: the title is the conversation only.
    expect(FakeNotification.made[0]!.options.title).toBe('Bob');
    const home = servers.add();
    signIn(home, 'https://home.example.net');
    child(FIRST_ACCOUNT).say({ type: 'notification', notification: notification('dm1', 'm2') });
    child(home).say({ type: 'notification', notification: notification('dm1', 'm3') });
    const [, work, homeOne] = FakeNotification.made;
    expect([work!.options.title, homeOne!.options.title]).toEqual([
      'Bob · work.example.org',
      'Bob · home.example.net',
    ]);
    // Same conversation id on two servers: two notifications, neither replaces the other.
    expect([work!.closed, homeOne!.closed]).toEqual([false, false]);
    work!.click();
    expect(switches.at(-1)).toEqual([home, FIRST_ACCOUNT]);
    expect(shown()).toBe(1);
    expect(followed).toEqual([
      { action: 'open', server: 'https://work.example.org', channel: 'dm1', message: 'm2' },
    ]);
    // A reply goes to the core of its own server.
    homeOne!.reply('on my way');
    expect(child(home).received.at(-1)!.message).toMatchObject({ type: 'reply', text: 'on my way' });
    expect(child(FIRST_ACCOUNT).types()).not.toContain('reply');
  });

  it('do not disturb from the tray silences every account', () => {
    const { servers, child, tray, timers } = app();
    const home = servers.add();
    child(home).say({ type: 'attention', unread: 1, mentions: 0, dnd: null });
    tray.choose('For 1 hour');
    const dnd = { type: 'dnd', dnd: { until: timers.now() + 3_600_000 } };
    expect(child(FIRST_ACCOUNT).received.at(-1)!.message).toEqual(dnd);
    expect(child(home).received.at(-1)!.message).toEqual(dnd);
  });

  it('a deep link goes to the account on its server, else one on no server yet, else a new one', () => {
    const { servers, signIn, switches } = app();
    signIn(FIRST_ACCOUNT, 'https://work.example.org');
    const home = servers.add();
    signIn(home, 'https://home.example.net');
    const open = (server: string): DeepLinkTarget => ({ action: 'open', server, channel: 'c1' });
    expect(servers.accountFor(open('https://work.example.org/'))).toBe(FIRST_ACCOUNT);
    expect(switches.at(-1)).toEqual([home, FIRST_ACCOUNT]);
    const third = servers.accountFor({ action: 'join', server: 'https://new.example.com', invite: 'inv_x' });
    expect(third).not.toBe(home);
    expect(servers.list().map((s) => s.id)).toEqual([FIRST_ACCOUNT, home, third]);
    // Not signed in anywhere yet: the next link for another server uses it instead of adding one.
    expect(servers.accountFor(open('https://other.example.com'))).toBe(third);
    expect(servers.list()).toHaveLength(3);
  });

  it('knows each account’s server from the start, before its core connects: names, and links at launch', () => {
    const first = app();
    first.signIn(FIRST_ACCOUNT, 'https://work.example.org');
    const home = first.servers.add();
    first.signIn(home, 'https://home.example.net');
    first.servers.activate(FIRST_ACCOUNT);

    // The next start: no core has connected yet (the app opened by a link, or offline).
    const { servers, switches } = app(first.store.state);
    expect(servers.list().map((s) => [s.name, s.url])).toEqual([
      ['work.example.org', 'https://work.example.org'],
      ['home.example.net', 'https://home.example.net'],
    ]);
    expect(servers.accountFor({ action: 'open', server: 'https://home.example.net', channel: 'c1' })).toBe(
      home,
    );
    expect(switches).toEqual([[FIRST_ACCOUNT, home]]);
    expect(servers.list()).toHaveLength(2);
  });

  it('removes an account: its core stops and its data goes; the last one stays', async () => {
    const { servers, child, forgotten, store } = app();
    const home = servers.add();
    await servers.remove(home);
    expect(child(home).types()).toContain('shutdown');
    expect(forgotten).toEqual([home]);
    expect(servers.list().map((s) => [s.id, s.active])).toEqual([[FIRST_ACCOUNT, true]]);
    expect(store.state!.active).toBe(FIRST_ACCOUNT);
    await servers.remove(FIRST_ACCOUNT);
    expect(servers.list()).toHaveLength(1);
    await expect(servers.remove('nobody')).rejects.toMatchObject({ code: 'not_found' });
    expect(() => servers.activate('nobody')).toThrow(/no account/);
  });

  it('comes back with the list it had, and marks the account on this computer', () => {
    const saved = {
      accounts: [
        { id: 'a', local: false },
        { id: 'b', local: false },
      ],
      active: 'b',
    };
    const { servers, store } = app(saved);
    expect(servers.list().map((s) => [s.id, s.active])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    servers.markActiveLocal();
    expect(servers.list().map((s) => [s.name, s.local])).toEqual([
      ['New server', false],
      ['This computer', true],
    ]);
    expect(store.state!.accounts).toEqual([
      { id: 'a', local: false },
      { id: 'b', local: true },
    ]);
    // A saved active id that is gone falls back to the first account.
    expect(app({ ...saved, active: 'gone' }).servers.activeAccount.id).toBe('a');
  });
});
