// Several servers at once: the app holds one account per server (work, home, the one on this
// computer), each with a session core of its own — its own utility process, data folder, token and
// connection — all running all the time. The window shows one of them (the active one); switching
// hands the window to another core. Notifications come from every core (named by their server once
// there are several) and open the right one when clicked; the tray and the badge show the totals of
// all of them; a deep link goes to the account on its server.
import { SwitchboardError, type DoNotDisturb } from '@switchboard/protocol';
import type { DeepLinkTarget, ServerSummary } from '@switchboard/protocol/desktop';
import type { CoreWindow } from '../core/core-host.ts';
import type { Log } from '../shared/log.ts';
import { notifierActions, routeAttention, type AttentionHost, type ConversationWindow } from './attention.ts';
import type { Notifier, NotifierActions } from './notifier.ts';
import { NO_ATTENTION, type Attention } from './tray.ts';

export interface ServerAccount {
  /** Names the account's data folder and token file; never shown. */
  id: string;
  /** The account on the server this computer hosts (local mode). */
  local: boolean;
  /**
   * The server its core last said it talks to. Kept so that the list's names and deep links know each
   * account's server from the start, before (or without) its core connecting.
   */
  url?: string | null;
}

/** What is kept between runs: the accounts in the order of the server list, and the one on screen. */
export interface ServerListState {
  accounts: ServerAccount[];
  active: string;
}

/** CoreHost, as the server list uses it. */
export interface AccountHost<P> extends AttentionHost {
  readonly state: { server: { url: string | null; version: string | null } };
  start(): void;
  restart(): void;
  shutdown(): Promise<void>;
  attachWindow(window: CoreWindow<P>): void;
  detachWindow(id: number): void;
  setWindowFocused(focused: boolean): void;
  power(event: 'suspend' | 'resume' | 'unlock-screen'): void;
  network(online: boolean): void;
  serverMoved(from: string, to: string): void;
  onServer(listener: () => void): () => void;
}

export interface ServersOptions<P> {
  store: { load(): ServerListState | null; save(state: ServerListState): void };
  createHost(account: ServerAccount): AccountHost<P>;
  createNotifier(actions: NotifierActions, source: () => string | null): Notifier;
  /** The app's window, for a notification's click. */
  window: ConversationWindow;
  /** A new account's id. */
  newId(): string;
  /** The account is removed: its data folder and token go. */
  forget(account: ServerAccount): void;
  /** The tray and the badge: the totals of all accounts, with each server's own. */
  onTotals(totals: Attention): void;
  /** The server list changed (names, counts, the active one): the window shows it. */
  onList(list: ServerSummary[]): void;
  /** Another account is on screen now: the window loads it (each keeps its own place). */
  onSwitch(from: string, to: string): void;
  log: Log;
}

interface Entry<P> {
  account: ServerAccount;
  host: AccountHost<P>;
  attention: Attention;
}

/** The account's server: as its core says now, else as it last said. */
const serverOf = ({ host, account }: Entry<unknown>): string | null =>
  host.state.server.url ?? account.url ?? null;

/** The first account of an install that predates the server list: its files keep their old names. */
export const FIRST_ACCOUNT = 'default';

/** A server's name in the list and on notifications: its host name, "This computer" for the local one. */
export function serverName(account: ServerAccount, url: string | null): string {
  if (account.local) return 'This computer';
  if (!url) return 'New server';
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export class Servers<P> {
  private readonly entries = new Map<string, Entry<P>>();
  private activeId: string;
  private window: CoreWindow<P> | null = null;
  private focused = true;

  constructor(private readonly options: ServersOptions<P>) {
    const saved = options.store.load();
    const accounts =
      saved && saved.accounts.length > 0 ? saved.accounts : [{ id: FIRST_ACCOUNT, local: false }];
    for (const account of accounts) this.open(account);
    this.activeId = saved && this.entries.has(saved.active) ? saved.active : accounts[0]!.id;
  }

  get activeAccount(): ServerAccount {
    return this.entry(this.activeId).account;
  }

  /** The core on screen. */
  get active(): AccountHost<P> {
    return this.entry(this.activeId).host;
  }

  /** Every core: each keeps running whether it is on screen or not. */
  get hosts(): AccountHost<P>[] {
    return [...this.entries.values()].map((e) => e.host);
  }

  start(): void {
    for (const { host } of this.entries.values()) host.start();
    this.changed();
  }

  list(): ServerSummary[] {
    return [...this.entries.values()].map((entry) => ({
      id: entry.account.id,
      name: serverName(entry.account, serverOf(entry)),
      url: serverOf(entry),
      local: entry.account.local,
      active: entry.account.id === this.activeId,
      unread: entry.attention.unread,
      mentions: entry.attention.mentions,
    }));
  }

  /** Puts another account on screen; unknown ids are refused. */
  activate(id: string): void {
    this.entry(id);
    if (id === this.activeId) return;
    const from = this.activeId;
    const previous = this.active;
    if (this.window) previous.detachWindow(this.window.id);
    previous.setWindowFocused(false);
    this.activeId = id;
    this.active.setWindowFocused(this.focused);
    this.save();
    this.changed();
    this.options.onSwitch(from, id);
  }

  /** A new account (on no server yet), put on screen: the window asks which server. */
  add(options: { local?: boolean } = {}): string {
    const account = { id: this.options.newId(), local: options.local ?? false };
    this.open(account).host.start();
    this.save();
    this.activate(account.id);
    return account.id;
  }

  /** The account on screen is the one on this computer's server from now on. */
  markActiveLocal(): void {
    for (const entry of this.entries.values()) entry.account.local = entry.account.id === this.activeId;
    this.save();
    this.changed();
  }

  /** Removes an account: its core stops, its data goes. The last one stays. */
  async remove(id: string): Promise<void> {
    const entry = this.entry(id);
    if (this.entries.size === 1) return;
    if (id === this.activeId) this.activate([...this.entries.keys()].find((other) => other !== id)!);
    this.entries.delete(id);
    this.save();
    this.changed();
    await entry.host.shutdown();
    this.options.forget(entry.account);
  }

  /**
   * The account a deep link is for: the one signed in to its server, else one that has no server yet,
   * else a new one. It is put on screen.
   */
  accountFor(target: DeepLinkTarget): string {
    const key = (url: string | null) => (url ? url.replace(/\/+$/, '') : null);
    const all = [...this.entries.values()];
    const match =
      all.find((e) => key(serverOf(e)) === key(target.server)) ?? all.find((e) => serverOf(e) === null);
    const id = match ? match.account.id : this.add();
    this.activate(id);
    return id;
  }

  /** The window (again, after a load): it gets a port to the core on screen. */
  attachWindow(window: CoreWindow<P>): void {
    this.window = window;
    this.active.attachWindow(window);
  }

  detachWindow(id: number): void {
    if (this.window?.id === id) this.window = null;
    for (const { host } of this.entries.values()) host.detachWindow(id);
  }

  /** Only the core on screen has a conversation in front of the person. */
  setWindowFocused(focused: boolean): void {
    this.focused = focused;
    for (const [id, { host }] of this.entries) host.setWindowFocused(focused && id === this.activeId);
  }

  power(event: 'suspend' | 'resume' | 'unlock-screen'): void {
    for (const { host } of this.entries.values()) host.power(event);
  }

  network(online: boolean): void {
    for (const { host } of this.entries.values()) host.network(online);
  }

  /** Do not disturb from the tray: for every account. */
  setDnd(dnd: DoNotDisturb | null): void {
    for (const { host } of this.entries.values()) host.setDnd(dnd);
  }

  /** The server on this computer took another port: the cores signed in there follow it. */
  serverMoved(from: string, to: string): void {
    for (const { host } of this.entries.values()) host.serverMoved(from, to);
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.shutdown()));
  }

  private open(account: ServerAccount): Entry<P> {
    const host = this.options.createHost(account);
    const entry: Entry<P> = { account, host, attention: NO_ATTENTION };
    this.entries.set(account.id, entry);
    const name = () => serverName(entry.account, serverOf(entry));
    const notifier = this.options.createNotifier(
      notifierActions(host, {
        show: () => {
          if (this.entries.has(account.id)) this.activate(account.id);
          this.options.window.show();
        },
        follow: (target) => this.options.window.follow(target),
        openExternal: (url) => this.options.window.openExternal(url),
      }),
      () => (this.entries.size > 1 ? name() : null),
    );
    routeAttention(host, {
      notifier,
      totals: (attention) => {
        entry.attention = attention;
        this.changed();
      },
    });
    host.onServer(() => {
      const { url } = host.state.server;
      if (url !== null && url !== entry.account.url) {
        entry.account.url = url;
        this.save();
      }
      this.changed();
    });
    return entry;
  }

  private entry(id: string): Entry<P> {
    const entry = this.entries.get(id);
    if (!entry) throw new SwitchboardError('not_found', `there is no account ${id} in the server list`);
    return entry;
  }

  private save(): void {
    this.options.store.save({
      accounts: [...this.entries.values()].map((e) => ({ ...e.account })),
      active: this.activeId,
    });
  }

  private changed(): void {
    const all = [...this.entries.values()];
    const servers = this.list().map(({ name, unread, mentions }) => ({ name, unread, mentions }));
    this.options.onTotals({
      unread: all.reduce((sum, e) => sum + e.attention.unread, 0),
      mentions: all.reduce((sum, e) => sum + e.attention.mentions, 0),
      // Do not disturb as the account on screen has it (the tray sets it for all of them).
      dnd: this.entry(this.activeId).attention.dnd,
      servers,
    });
    this.options.onList(this.list());
  }
}
