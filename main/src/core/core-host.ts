// Main's side of the session core: keeps its utility process running (Supervisor), speaks the
// control channel to it, and gives every window a port of its own to the core — again after each
// restart, so a window that saw "restarting" picks up where it was. Chat data never passes
// through here: each window's port goes straight to the core.
import { SwitchboardError } from '@switchboard/protocol';
import type { DoNotDisturb } from '@switchboard/protocol';
import { FromUtility, type ToUtility } from '../shared/control.ts';
import type { CoreStatus } from '@switchboard/protocol/desktop';
import { describeIssues, type Log } from '../shared/log.ts';
import { Supervisor, type SupervisedChild, type SupervisorOptions } from './supervisor.ts';

/** Electron's UtilityProcess as the host uses it; `P` is MessagePortMain in the app. */
export interface CoreChild<P> extends SupervisedChild {
  postMessage(message: ToUtility, transfer?: P[]): void;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A window as the host sees it: somewhere to send a port and the core's status. */
export interface CoreWindow<P> {
  readonly id: number;
  sendPort(port: P): void;
  sendStatus(status: CoreStatus): void;
}

/** What the core says for the OS to show: notifications, and the totals for the tray and badge. */
export type AttentionMessage = Extract<
  FromUtility,
  { type: 'notification' | 'notification-cleared' | 'attention' }
>;

/** Where the token lives between runs (safeStorage in the app). */
export interface SecretStore {
  load(): string | null;
  save(token: string | null): void;
}

export interface CoreHostOptions<P> extends Omit<SupervisorOptions<CoreChild<P>>, 'launch'> {
  launch(): CoreChild<P>;
  /** A new pair of entangled ports (MessageChannelMain in the app). */
  createChannel(): { port1: P; port2: P };
  secrets: SecretStore;
  dataDir: string;
  logsDir: string;
  log: Log;
  /** How long a graceful shutdown may take before the process is killed. */
  shutdownTimeoutMs?: number;
}

export class CoreHost<P> {
  private readonly supervisor: Supervisor<CoreChild<P>>;
  private readonly windows = new Map<number, CoreWindow<P>>();
  private status: CoreStatus = { state: 'restarting', retryAt: 0, attempt: 0 };
  private server: { url: string | null; version: string | null } = { url: null, version: null };
  private asleep = false;
  private online = true;
  /** As the core assumes until told otherwise. */
  private focused = true;
  private readonly attention = new Set<(message: AttentionMessage) => void>();
  private readonly serverListeners = new Set<() => void>();

  constructor(private readonly options: CoreHostOptions<P>) {
    this.supervisor = new Supervisor({ ...options, launch: () => this.launch() });
    this.supervisor.onEvent((event) => {
      switch (event.type) {
        case 'started':
          return this.onStarted(event.child);
        case 'exited':
          if (!event.expected) options.log.error({ code: event.code }, 'the session core exited');
          return;
        case 'restarting':
          return this.setStatus({ state: 'restarting', retryAt: event.retryAt, attempt: event.attempt });
        case 'crash-loop':
          options.log.error(
            { crashes: event.crashes },
            'the session core keeps crashing; waiting for Restart',
          );
          return this.setStatus({
            state: 'failed',
            reason: `The background process stopped ${event.crashes} times in a row.`,
            logsDir: options.logsDir,
          });
      }
    });
  }

  start(): void {
    this.supervisor.start();
  }

  /** What a window shows about the core, and the server it is connected to (About). */
  get state(): { status: CoreStatus; server: { url: string | null; version: string | null } } {
    return { status: this.status, server: this.server };
  }

  /** A new window (or one that reloaded): it gets its own port now, or when the core is back. */
  attachWindow(window: CoreWindow<P>): void {
    this.windows.set(window.id, window);
    const child = this.supervisor.current;
    if (child) this.issuePort(child, window);
    else window.sendStatus(this.status);
  }

  /** The window is gone; its port closes with it, which ends only its view in the core. */
  detachWindow(id: number): void {
    this.windows.delete(id);
  }

  /** "Restart" on the crash-loop screen. */
  restart(): void {
    this.supervisor.restartNow();
  }

  power(event: 'suspend' | 'resume' | 'unlock-screen'): void {
    this.asleep = event === 'suspend';
    this.send({ type: 'power', event });
  }

  network(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.send({ type: 'network', online });
  }

  /** Whether a window of the app is shown and focused: only then is a conversation "on screen". */
  setWindowFocused(focused: boolean): void {
    if (focused === this.focused) return;
    this.focused = focused;
    this.send({ type: 'focus', focused });
  }

  /** Hears the core's notifications and totals. */
  onAttention(listener: (message: AttentionMessage) => void): () => void {
    this.attention.add(listener);
    return () => this.attention.delete(listener);
  }

  /** Hears when the server the core talks to changes (`state.server`). */
  onServer(listener: () => void): () => void {
    this.serverListeners.add(listener);
    return () => this.serverListeners.delete(listener);
  }

  /** A notification's inline reply; `clientId` comes from the notification, so it is stored once. */
  reply(channelId: string, text: string, clientId: string): void {
    this.send({ type: 'reply', channelId, text, clientId });
  }

  markRead(channelId: string, seq: number): void {
    this.send({ type: 'mark-read', channelId, seq });
  }

  /** Do not disturb (null: off), stored with the account. */
  setDnd(dnd: DoNotDisturb | null): void {
    this.send({ type: 'dnd', dnd });
  }

  /** The server on this computer took another port: a core signed in there follows it. */
  serverMoved(from: string, to: string): void {
    this.send({ type: 'server-moved', from, to });
  }

  /** Asks the core to finish its writes and exit; kills it if it takes too long. */
  async shutdown(): Promise<void> {
    const child = this.supervisor.stop();
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMs ?? 5_000),
    );
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      this.options.log.warn({}, 'the session core did not stop in time; killing it');
      child.kill();
      await exited;
    }
  }

  private launch(): CoreChild<P> {
    const child = this.options.launch();
    child.on('message', (message) => this.onMessage(message));
    return child;
  }

  private onStarted(child: CoreChild<P>): void {
    const { dataDir, logsDir, secrets } = this.options;
    child.postMessage({ type: 'start', dataDir, logsDir, token: secrets.load() });
    // A restarted core learns the machine's state from here, not from events it missed.
    if (this.asleep) child.postMessage({ type: 'power', event: 'suspend' });
    if (!this.online) child.postMessage({ type: 'network', online: false });
    if (!this.focused) child.postMessage({ type: 'focus', focused: false });
    this.status = { state: 'running' };
    for (const window of this.windows.values()) this.issuePort(child, window);
  }

  private issuePort(child: CoreChild<P>, window: CoreWindow<P>): void {
    const { port1, port2 } = this.options.createChannel();
    child.postMessage({ type: 'attach', windowId: window.id }, [port1]);
    window.sendStatus({ state: 'running' });
    window.sendPort(port2);
  }

  private setStatus(status: CoreStatus): void {
    this.status = status;
    for (const window of this.windows.values()) window.sendStatus(status);
  }

  private send(message: ToUtility): void {
    this.supervisor.current?.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const parsed = FromUtility.safeParse(raw);
    if (!parsed.success) {
      const error = new SwitchboardError('validation_failed', describeIssues(parsed.error.issues));
      this.options.log.warn(
        { code: error.code, issues: error.message },
        'ignored a malformed message from the session core',
      );
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.options.log.info({ pid: this.supervisor.current?.pid }, 'the session core is ready');
        return;
      case 'token':
        this.options.secrets.save(message.token);
        return;
      case 'server':
        this.server = { url: message.url, version: message.version };
        for (const listener of this.serverListeners) listener();
        return;
      case 'notification':
      case 'notification-cleared':
      case 'attention':
        for (const listener of this.attention) listener(message);
        return;
      case 'rejected':
        this.options.log.warn(
          { code: message.code },
          `the session core refused a message: ${message.message}`,
        );
        return;
    }
  }
}
