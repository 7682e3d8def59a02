// Starting the two servers a benchmark compares, each in its own process so its CPU and memory are
// measured apart from the benchmark clients: Switchboard as the built CLI (server/dist/cli.js) over a
// fresh data dir, and the plain Socket.IO baseline (bench/baseline-broadcast.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newId } from '@switchboard/protocol';
import { silentNotifier } from '../../server/src/domain/notifier.ts';
import { resolveConfig } from '../../server/src/config.ts';
import { openServices } from '../../server/src/server.ts';
import type { MessagesTable } from '../../server/src/store/schema.ts';
import { spawnListening, spawnServer, tempDir, type ServerProcess } from '../../tests/support/server.ts';
import { sleep } from './stats.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASELINE_SCRIPT = path.join(HERE, '../baseline-broadcast.ts');
const MEMORY_HOOK = pathToFileURL(path.join(HERE, 'memory-hook.mjs')).href;

export type Services = Awaited<ReturnType<typeof openServices>>;

export interface BenchUser {
  id: string;
  token: string;
  username: string;
  /** For signing in through a page (the UI benchmarks). */
  password: string;
}

/** Limits that a benchmark must never hit: everything comes from 127.0.0.1 and a few users. */
const UNLIMITED = [
  '--rate-limit-user',
  '1000000000',
  '--rate-limit-ip',
  '1000000000',
  // The UI benchmarks sign in through the page once per fresh browser context.
  '--rate-limit-login',
  '1000000',
  // Thousands of client sockets from one address, connecting at once.
  '--max-connections-per-address',
  '1000000000',
  '--max-pending-sessions-per-address',
  '1000000000',
];

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
      const credentials = { username: `${prefix}-${i}`, password: `bench-password-${i}` };
      const user = await services.accounts.createUser(credentials);
      const { token } = await services.accounts.createToken(user.id, { kind: 'access', label: 'bench' });
      return { id: user.id, token, ...credentials };
    }),
  );
}

/**
 * Appends `count` messages to a channel straight into the store, in multi-row inserts inside one
 * transaction, with the seqs the domain would have given them (next after head_seq, change_seq = seq)
 * and head_seq moved to the last; every member's read cursor goes to the head, so the channel opens
 * at its newest message. For history a benchmark needs but does not measure: sending 100,000 messages
 * through the domain would take minutes. `authorOf` and `textOf` get the message's 1-based number;
 * timestamps are one second apart, ending now. No text may mention anyone (no mention rows).
 */
export async function appendMessages(
  services: Services,
  channelId: string,
  count: number,
  authorOf: (n: number) => string,
  textOf: (n: number) => string,
): Promise<void> {
  const BATCH = 500;
  const firstTs = Date.now() - count * 1000;
  await services.db.transaction().execute(async (trx) => {
    const channel = await trx
      .selectFrom('channels')
      .select('head_seq')
      .where('id', '=', channelId)
      .executeTakeFirstOrThrow();
    const head = Number(channel.head_seq);
    for (let from = 1; from <= count; from += BATCH) {
      const rows: MessagesTable[] = [];
      for (let n = from; n < from + BATCH && n <= count; n++) {
        rows.push({
          id: newId(),
          channel_id: channelId,
          seq: head + n,
          change_seq: head + n,
          author_id: authorOf(n),
          client_id: newId(),
          text: textOf(n),
          created_at: firstTs + n * 1000,
          edited_at: null,
          deleted_at: null,
          kind: 'text',
          notice: null,
          parent_id: null,
          also_in_channel: 0,
          reply_count: 0,
          last_reply_at: null,
          replier_ids: '',
        });
      }
      await trx.insertInto('messages').values(rows).execute();
    }
    await trx
      .updateTable('channels')
      .set({ head_seq: head + count })
      .where('id', '=', channelId)
      .execute();
    await trx
      .updateTable('channel_members')
      .set({ read_seq: head + count })
      .where('channel_id', '=', channelId)
      .execute();
  });
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
