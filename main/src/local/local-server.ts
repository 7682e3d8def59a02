// A server on this computer: the bundled switchboard-server in a utility process of its own, kept
// running by a Supervisor (restarted with backoff if it dies), its data under the app's data folder.
// It listens on loopback — or on every interface once the person lets others on their network join —
// with the port it had before (another when that one is taken, which the session core then follows),
// and registration by invite. Stopping it is graceful: the server finishes what it accepted and closes
// its database. One-shot commands of the same command line (backup, restore, invite) run in processes
// of their own.
import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { SwitchboardError } from '@switchboard/protocol';
import type { LocalServerInfo } from '@switchboard/protocol/desktop';
import { Supervisor, systemTimers, type SupervisedChild, type Timers } from '../core/supervisor.ts';
import type { Log } from '../shared/log.ts';
import type { ToServerProcess } from '../shared/server-control.ts';

/** Electron's UtilityProcess running server-process.ts, with its output piped. */
export interface ServerProcess extends SupervisedChild {
  postMessage(message: ToServerProcess): void;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** What is kept about the local server between runs (desktop-settings.json). */
export interface LocalServerConfig {
  port: number | null;
  lan: boolean;
}

export interface LocalServerOptions {
  /** A new process running server-process.ts. */
  launch(): ServerProcess;
  /** The bundled server/dist/cli.js. */
  cli: string;
  dataDir: string;
  config: { load(): LocalServerConfig; save(config: LocalServerConfig): void };
  /** The address people on this network reach this computer at (an IPv4 of a network interface). */
  lanAddress?: () => string | null;
  /** Where the server's own output goes (its log file). */
  output?: (line: string) => void;
  log: Log;
  timers?: Timers;
  crashLoopAfter?: number;
  /** How long a graceful stop may take before the process is killed. */
  stopTimeoutMs?: number;
  /** How long a start may take before it is reported as failed. */
  startTimeoutMs?: number;
}

const LISTENING = /Switchboard server listening on (https?:\/\/\S+)/;
const SETUP_CODE = /^\s*(setup_[A-Za-z0-9_-]{20,})\s*$/;

/** An IPv4 address of this computer's network (not loopback), if it has one. */
export function firstLanAddress(): string | null {
  for (const addresses of Object.values(os.networkInterfaces()))
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  return null;
}

/** The URL the app itself uses: always loopback, whatever the server binds to. */
export const loopbackUrl = (port: number): string => `http://127.0.0.1:${port}`;

/** Lines of a stream, as they come; resolves when the stream has ended. */
function eachLine(stream: Readable | null, handle: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', handle);
  return new Promise((resolve) => lines.on('close', resolve));
}

function exited(child: ServerProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

export class LocalServer {
  private readonly supervisor: Supervisor<ServerProcess>;
  private readonly timers: Timers;
  private info: LocalServerInfo;
  private readonly listeners = new Set<(info: LocalServerInfo) => void>();
  private readonly movedListeners = new Set<(from: string, to: string) => void>();
  private waiting: { resolve(info: LocalServerInfo): void; reject(error: Error): void }[] = [];
  private setupCode: string | null = null;
  private codeWaiters: (() => void)[] = [];

  constructor(private readonly options: LocalServerOptions) {
    this.timers = options.timers ?? systemTimers;
    const { port, lan } = options.config.load();
    this.info = { state: 'off', url: port ? loopbackUrl(port) : null, lan, shareUrl: null, reason: null };
    this.supervisor = new Supervisor({
      launch: () => this.spawn(),
      timers: this.timers,
      crashLoopAfter: options.crashLoopAfter,
    });
    this.supervisor.onEvent((event) => {
      switch (event.type) {
        case 'exited':
          if (event.expected) return this.set({ state: 'off', shareUrl: null });
          options.log.error({ code: event.code }, 'the local server stopped');
          return;
        case 'restarting':
          return this.set({ state: 'restarting', reason: 'the server stopped and is restarting' });
        case 'crash-loop':
          this.set({ state: 'failed', reason: `the server stopped ${event.crashes} times in a row` });
          return this.settle(
            new SwitchboardError('unavailable', 'the server on this computer keeps stopping'),
          );
      }
    });
  }

  get state(): LocalServerInfo {
    return this.info;
  }

  /** The first-admin setup code the server printed, while it has no users yet. */
  get firstAdminCode(): string | null {
    return this.setupCode;
  }

  onChange(listener: (info: LocalServerInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The server came up on another port than before: `from` and `to` are the app's URLs. */
  onMoved(listener: (from: string, to: string) => void): () => void {
    this.movedListeners.add(listener);
    return () => this.movedListeners.delete(listener);
  }

  /** Starts it (if it is not running) and resolves once it listens. */
  start(): Promise<LocalServerInfo> {
    if (this.info.state === 'running') return Promise.resolve(this.info);
    const ready = this.whenListening();
    if (this.info.state === 'failed') this.supervisor.restartNow();
    else this.supervisor.start();
    return ready;
  }

  /**
   * Starts it, and says where it is and — while it has no users yet — the first-admin setup code it
   * printed, with which the person's own name and password make the first admin.
   */
  async setup(): Promise<{ url: string; setupCode: string | null }> {
    const { url } = await this.start();
    const status = (await (await fetch(`${url}/api/v1/auth/status`)).json()) as { setupRequired?: boolean };
    if (!status.setupRequired) return { url: url!, setupCode: null };
    if (!this.setupCode) {
      // Printed just after the address: it is on its way.
      await new Promise<void>((resolve, reject) => {
        const timer = this.timers.setTimeout(
          () => reject(new SwitchboardError('unavailable', 'the server printed no setup code')),
          10_000,
        );
        this.codeWaiters.push(() => {
          this.timers.clearTimeout(timer);
          resolve();
        });
      });
    }
    return { url: url!, setupCode: this.setupCode };
  }

  /** Stops it gracefully: the server finishes what it accepted; killed if it takes too long. */
  async stop(): Promise<void> {
    const child = this.supervisor.stop();
    if (!child) return this.set({ state: 'off', shareUrl: null });
    const done = exited(child);
    child.postMessage({ type: 'stop' });
    let timer: unknown = null;
    const late = new Promise<'late'>((resolve) => {
      timer = this.timers.setTimeout(() => resolve('late'), this.options.stopTimeoutMs ?? 15_000);
    });
    if ((await Promise.race([done, late])) === 'late') {
      this.options.log.warn({}, 'the local server did not stop in time; killing it');
      child.kill();
      await done;
    }
    this.timers.clearTimeout(timer);
  }

  /** Lets others on the network join (binds every interface) or not (loopback only): a restart. */
  async setLan(lan: boolean): Promise<LocalServerInfo> {
    const config = this.options.config.load();
    this.options.config.save({ ...config, lan });
    this.set({ lan });
    if (this.info.state === 'off') return this.info;
    await this.stop();
    return this.start();
  }

  /** Runs a one-shot command of the server's command line; resolves with its exit code and output. */
  async command(args: string[]): Promise<{ code: number; output: string[] }> {
    const child = this.options.launch();
    const output: string[] = [];
    const read = Promise.all([
      eachLine(child.stdout, (line) => output.push(line)),
      eachLine(child.stderr, (line) => output.push(line)),
    ]);
    const code = exited(child);
    child.postMessage({
      type: 'run',
      cli: this.options.cli,
      args: [...args, '--data-dir', this.options.dataDir],
    });
    const [exitCode] = await Promise.all([code, read]);
    return { code: exitCode, output };
  }

  /** A consistent copy of the database, made while the server runs (the `backup` command). */
  async backup(file: string): Promise<void> {
    await this.succeed(['backup', file]);
  }

  /**
   * Puts a backup in place of the database (the `restore` command): the server is stopped, restored
   * and started again. Clients see a new epoch and load the restored history afresh.
   */
  async restore(file: string): Promise<void> {
    const wasRunning = this.info.state !== 'off';
    await this.stop();
    try {
      await this.succeed(['restore', file]);
    } finally {
      if (wasRunning) await this.start();
    }
  }

  /** An invite link for people on the network, made on behalf of `admin` (the `invite` command). */
  async invite(admin: string): Promise<string> {
    const output = await this.succeed(['invite', 'create', admin, '--uses', '20', '--expires', '7d']);
    const code = output.map((line) => line.trim()).find((line) => /^inv_[A-Za-z0-9_-]+$/.test(line));
    if (!code) throw new SwitchboardError('internal', 'the server made no invite code');
    const base = this.info.shareUrl ?? this.info.url;
    if (!base) throw new SwitchboardError('unavailable', 'the server on this computer is not running');
    return `${base}/?invite=${encodeURIComponent(code)}`;
  }

  private async succeed(args: string[]): Promise<string[]> {
    const { code, output } = await this.command(args);
    if (code === 0) return output;
    const error = output.map((line) => /^error \[(\w+)\]: (.*)$/.exec(line)).find(Boolean);
    throw new SwitchboardError(
      (error?.[1] as 'bad_request' | undefined) ?? 'internal',
      error?.[2] ?? `the server's ${args[0]} command failed (exit code ${code})`,
    );
  }

  private spawn(): ServerProcess {
    const child = this.options.launch();
    const { port, lan } = this.options.config.load();
    this.set({ state: 'starting', reason: null });
    this.setupCode = null;
    let expectCode = false;
    const onLine = (line: string) => {
      this.options.output?.(line);
      if (this.supervisor.current !== child) return;
      const listening = LISTENING.exec(line);
      if (listening) return this.listening(new URL(listening[1]!).port);
      if (/one-time setup code/.test(line)) expectCode = true;
      const code = expectCode ? SETUP_CODE.exec(line) : null;
      if (code) {
        this.setupCode = code[1]!;
        expectCode = false;
        for (const wake of this.codeWaiters.splice(0)) wake();
      }
    };
    void eachLine(child.stdout, onLine);
    void eachLine(child.stderr, (line) => this.options.output?.(line));
    child.postMessage({
      type: 'run',
      cli: this.options.cli,
      args: [
        'serve',
        '--host',
        lan ? '0.0.0.0' : '127.0.0.1',
        '--port',
        String(port ?? 0),
        '--data-dir',
        this.options.dataDir,
        '--registration',
        'invite',
      ],
    });
    return child;
  }

  private listening(portText: string): void {
    const port = Number(portText);
    const config = this.options.config.load();
    const before = config.port;
    if (before !== port) this.options.config.save({ ...config, port });
    const url = loopbackUrl(port);
    const lanAddress = config.lan ? (this.options.lanAddress ?? firstLanAddress)() : null;
    this.set({
      state: 'running',
      url,
      lan: config.lan,
      shareUrl: lanAddress ? `http://${lanAddress}:${port}` : null,
      reason: null,
    });
    this.settle(null);
    if (before !== null && before !== port) {
      this.options.log.warn({ before, port }, 'the local server’s port was taken; it took another');
      for (const listener of this.movedListeners) listener(loopbackUrl(before), url);
    }
  }

  private whenListening(): Promise<LocalServerInfo> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(
        () =>
          this.settle(
            new SwitchboardError('unavailable', 'the server on this computer did not start in time'),
          ),
        this.options.startTimeoutMs ?? 60_000,
      );
      const done = (fn: () => void) => {
        this.timers.clearTimeout(timer);
        fn();
      };
      this.waiting.push({
        resolve: (info) => done(() => resolve(info)),
        reject: (error) => done(() => reject(error)),
      });
    });
  }

  private settle(error: Error | null): void {
    for (const waiter of this.waiting.splice(0)) {
      if (error) waiter.reject(error);
      else waiter.resolve(this.info);
    }
  }

  private set(changes: Partial<LocalServerInfo>): void {
    this.info = { ...this.info, ...changes };
    for (const listener of this.listeners) listener(this.info);
  }
}
