// Starting the two servers a benchmark compares, each in its own process so its CPU and memory are
// measured apart from the benchmark clients: Switchboard as the built CLI (server/dist/cli.js) over a
// fresh data dir, and the plain Socket.IO baseline (bench/baseline-broadcast.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentNotifier } from '../../server/src/domain/notifier.ts';
import { resolveConfig } from '../../server/src/config.ts';
import { openServices } from '../../server/src/server.ts';
import { spawnListening, spawnServer, tempDir, type ServerProcess } from '../../tests/support/server.ts';
import { sleep } from './stats.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASELINE_SCRIPT = path.join(HERE, '../baseline-broadcast.ts');
const MEMORY_HOOK = pathToFileURL(path.join(HERE, 'memory-hook.mjs')).href;

export type Services = Awaited<ReturnType<typeof openServices>>;

export interface BenchUser {
  id: string;
  token: string;
}

/** Limits that a benchmark must never hit: everything comes from 127.0.0.1 and a few users. */
const UNLIMITED = ['--rate-limit-user', '1000000000', '--rate-limit-ip', '1000000000'];

/**
 * Prepares a data dir before the server starts, through the same domain code the CLI uses. Creating
 * users hashes a password with argon2 each time, so benchmarks create a few users and open many
 * connections per user rather than one user per connection.
 */
export async function seedDataDir<T>(
  dataDir: string,
  durability: 'standard' | 'strict',
  setup: (s: Services) => Promise<T>,
): Promise<T> {
  const config = resolveConfig({ flags: { dataDir, durability } });
  const services = await openServices(config, { notifier: silentNotifier });
  try {
    return await setup(services);
  } finally {
    await services.db.destroy();
  }
}

/** `count` users named `<prefix>-<n>`, each with an access token. */
export async function createUsers(services: Services, prefix: string, count: number): Promise<BenchUser[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = await services.accounts.createUser({
        username: `${prefix}-${i}`,
        password: `bench-password-${i}`,
      });
      const { token } = await services.accounts.createToken(user.id, { kind: 'access', label: 'bench' });
      return { id: user.id, token };
    }),
  );
}

export interface RunningTarget {
  name: 'switchboard' | 'baseline';
  proc: ServerProcess;
  url: string;
  dataDir?: string;
}

function memoryEnv(withMemoryHook: boolean): NodeJS.ProcessEnv {
  return withMemoryHook ? { NODE_OPTIONS: `--expose-gc --import=${MEMORY_HOOK}` } : {};
}

export async function startSwitchboard(
  dataDir: string,
  options: { maxConnectionsPerUser: number; durability?: 'standard' | 'strict'; withMemoryHook?: boolean },
): Promise<RunningTarget> {
  const args = [
    '--port',
    '0',
    '--data-dir',
    dataDir,
    ...UNLIMITED,
    '--max-connections-per-user',
    String(options.maxConnectionsPerUser),
  ];
  args.push('--durability', options.durability ?? 'standard');
  const proc = await spawnServer(args, memoryEnv(options.withMemoryHook ?? false));
  return { name: 'switchboard', proc, url: proc.url, dataDir };
}

export async function startBaseline(options: { withMemoryHook?: boolean } = {}): Promise<RunningTarget> {
  // process.execArgv carries `--import tsx` from `npm run bench`, which the TypeScript baseline needs.
  const proc = await spawnListening(
    [...process.execArgv, BASELINE_SCRIPT, '--port', '0'],
    memoryEnv(options.withMemoryHook ?? false),
  );
  return { name: 'baseline', proc, url: proc.url };
}

export function benchDataDir(): string {
  return tempDir('switchboard-bench-');
}

/** SIGTERM, then SIGKILL if the server has not exited in time; removes its data dir. */
export async function stopTarget(target: RunningTarget): Promise<void> {
  const { child, exited } = target.proc;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  if (target.dataDir) fs.rmSync(target.dataDir, { recursive: true, force: true });
}

export interface MemorySample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Asks a server started `withMemoryHook` for its memory right after a full GC. */
export async function sampleMemory(target: RunningTarget): Promise<MemorySample> {
  const from = target.proc.output().length;
  target.proc.child.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const match = /bench-memory (\{.*\})\n/.exec(target.proc.output().slice(from));
    if (match) return JSON.parse(match[1]!) as MemorySample;
    await sleep(20);
  }
  throw new Error(`${target.name} did not report its memory:\n${target.proc.output().slice(-2000)}`);
}
