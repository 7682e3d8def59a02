// Several nodes: the fan-out of bench/fanout.ts with its 1,000 members spread over 1, 2 and 3 nodes
// sharing one PostgreSQL and one Redis, and the publish load of bench/publish.ts on PostgreSQL, each
// beside one node on SQLite (the default deployment) measured in the same run.
//
// Everything shares this machine: the nodes, PostgreSQL, Redis and the clients. More nodes on the same
// cores cannot deliver more; what the run shows is what a node costs per delivery (the sum over nodes,
// and the busiest node's share), from which a machine per node can be predicted (docs/performance.md).
// PostgreSQL and Redis CPU is not counted as the server's: it shows in the foreign CPU of each step.
import fs from 'node:fs';
import { connect } from '../tests/support/server.ts';
import { startPostgres, type PostgresCluster } from '../tests/support/postgres.ts';
import { startRedis, type RedisServer } from '../tests/support/redis.ts';
import {
  CONNECTIONS_PER_USER,
  MEMBERS,
  runStep,
  seedFanoutChannel,
  STEP_MS,
  TARGET_RATE,
  type Side,
  type StepResult,
} from './fanout.ts';
import { commitTotals, drive, seedSenders, SENDERS, type RunResult } from './publish.ts';
import { ClientPool } from './support/client-pool.ts';
import { row, type Benchmark, type Row, type Target } from './support/report.ts';
import { benchDataDir, startSwitchboard, stopTarget, type RunningTarget } from './support/servers.ts';
import { processCpuMs, round } from './support/stats.ts';

const NODE_COUNTS = [1, 2, 3];
const CLIENT_PROCESSES = 2;
const ROUNDS = 3;
const RATES = [50, 100, 200, 400];
const PUBLISH_MS = 5_000;
const PUBLISH_WARM_UP_MS = 1_000;

/** One deployment: its nodes, and the Redis only it uses (nodes of other deployments must not hear it). */
interface Deployment {
  label: string;
  nodes: RunningTarget[];
  dataDir: string;
  redis?: RedisServer;
}

/** Arguments of a node of a deployment on PostgreSQL and Redis; none for SQLite. */
interface Backing {
  databaseUrl: string;
  redis: RedisServer;
}

async function startNodes(
  dataDir: string,
  count: number,
  maxConnectionsPerUser: number,
  backing?: Backing,
): Promise<RunningTarget[]> {
  const extraArgs = backing ? ['--database-url', backing.databaseUrl, '--redis-url', backing.redis.url] : [];
  const start = () => startSwitchboard(dataDir, { maxConnectionsPerUser, extraArgs });
  // The first node runs the migrations; the others find them done.
  const first = await start();
  const others = await Promise.all(Array.from({ length: count - 1 }, start));
  // One data dir for all (the shared files folder): removed once, by stopDeployment.
  return [first, ...others].map((node) => ({ ...node, dataDir: undefined }));
}

/** Every Redis the run started, stopped at its end whatever happened (stopping twice is harmless). */
const redisServers: RedisServer[] = [];

async function newBacking(postgres: PostgresCluster): Promise<Backing> {
  const redis = await startRedis();
  redisServers.push(redis);
  return { databaseUrl: await postgres.createDatabase('bench'), redis };
}

function labelOf(nodeCount: number, backing?: Backing): string {
  return backing ? `${nodeCount} node${nodeCount > 1 ? 's' : ''}, PostgreSQL + Redis` : '1 node, SQLite';
}

async function stopDeployment(deployment: Deployment): Promise<void> {
  for (const node of deployment.nodes) await stopTarget(node);
  await deployment.redis?.stop();
  fs.rmSync(deployment.dataDir, { recursive: true, force: true });
}

// ---- fan-out

interface FanoutSide extends Side {
  deployment: Deployment;
  /** Per round at the target rate and per sweep step: each node's CPU µs per delivery of the whole side. */
  nodeUsPerDelivery: (number | null)[][];
}

async function startFanoutSide(nodeCount: number, backing?: Backing): Promise<FanoutSide> {
  const dataDir = benchDataDir();
  const seeded = await seedFanoutChannel(dataDir, backing?.databaseUrl);
  const nodes = await startNodes(dataDir, nodeCount, CONNECTIONS_PER_USER, backing);
  const deployment: Deployment = {
    label: labelOf(nodeCount, backing),
    nodes,
    dataDir,
    redis: backing?.redis,
  };
  // The same 1,000 members, spread evenly over the nodes (as a load balancer would); the sender on
  // the first node.
  const pool = ClientPool.start(CLIENT_PROCESSES);
  for (const [i, node] of nodes.entries()) {
    const count = Math.floor(MEMBERS / nodeCount) + (i < MEMBERS % nodeCount ? 1 : 0);
    await pool.connect({ url: node.url, tokens: seeded.memberTokens, count, concurrency: 50 });
  }
  const { socket: sender } = await connect(nodes[0]!.url, seeded.senderToken);
  return {
    target: nodes[0]!,
    others: nodes.slice(1),
    pool,
    sender,
    channelId: seeded.channelId,
    steps: [],
    deployment,
    nodeUsPerDelivery: [],
  };
}

/** runStep, with each node's CPU measured over the same stretch. */
async function step(side: FanoutSide, rate: number, durationMs: number): Promise<StepResult> {
  const cpu = () => side.deployment.nodes.map((n) => processCpuMs(n.proc.child.pid!));
  const before = cpu();
  const { result } = await runStep(side, rate, durationMs);
  const after = cpu();
  side.nodeUsPerDelivery.push(
    after.map((a, i) =>
      a === null || before[i] === null || result.delivered === 0
        ? null
        : round(((a - before[i]!) * 1000) / result.delivered, 2),
    ),
  );
  return result;
}

async function stopFanoutSide(side: FanoutSide | undefined): Promise<void> {
  if (!side) return;
  side.sender.disconnect();
  await side.pool.disconnect().catch(() => undefined);
  await side.pool.close();
  await stopDeployment(side.deployment);
}

interface FanoutSummary {
  label: string;
  p50Ms: number | null;
  p99Ms: number | null;
  peakPerSec: number;
  /** Server CPU per delivery summed over the nodes, over steps in which no side was saturated. */
  usPerDelivery: number | null;
  /** The busiest node's CPU per delivery of the whole side, over the same steps. */
  busiestNodeUsPerDelivery: number | null;
  /** Deliveries/s the side would reach with a core of its own per node: 1 s ÷ the busiest node's cost. */
  predictedPerSec: number | null;
  /** Every event of every step at the target rate reached every member exactly once. */
  allDelivered: boolean;
}

function summariseFanout(side: FanoutSide, unsaturated: number[]): FanoutSummary {
  const atTarget = side.steps.filter((s) => s.rate === TARGET_RATE);
  const weighted = (values: (number | null)[]) => {
    let deliveries = 0;
    let total = 0;
    for (const i of unsaturated) {
      const value = values[i];
      if (value === null || value === undefined) return null;
      deliveries += side.steps[i]!.delivered;
      total += value * side.steps[i]!.delivered;
    }
    return deliveries === 0 ? null : round(total / deliveries, 2);
  };
  const busiest = weighted(
    side.nodeUsPerDelivery.map((perNode) =>
      perNode.includes(null) ? null : Math.max(...(perNode as number[])),
    ),
  );
  const median = (values: (number | null)[]) => {
    const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    return known.length === 0 ? null : known[Math.floor(known.length / 2)]!;
  };
  return {
    label: side.deployment.label,
    p50Ms: median(atTarget.map((s) => s.p50Ms)),
    p99Ms: median(atTarget.map((s) => s.p99Ms)),
    peakPerSec: Math.max(...side.steps.map((s) => s.deliveredPerSec ?? 0)),
    usPerDelivery: weighted(side.steps.map((s) => s.serverUsPerDelivery)),
    busiestNodeUsPerDelivery: busiest,
    predictedPerSec: busiest ? Math.round(1e6 / busiest) : null,
    allDelivered: atTarget.every((s) => s.delivered === s.expected && s.ackErrors === 0),
  };
}

async function runFanout(postgres: PostgresCluster): Promise<FanoutSummary[]> {
  const sides: FanoutSide[] = [];
  try {
    sides.push(await startFanoutSide(1));
    for (const n of NODE_COUNTS) sides.push(await startFanoutSide(n, await newBacking(postgres)));
    // Warm-up, not recorded (its CPU figures are dropped with it).
    for (const side of sides) {
      await runStep(side, TARGET_RATE, 1_000);
    }
    // Sides take turns at every rate, so drift in the machine's load hits them alike.
    for (let i = 0; i < ROUNDS; i++)
      for (const side of sides) side.steps.push(await step(side, TARGET_RATE, STEP_MS));
    for (const rate of RATES) {
      for (const side of sides) side.steps.push(await step(side, rate, STEP_MS));
      if (sides.every((side) => side.steps[side.steps.length - 1]!.saturated)) break;
    }
    const unsaturated = sides[0]!.steps.flatMap((_, i) =>
      sides.some((s) => s.steps[i]!.saturated) ? [] : [i],
    );
    return sides.map((side) => summariseFanout(side, unsaturated));
  } finally {
    for (const side of sides) await stopFanoutSide(side);
  }
}

// ---- publish

interface PublishResult extends RunResult {
  label: string;
  /** CPU µs per acked message, summed over the nodes. */
  nodesUsPerMessage: number | null;
}

/** 50 senders, each in its own channel, spread over the nodes; acked messages/s. */
async function runPublish(nodeCount: number, backing?: Backing): Promise<PublishResult> {
  const dataDir = benchDataDir();
  const { users, channelIds } = await seedSenders(dataDir, 'standard', backing?.databaseUrl);
  const nodes = await startNodes(dataDir, nodeCount, 5, backing);
  const label = labelOf(nodeCount, backing);
  const deployment: Deployment = { label, nodes, dataDir, redis: backing?.redis };
  const senders = await Promise.all(
    users.map(async (u, i) => ({
      socket: (await connect(nodes[i % nodeCount]!.url, u.token)).socket,
      channelId: channelIds[i]!,
    })),
  );
  try {
    await drive(senders, PUBLISH_WARM_UP_MS);
    const totals = () => Promise.all(nodes.map((n) => commitTotals(n.url)));
    const cpu = () => nodes.reduce((a, n) => a + (processCpuMs(n.proc.child.pid!) ?? NaN), 0);
    const [commitsBefore, cpuBefore] = [await totals(), cpu()];
    const result = await drive(senders, PUBLISH_MS);
    const [commitsAfter, cpuAfter] = [await totals(), cpu()];
    const sum = (t: { sends: number; commits: number }[], k: 'sends' | 'commits') =>
      t.reduce((a, x) => a + x[k], 0);
    const used = cpuAfter - cpuBefore;
    const out: PublishResult = {
      ...result,
      label,
      meanCommitBatch: round(
        (sum(commitsAfter, 'sends') - sum(commitsBefore, 'sends')) /
          (sum(commitsAfter, 'commits') - sum(commitsBefore, 'commits')),
        2,
      ),
      nodesUsPerMessage:
        Number.isNaN(used) || result.acked === 0 ? null : round((1000 * used) / result.acked),
    };
    console.error(`  cluster publish ${label}: ${JSON.stringify(out)}`);
    return out;
  } finally {
    for (const s of senders) s.socket.disconnect();
    await stopDeployment(deployment);
  }
}

// ---- the benchmark

export const cluster: Benchmark = {
  name: 'cluster',
  description: `fan-out to ${MEMBERS.toLocaleString('en-US')} members over 1, 2 and 3 nodes on PostgreSQL + Redis, and ${SENDERS} senders' acks/s, beside 1 node on SQLite`,
  async run() {
    const postgres = await startPostgres();
    try {
      const fanout = await runFanout(postgres);
      const publish = [await runPublish(1)];
      for (const n of NODE_COUNTS) publish.push(await runPublish(n, await newBacking(postgres)));
      return report(fanout, publish);
    } finally {
      for (const redis of redisServers.splice(0)) await redis.stop();
      await postgres.stop();
    }
  },
};

function report(fanout: FanoutSummary[], publish: PublishResult[]) {
  const rows: Row[] = [];
  const [sqlite, onePg] = [fanout[0]!, fanout[1]!];
  const atTarget = `at ${(TARGET_RATE * MEMBERS).toLocaleString('en-US')} deliveries/s`;
  for (const side of fanout.slice(1)) {
    for (const base of side === onePg ? [sqlite] : [sqlite, onePg]) {
      const versus = base.label;
      rows.push(
        row(`fan-out p50 ${atTarget}, ${side.label}`, 'ms', side.p50Ms, base.p50Ms, versus),
        row(`fan-out p99 ${atTarget}, ${side.label}`, 'ms', side.p99Ms, base.p99Ms, versus),
        row(
          `fan-out peak deliveries/s observed, ${side.label}`,
          '1/s',
          side.peakPerSec,
          base.peakPerSec,
          versus,
        ),
        row(
          `server CPU per delivery, all nodes, ${side.label}`,
          'µs',
          side.usPerDelivery,
          base.usPerDelivery,
          versus,
        ),
        row(
          `busiest node's CPU per delivery, ${side.label}`,
          'µs',
          side.busiestNodeUsPerDelivery,
          base.busiestNodeUsPerDelivery,
          versus,
        ),
        row(
          `predicted deliveries/s, a core per node, ${side.label}`,
          '1/s',
          side.predictedPerSec,
          base.predictedPerSec,
          versus,
        ),
      );
    }
  }
  const [pubSqlite, pubOnePg] = [publish[0]!, publish[1]!];
  for (const side of publish.slice(1)) {
    for (const base of side === pubOnePg ? [pubSqlite] : [pubSqlite, pubOnePg]) {
      rows.push(
        row(`acked msgs/s, ${SENDERS} senders, ${side.label}`, '1/s', side.perSec, base.perSec, base.label),
        row(`ack latency p99, ${side.label}`, 'ms', side.p99Ms, base.p99Ms, base.label),
        row(
          `server CPU per acked msg, all nodes, ${side.label}`,
          'µs',
          side.nodesUsPerMessage,
          base.nodesUsPerMessage,
          base.label,
        ),
      );
    }
  }
  const targets: Target[] = [
    {
      description: `every event at ${TARGET_RATE} msg/s reached all ${MEMBERS.toLocaleString('en-US')} members once, on every deployment`,
      met: fanout.every((s) => s.allDelivered),
      actual: fanout.map((s) => `${s.label}: ${s.allDelivered ? 'all' : 'not all'}`).join('; '),
    },
    {
      description: 'every publish deployment acked without errors',
      met: publish.every((p) => p.errors === 0),
      actual: publish.map((p) => `${p.label}: ${p.errors} errors`).join('; '),
    },
  ];
  return {
    rows,
    targets,
    details: {
      members: MEMBERS,
      clientProcesses: CLIENT_PROCESSES,
      stepMs: STEP_MS,
      publishMs: PUBLISH_MS,
      fanout,
      publish,
    },
  };
}
