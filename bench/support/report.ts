// What a benchmark returns, and how run.ts prints it. Every figure sits beside the baseline measured in
// the same run, with the ratio, because absolute numbers on a shared 2-core machine drift between runs.
import os from 'node:os';

export interface Row {
  measurement: string;
  unit: string;
  switchboard: number | null;
  baseline: number | null;
  /** Which baseline the row compares against. */
  versus: string;
  /** switchboard / baseline (for latencies and costs, above 1 means Switchboard is slower). */
  ratio: number | null;
}

export interface Target {
  description: string;
  met: boolean;
  actual: string;
}

export interface BenchResult {
  name: string;
  description: string;
  rows: Row[];
  targets: Target[];
  /** Raw per-step figures for docs and later comparison. */
  details: unknown;
  durationMs: number;
  loadAverage: { before: number[]; after: number[] };
}

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<Omit<BenchResult, 'name' | 'description' | 'durationMs' | 'loadAverage'>>;
}

export function row(
  measurement: string,
  unit: string,
  switchboard: number | null,
  baseline: number | null,
  versus: string,
): Row {
  const ratio = switchboard !== null && baseline !== null && baseline !== 0 ? switchboard / baseline : null;
  return {
    measurement,
    unit,
    switchboard,
    baseline,
    versus,
    ratio: ratio === null ? null : Math.round(ratio * 100) / 100,
  };
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

function cell(value: number | null): string {
  if (value === null) return '–';
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : String(Math.round(value * 100) / 100);
}

/** A plain-text table of one benchmark's rows and targets. */
export function formatResult(result: BenchResult): string {
  const header = ['measurement', 'switchboard', 'baseline', 'ratio', 'baseline is'];
  const lines = result.rows.map((r) => [
    `${r.measurement} (${r.unit})`,
    cell(r.switchboard),
    cell(r.baseline),
    r.ratio === null ? '–' : `${r.ratio}×`,
    r.versus,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) =>
    cols.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `== ${result.name}: ${result.description} (${(result.durationMs / 1000).toFixed(0)} s, load ${result.loadAverage.before[0]?.toFixed(2)} → ${result.loadAverage.after[0]?.toFixed(2)})`,
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...lines.map(fmt),
  ];
  for (const t of result.targets)
    out.push(`target ${t.met ? 'MET   ' : 'MISSED'} ${t.description}: ${t.actual}`);
  return out.join('\n');
}
