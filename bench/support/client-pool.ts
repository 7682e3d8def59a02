// Benchmark clients spread over child processes (client-worker.ts): the parent asks them to connect,
// to start measuring a step, and to report what they received, merged across processes.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Histogram } from './stats.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client-worker.ts');

export type WorkerRequest =
  | { op: 'connect'; url: string; tokens: string[]; count: number; concurrency: number; joinRoom?: string }
  | { op: 'measure'; step: string }
  | { op: 'report' }
  | { op: 'disconnect' };

export type WorkerReply =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface WorkerReport {
  delivered: number;
  histogram: number[];
  firstAt: number | null;
  lastAt: number | null;
  cpuMs: number;
}

export interface PoolReport {
  delivered: number;
  histogram: Histogram;
  firstAt: number | null;
  lastAt: number | null;
  /** CPU milliseconds all client processes used since `measure`. */
  cpuMs: number;
}

class Worker {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(`client worker: ${reply.error}`));
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        for (const waiter of this.pending.values())
          waiter.reject(new Error(`client worker exited (${code ?? signal})`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  request<T>(req: WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, req });
    });
  }
}

export class ClientPool {
  private constructor(private readonly workers: Worker[]) {}

  /** Forks `processes` client workers (they inherit `--import tsx` through execArgv). */
  static start(processes: number): ClientPool {
    return new ClientPool(
      Array.from(
        { length: processes },
        () => new Worker(fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
      ),
    );
  }

  /** Opens `count` sockets in total, split evenly over the workers; resolves with the wall time it took. */
  async connect(options: {
    url: string;
    tokens: string[];
    count: number;
    concurrency: number;
    joinRoom?: string;
  }): Promise<number> {
    const started = performance.now();
    const n = this.workers.length;
    await Promise.all(
      this.workers.map((w, i) =>
        w.request({
          op: 'connect',
          ...options,
          count: Math.floor(options.count / n) + (i < options.count % n ? 1 : 0),
          concurrency: Math.ceil(options.concurrency / n),
        }),
      ),
    );
    return performance.now() - started;
  }

  async measure(step: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ op: 'measure', step })));
  }

  async report(): Promise<PoolReport> {
    const reports = await Promise.all(this.workers.map((w) => w.request<WorkerReport>({ op: 'report' })));
    const histogram = new Histogram();
    for (const r of reports) histogram.merge(r.histogram);
    const firsts = reports.flatMap((r) => (r.firstAt === null ? [] : [r.firstAt]));
    const lasts = reports.flatMap((r) => (r.lastAt === null ? [] : [r.lastAt]));
    return {
      delivered: reports.reduce((a, r) => a + r.delivered, 0),
      histogram,
      firstAt: firsts.length > 0 ? Math.min(...firsts) : null,
      lastAt: lasts.length > 0 ? Math.max(...lasts) : null,
      cpuMs: reports.reduce((a, r) => a + r.cpuMs, 0),
    };
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ op: 'disconnect' })));
  }

  /** Ends the worker processes (closing IPC makes them exit; SIGKILL if one hangs). */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.child.connected) w.child.disconnect();
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
        await w.exited;
        clearTimeout(timer);
      }),
    );
  }
}
