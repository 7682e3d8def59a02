// Measurement helpers: latency histograms that merge across processes, CPU time of a child process,
// and small numeric utilities.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const MIN_MS = 0.01;
/** Each bucket is 1% wider than the one before, so a percentile is exact to within 1%. */
const GROWTH = 1.01;
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / Math.log(GROWTH));

/** Log-bucketed latency histogram in milliseconds; `counts` travels over IPC and sums to merge. */
export class Histogram {
  readonly counts: number[];

  constructor(counts?: number[]) {
    this.counts = counts ? [...counts] : new Array<number>(BUCKETS).fill(0);
  }

  record(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
    this.counts[i]! += 1;
  }

  merge(counts: number[]): void {
    counts.forEach((n, i) => (this.counts[i]! += n));
  }

  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** The p-th percentile (0–100) in ms, or null when nothing was recorded. */
  percentile(p: number): number | null {
    const total = this.total;
    if (total === 0) return null;
    const rank = Math.ceil((p / 100) * total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return MIN_MS * GROWTH ** (i + 0.5);
    }
    return null;
  }
}

/** Wall-clock epoch milliseconds with sub-millisecond resolution, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let clockTicks: number | undefined;

/** User + system CPU milliseconds a process has used so far (Linux /proc), or null elsewhere. */
export function processCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // Fields after the command name (which may contain spaces): state is first, utime 12th, stime 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** Busy CPU milliseconds of the whole machine so far, all cores (Linux /proc), or null elsewhere. */
export function machineCpuMs(): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // "cpu user nice system idle iowait irq softirq steal ...": busy is everything but idle and iowait.
  const ticks = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const busy = ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!;
  return (busy * 1000) / clockTicks;
}

/**
 * Measures how much CPU went to processes outside the benchmark over a stretch of time: other work
 * on a shared machine slows both sides, so every step reports it next to its figures.
 */
export class ForeignLoad {
  private readonly machineAtStart = machineCpuMs();
  private readonly startedAt = performance.now();

  /** Percent of one core used by other processes, given the CPU ms the benchmark's own processes used. */
  percent(ownCpuMs: number): number | null {
    const machine = machineCpuMs();
    if (machine === null || this.machineAtStart === null) return null;
    return round(
      (100 * Math.max(0, machine - this.machineAtStart - ownCpuMs)) / (performance.now() - this.startedAt),
    );
  }
}

/** CPU milliseconds this process has used so far. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU milliseconds used so far by this process and every live process started under it (the server,
 * Chromium and its renderers, GPU and utility processes), from /proc; elsewhere this process only.
 * A process that exits takes its CPU time with it: measure over stretches in which none does.
 */
export function treeCpuMs(): number {
  let pids: number[];
  try {
    pids = fs
      .readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return ownCpuMs();
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // After the command name: state, then the parent's pid.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  let total = ownCpuMs();
  const queue = [...(children.get(process.pid) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    total += processCpuMs(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
