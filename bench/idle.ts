// Idle connections: server memory per connected, idle client at 5,000 clients, for Switchboard and the
// plain Socket.IO baseline. Each server runs with a preloaded hook (support/memory-hook.mjs) that forces
// a full GC before reading memory, so the figures are live objects, not garbage waiting for collection.
//
// Heap per client = (heap with 5,000 clients − heap with none, after a warm-up) ÷ 5,000, each the
// median of a few samples taken after a settle period.
import { newId } from '@switchboard/protocol';
import { ClientPool } from './support/client-pool.ts';
import { row, type Benchmark } from './support/report.ts';
import {
  benchDataDir,
  createUsers,
  sampleMemory,
  seedDataDir,
  startBaseline,
  startSwitchboard,
  stopTarget,
  type MemorySample,
  type RunningTarget,
} from './support/servers.ts';
import { median, round, sleep } from './support/stats.ts';

const CLIENTS = 5_000;
const USERS = 50; // 100 connections per user: see fanout.ts on why benchmarks share users
const WARM_UP_CLIENTS = 100;
const SAMPLES = 3;
const SETTLE_MS = 3_000;
const KB = 1024;

interface Measured {
  connectMs: number;
  before: MemorySample;
  after: MemorySample;
  perClient: { heapUsedKB: number | null; externalKB: number | null; rssKB: number | null };
}

async function medianMemory(target: RunningTarget): Promise<MemorySample> {
  const samples: MemorySample[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    samples.push(await sampleMemory(target));
    await sleep(500);
  }
  const pick = (key: keyof MemorySample) => median(samples.map((s) => s[key]));
  return {
    rss: pick('rss'),
    heapTotal: pick('heapTotal'),
    heapUsed: pick('heapUsed'),
    external: pick('external'),
    arrayBuffers: pick('arrayBuffers'),
  };
}

async function measure(
  target: RunningTarget,
  connectOptions: { tokens: string[]; joinRoom?: string },
): Promise<Measured> {
  const pool = ClientPool.start(1);
  try {
    // Warm-up: lazily built server state (JIT code, caches, first-connection paths) is not per client.
    await pool.connect({ url: target.url, ...connectOptions, count: WARM_UP_CLIENTS, concurrency: 50 });
    await pool.disconnect();
    await sleep(SETTLE_MS);
    const before = await medianMemory(target);
    const connectMs = await pool.connect({
      url: target.url,
      ...connectOptions,
      count: CLIENTS,
      concurrency: 100,
    });
    await sleep(SETTLE_MS);
    const after = await medianMemory(target);
    const per = (key: keyof MemorySample) => round((after[key] - before[key]) / CLIENTS / KB, 2);
    await pool.disconnect();
    return {
      connectMs: Math.round(connectMs),
      before,
      after,
      perClient: { heapUsedKB: per('heapUsed'), externalKB: per('external'), rssKB: per('rss') },
    };
  } finally {
    await pool.close();
  }
}

export const idle: Benchmark = {
  name: 'idle',
  description: `memory per idle connected client at ${CLIENTS.toLocaleString('en-US')} clients`,
  async run() {
    const baseTarget = await startBaseline({ withMemoryHook: true });
    let base: Measured;
    try {
      base = await measure(baseTarget, { tokens: ['none'], joinRoom: newId() });
    } finally {
      await stopTarget(baseTarget);
    }

    // Every client is a member of one channel, so its room membership is part of the cost.
    const dataDir = benchDataDir();
    const tokens = await seedDataDir(dataDir, 'standard', async (services) => {
      const users = await createUsers(services, 'idle', USERS);
      const channel = await services.channels.create(
        { id: users[0]!.id, isAdmin: false },
        { name: 'lobby', visibility: 'public' },
      );
      for (const u of users.slice(1)) await services.channels.join({ id: u.id, isAdmin: false }, channel.id);
      return users.map((u) => u.token);
    });
    const sbTarget = await startSwitchboard(dataDir, {
      maxConnectionsPerUser: Math.ceil(CLIENTS / USERS) + 10,
      withMemoryHook: true,
    });
    let sb: Measured;
    try {
      sb = await measure(sbTarget, { tokens });
    } finally {
      await stopTarget(sbTarget);
    }

    const versus = 'plain Socket.IO server';
    const heap = sb.perClient.heapUsedKB;
    const baseHeap = base.perClient.heapUsedKB;
    return {
      rows: [
        row('heap per client', 'KB', heap, base.perClient.heapUsedKB, versus),
        row('external memory per client', 'KB', sb.perClient.externalKB, base.perClient.externalKB, versus),
        row('RSS per client', 'KB', sb.perClient.rssKB, base.perClient.rssKB, versus),
        row(`time to connect ${CLIENTS} clients`, 'ms', sb.connectMs, base.connectMs, versus),
      ],
      targets: [
        {
          description: 'heap per client < 20 KB',
          met: heap !== null && heap < 20,
          actual: `${heap ?? '–'} KB`,
        },
        {
          description: 'issue 11: heap per client ≤ 8 KB and ≤ 0.8× the plain Socket.IO server',
          met: heap !== null && baseHeap !== null && heap <= 8 && heap <= 0.8 * baseHeap,
          actual: `${heap ?? '–'} KB, ${heap !== null && baseHeap ? (heap / baseHeap).toFixed(2) : '–'}×`,
        },
      ],
      details: {
        clients: CLIENTS,
        users: USERS,
        samples: SAMPLES,
        settleMs: SETTLE_MS,
        baseline: base,
        switchboard: sb,
      },
    };
  },
};
