// Fakes of the Electron objects main's logic talks to, shaped like the real ones (event names and
// argument order from electron.d.ts): a UtilityProcess, MessagePortMain pairs, a manual clock.
// For tests only.
import { EventEmitter } from 'node:events';
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
