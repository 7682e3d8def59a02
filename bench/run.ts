// Runs the benchmarks (all, or those named on the command line), each beside its baseline, prints a
// table per benchmark and writes bench/results/latest.json. Usage: npm run bench [-- fanout idle connect publish]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from './connect.ts';
import { desktopIdleMemory, desktopMainLoop } from './desktop.ts';
import { fanout } from './fanout.ts';
import { idle } from './idle.ts';
import { publish } from './publish.ts';
import { search } from './search.ts';
import { uiBurst } from './ui-burst.ts';
import { uiOpenChannel } from './ui-open-channel.ts';
import { unread } from './unread.ts';
import { removeTempDirs } from '../tests/support/tempDirs.ts';
import { formatResult, machine, type BenchResult, type Benchmark } from './support/report.ts';

const BENCHMARKS: Benchmark[] = [
  fanout,
  idle,
  connect,
  publish,
  uiBurst,
  uiOpenChannel,
  unread,
  search,
  desktopMainLoop,
  desktopIdleMemory,
];
const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results/latest.json');

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
    return 2;
  }
  const selected = names.length > 0 ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  const results: BenchResult[] = [];
  for (const bench of selected) {
    console.error(`running ${bench.name}: ${bench.description}`);
    const before = os.loadavg();
    const started = performance.now();
    const outcome = await bench.run();
    results.push({
      name: bench.name,
      description: bench.description,
      ...outcome,
      durationMs: Math.round(performance.now() - started),
      loadAverage: { before, after: os.loadavg() },
    });
    console.log(`\n${formatResult(results[results.length - 1]!)}\n`);
  }
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(
    RESULTS,
    `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), results }, null, 2)}\n`,
  );
  console.log(`results written to ${path.relative(process.cwd(), RESULTS)}`);
  return 0;
}

try {
  process.exitCode = await main();
} finally {
  removeTempDirs();
}
