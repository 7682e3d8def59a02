// Keeps one child process running: starts it, and when it dies restarts it after a backoff (1 s
// doubling to 30 s), until it has crashed so often in a row that trying again is pointless — then
// it reports a crash loop and waits for someone to ask for a restart. Generic over the child, so the
// session core's utility process and (later) the bundled server's use the same rules.
import { systemClock, type Clock } from '@switchboard/client/node';

/** The parts of Electron's UtilityProcess (and of our Node stand-in) a supervisor needs. */
export interface SupervisedChild {
  readonly pid: number | undefined;
  kill(): boolean;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/** Time and timers (the session core's Clock), injectable so schedules are tested without waiting. */
export type Timers = Clock;
export const systemTimers: Timers = systemClock;

export const RESTART_BASE_MS = 1_000;
export const RESTART_CAP_MS = 30_000;

/** Delay before restart `attempt` (1, 2, …): 1 s, 2 s, 4 s … capped at 30 s. */
export function restartDelay(attempt: number): number {
  return Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 16));
}

export interface SupervisorOptions<C extends SupervisedChild> {
  /** Starts a new child (utilityProcess.fork in the app). */
  launch(): C;
  timers?: Timers;
  /** A child that stayed up this long was healthy: the next crash starts the backoff over. */
  stableAfterMs?: number;
  /** This many crashes in a row, none of them after a stable run, is a crash loop. */
  crashLoopAfter?: number;
}

export type SupervisorEvent<C> =
  | { type: 'started'; child: C }
  | { type: 'exited'; code: number; expected: boolean }
  | { type: 'restarting'; retryAt: number; attempt: number }
  | { type: 'crash-loop'; crashes: number };

export class Supervisor<C extends SupervisedChild> {
  private child: C | null = null;
  private startedAt = 0;
  private crashes = 0;
  private retryTimer: unknown = null;
  private stopping = false;
  private readonly timers: Timers;
  private readonly stableAfterMs: number;
  private readonly crashLoopAfter: number;
  private readonly listeners = new Set<(event: SupervisorEvent<C>) => void>();

  constructor(private readonly options: SupervisorOptions<C>) {
    this.timers = options.timers ?? systemTimers;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.crashLoopAfter = options.crashLoopAfter ?? 8;
  }

  /** The running child, if any. */
  get current(): C | null {
    return this.child;
  }

  onEvent(listener: (event: SupervisorEvent<C>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopping = false;
    if (this.child || this.retryTimer !== null) return;
    this.launch();
  }

  /** A person asked to try again (after a crash loop): start now, with the backoff reset. */
  restartNow(): void {
    this.crashes = 0;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.child) this.child.kill();
    else this.start();
  }

  /** Stops supervising: the child's next exit is expected and not restarted. */
  stop(): C | null {
    this.stopping = true;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    return this.child;
  }

  private launch(): void {
    const child = this.options.launch();
    this.child = child;
    this.startedAt = this.timers.now();
    child.on('exit', (code) => this.onExit(child, code));
    this.emit({ type: 'started', child });
  }

  private onExit(child: C, code: number): void {
    if (child !== this.child) return;
    this.child = null;
    this.emit({ type: 'exited', code, expected: this.stopping });
    if (this.stopping) return;
    const ranFor = this.timers.now() - this.startedAt;
    this.crashes = ranFor >= this.stableAfterMs ? 1 : this.crashes + 1;
    if (this.crashes >= this.crashLoopAfter) {
      this.emit({ type: 'crash-loop', crashes: this.crashes });
      return;
    }
    const delay = restartDelay(this.crashes);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopping) this.launch();
    }, delay);
    this.emit({ type: 'restarting', retryAt: this.timers.now() + delay, attempt: this.crashes });
  }

  private emit(event: SupervisorEvent<C>): void {
    for (const listener of this.listeners) listener(event);
  }
}
