// Connecting many distinct users at once, as after a server restart: 1,000 sockets as 1,000 users
// against the same 1,000 sockets as 10 users × 100 connections, on one server in one run. A user's
// first connection changes their presence, which every connected socket hears about; sent one frame
// per change, that made a reconnect wave cost O(users²) frames. Presence changes now go out in
// batches (server/src/realtime/presenceBatcher.ts), so the two shapes should cost about the same:
// the ratio of their connect times and server CPU is what this reports.
import { ClientPool } from './support/client-pool.ts';
import { row, type Benchmark } from './support/report.ts';
import {
  benchDataDir,
  createUsers,
  seedDataDir,
  startSwitchboard,
  stopTarget,
  type RunningTarget,
} from './support/servers.ts';
import { median, processCpuMs, round, sleep } from './support/stats.ts';

const SOCKETS = 1_000;
const SHARED_USERS = 10;
const ROUNDS = 3;
const CONCURRENCY = 100;
/** Lets the last presence batch (0.5 s) and the disconnects settle between measurements. */
const SETTLE_MS = 2_000;
/** Distinct users may cost this much more than shared ones; O(users²) presence was ~4.7×. */
const MAX_RATIO = 1.5;

interface Wave {
  connectMs: number;
  serverCpuMs: number | null;
}

async function wave(target: RunningTarget, tokens: string[]): Promise<Wave> {
  const pool = ClientPool.start(1);
  try {
    const pid = target.proc.child.pid!;
    const cpuBefore = processCpuMs(pid);
    const connectMs = await pool.connect({
      url: target.url,
      tokens,
      count: SOCKETS,
      concurrency: CONCURRENCY,
    });
    // The presence batches of this wave are sent after the last socket is in: count them too.
    await sleep(SETTLE_MS);
    const cpuAfter = processCpuMs(pid);
    await pool.disconnect();
    await sleep(SETTLE_MS);
    return {
      connectMs: Math.round(connectMs),
      serverCpuMs: cpuBefore === null || cpuAfter === null ? null : Math.round(cpuAfter - cpuBefore),
    };
  } finally {
    await pool.close();
  }
}

export const connect: Benchmark = {
  name: 'connect',
  description: `${SOCKETS.toLocaleString('en-US')} sockets connecting as ${SOCKETS.toLocaleString('en-US')} distinct users vs ${SHARED_USERS} users × ${SOCKETS / SHARED_USERS}`,
  async run() {
    const dataDir = benchDataDir();
    const seeded = await seedDataDir(dataDir, 'standard', async (services) => ({
      distinct: (await createUsers(services, 'distinct', SOCKETS)).map((u) => u.token),
      shared: (await createUsers(services, 'shared', SHARED_USERS)).map((u) => u.token),
    }));
    const target = await startSwitchboard(dataDir, { maxConnectionsPerUser: SOCKETS / SHARED_USERS + 10 });
    const distinct: Wave[] = [];
    const shared: Wave[] = [];
    try {
      // Warm-up: the first connections pay for compiling the server's connect path.
      await wave(target, seeded.shared);
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which goes first, so a drift in machine load falls on both.
        const order = r % 2 === 0 ? (['distinct', 'shared'] as const) : (['shared', 'distinct'] as const);
        for (const shape of order) {
          const result = await wave(target, seeded[shape]);
          (shape === 'distinct' ? distinct : shared).push(result);
          console.error(`  connect round ${r} ${shape}: ${JSON.stringify(result)}`);
        }
      }
    } finally {
      await stopTarget(target);
    }

    const med = (waves: Wave[], field: keyof Wave) => {
      const values = waves.map((w) => w[field]).filter((v): v is number => v !== null);
      return values.length > 0 ? round(median(values), 0) : null;
    };
    const versus = `${SHARED_USERS} users × ${SOCKETS / SHARED_USERS} connections`;
    const connectRatio = (med(distinct, 'connectMs') ?? 0) / (med(shared, 'connectMs') ?? 1);
    return {
      rows: [
        row(
          `time to connect ${SOCKETS.toLocaleString('en-US')}, median`,
          'ms',
          med(distinct, 'connectMs'),
          med(shared, 'connectMs'),
          versus,
        ),
        row(
          'server CPU for the wave, median',
          'ms',
          med(distinct, 'serverCpuMs'),
          med(shared, 'serverCpuMs'),
          versus,
        ),
      ],
      targets: [
        {
          description: `connecting ${SOCKETS.toLocaleString('en-US')} distinct users takes at most ${MAX_RATIO}× as long as the same sockets for ${SHARED_USERS} users (no O(users²) presence)`,
          met: connectRatio <= MAX_RATIO,
          actual: `${round(connectRatio, 2)}× (distinct ${distinct.map((w) => w.connectMs).join(', ')} ms; shared ${shared.map((w) => w.connectMs).join(', ')} ms)`,
        },
      ],
      details: { rounds: ROUNDS, concurrency: CONCURRENCY, distinct, shared },
    };
  },
};
