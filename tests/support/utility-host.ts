// The Node stand-in for main's side of Electron's utility process, for tests and benchmarks: forks
// the real utility entry in a child process (utility-child.ts gives it Electron's
// `process.parentPort` shape) and carries each window's MessagePort across the IPC channel by id —
// the "small bridge per port". What it hands to CoreHost has the shape of Electron's
// UtilityProcess and MessageChannelMain, so main's own code drives it as it drives Electron.
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { CoreChild } from '../../main/src/core/core-host.ts';
import type { ToUtility } from '../../main/src/shared/control.ts';
import type { ToServerProcess } from '../../main/src/shared/server-control.ts';
import { QueuedPort } from './queued-port.ts';
import { REPO_ROOT } from './server.ts';

export type BridgeFrame =
  | { k: 'ctl'; data: unknown; ports?: number[] }
  | { k: 'port'; id: number; data: unknown }
  | { k: 'close'; id: number };

const CHILD = path.join(REPO_ROOT, 'tests/support/utility-child.ts');
let nextPortId = 1;

/**
 * Sends a frame into the child. A child that is dying can close its channel between the
 * `connected` check and the write (EPIPE): what is posted to a dead process is lost, as with
 * Electron's ports, so that error is dropped rather than thrown into the sender.
 */
function sendToChild(child: ChildProcess, frame: BridgeFrame): void {
  if (child.connected) child.send(frame, () => {});
}

/**
 * One end of a bridged channel. Messages queue until `start()` (as MessagePortMain's do); while
 * both ends are here they are delivered locally, and once one end is transferred to a child they
 * cross its IPC channel.
 */
export class BridgePort extends QueuedPort {
  partner!: BridgePort;
  /** Set when this end was transferred into a child: messages to it go there. */
  remote: { child: ChildProcess; id: number } | null = null;

  postMessage(data: unknown): void {
    if (this.closed) return;
    const target = this.partner;
    if (target.remote) {
      sendToChild(target.remote.child, { k: 'port', id: target.remote.id, data });
    } else setImmediate(() => target.deliver(data));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const target = this.partner;
    if (target.remote) sendToChild(target.remote.child, { k: 'close', id: target.remote.id });
    else setImmediate(() => target.remoteClosed());
  }
}

export function createBridgeChannel(): { port1: BridgePort; port2: BridgePort } {
  const port1 = new BridgePort();
  const port2 = new BridgePort();
  port1.partner = port2;
  port2.partner = port1;
  return { port1, port2 };
}

/** A utility process in the shape of Electron's UtilityProcess. */
export class StandInUtility extends EventEmitter implements CoreChild<BridgePort> {
  readonly child: ChildProcess;
  /** Local ends whose partners live in the child, by the partner's id. */
  private readonly localEnds = new Map<number, BridgePort>();

  /** `output: 'pipe'` gives its standard output and error to read, as Electron's `stdio: 'pipe'` does. */
  constructor(env: NodeJS.ProcessEnv = {}, options: { output?: 'inherit' | 'pipe' } = {}) {
    super();
    const output = options.output ?? 'inherit';
    this.child = fork(CHILD, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', output, output, 'ipc'],
      env: { ...process.env, ...env },
    });
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('message', (frame: BridgeFrame) => this.receive(frame));
    this.child.on('exit', (code, signal) => {
      for (const port of this.localEnds.values()) port.remoteClosed();
      this.localEnds.clear();
      // Electron reports a number; a signal shows as 128 + its number, as shells do.
      this.emit('exit', code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
    });
  }

  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** A control message (the session core's ToUtility, or the local server's ToServerProcess). */
  postMessage(message: ToUtility | ToServerProcess, transfer: BridgePort[] = []): void {
    const ids = transfer.map((port) => {
      const id = nextPortId++;
      port.remote = { child: this.child, id };
      this.localEnds.set(id, port.partner);
      return id;
    });
    sendToChild(this.child, { k: 'ctl', data: message, ports: ids });
  }

  /** Electron's kill(): SIGTERM. */
  kill(): boolean {
    return this.child.kill('SIGTERM');
  }

  /** An abrupt death, as a crash would be. */
  crash(): void {
    this.child.kill('SIGKILL');
  }

  /** Sends a control message that is not schema-valid (tests of the utility's input checks). */
  postRaw(data: unknown): void {
    this.child.send({ k: 'ctl', data, ports: [] } satisfies BridgeFrame);
  }

  private receive(frame: BridgeFrame): void {
    switch (frame.k) {
      case 'ctl':
        return void this.emit('message', frame.data);
      case 'port':
        return this.localEnds.get(frame.id)?.deliver(frame.data);
      case 'close':
        this.localEnds.get(frame.id)?.remoteClosed();
        this.localEnds.delete(frame.id);
        return;
    }
  }
}
