// Fan-out: one channel with 1,000 connected members on loopback and one sender at a fixed rate, against
// Switchboard (persistence, auth, validation on) and the plain Socket.IO broadcast baseline.
//
// A step sends at `rate` msg/s for STEP_MS, so it offers rate × 1,000 deliveries/s. The members sit in
// client processes; each received event's latency is measured from the send call (timestamp in the
// message text). Steps alternate between the two servers so drift in the machine's load hits both.
// First the latency target is measured at 10 msg/s over several rounds; then the rate climbs until both
// servers fall behind (saturated), which gives the peak deliveries/s each reached at the same rates.
import { newId } from '@switchboard/protocol';
import { call, connect, type TestSocket } from '../tests/support/server.ts';
import { ClientPool } from './support/client-pool.ts';
import { row, type Benchmark, type Target } from './support/report.ts';
import {
  benchDataDir,
  createUsers,
  seedDataDir,
  startBaseline,
  startSwitchboard,
  stopTarget,
  type RunningTarget,
} from './support/servers.ts';
import { ForeignLoad, Histogram, nowMs, ownCpuMs, processCpuMs, round, sleep } from './support/stats.ts';

export const MEMBERS = 1_000;
const USERS = 10; // members share users: argon2 makes creating 1,000 users slow, and fan-out is per connection
const CLIENT_PROCESSES = 2;
export const TARGET_RATE = 10; // msg/s → 10,000 deliveries/s, where the issue sets the latency target
const TARGET_ROUNDS = 5;
/**
 * Other work on a shared machine (here: other test runs) takes cores from the server and the clients
 * alike, and latency follows. Rounds in which other processes used less than this share of one core
 * show what the server does when it has the machine; all rounds are reported too.
 */
const QUIET_FOREIGN_PCT = 25;
const IDLE_MS = 3_000;
const RATES = [25, 50, 100, 200, 400];
export const STEP_MS = 3_000;
const DRAIN_MS = 10_000;
/** A step that delivers less than this share of what it offered, or this late, is saturated. */
const SATURATED_SHARE = 0.9;
const SATURATED_P99_MS = 1_000;
const FILLER = 'a typical chat line of about a hundred characters, long enough to be realistic here.';

export interface Side {
  /** The server the sender talks to. */
  target: RunningTarget;
  /** Other nodes of the same deployment (bench/cluster.ts): their CPU counts as the server's. */
  others?: RunningTarget[];
  pool: ClientPool;
  sender: TestSocket;
  channelId: string;
  steps: StepResult[];
}

export interface StepResult {
  rate: number;
  offeredPerSec: number;
  sent: number;
  ackErrors: number;
  delivered: number;
  expected: number;
  deliveredPerSec: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /**
   * Send → ack at the sender. Both servers ack after the broadcast call returned, i.e. once every
   * member's frame was written (or queued) to its socket: the server's share of the latency, before
   * the clients (which share this machine) read and decode.
   */
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  serverCpuPct: number | null;
  clientCpuPct: number;
  /** Server CPU microseconds per delivery: the server's own cost, independent of who else had the cores. */
  serverUsPerDelivery: number | null;
  /** CPU that processes outside the benchmark took meanwhile, in % of one core (of 200 %). */
  foreignCpuPct: number | null;
  saturated: boolean;
}

let stepCounter = 0;

/** CPU milliseconds every server process of a side has used so far; null where /proc is missing. */
function sideCpuMs(side: Side): number | null {
  const each = [side.target, ...(side.others ?? [])].map((t) => processCpuMs(t.proc.child.pid!));
  return each.includes(null) ? null : each.reduce((a, b) => a! + b!, 0);
}

export async function runStep(
  side: Side,
  rate: number,
  durationMs: number,
): Promise<{ result: StepResult; histogram: Histogram; ackHistogram: Histogram }> {
  const step = `s${++stepCounter}`;
  await side.pool.measure(step);
  const foreign = new ForeignLoad();
  const ownBefore = ownCpuMs();
  const cpuBefore = sideCpuMs(side);
  let sent = 0;
  let acked = 0;
  let ackErrors = 0;
  const ackLatency = new Histogram();
  const started = nowMs();
  // Send what is due every few ms: exact rate on average, small bursts at high rates.
  while (nowMs() - started < durationMs) {
    const due = Math.min(
      Math.floor(((nowMs() - started) * rate) / 1000) + 1,
      Math.round((durationMs * rate) / 1000),
    );
    while (sent < due) {
      sent += 1;
      const sentAt = nowMs();
      const payload = {
        channelId: side.channelId,
        clientId: newId(),
        text: `${step} ${sentAt.toFixed(3)} ${FILLER}`,
      };
      side.sender.emit('message.send', payload, (r: { ok: boolean }) => {
        ackLatency.record(nowMs() - sentAt);
        acked += 1;
        if (!r.ok) ackErrors += 1;
      });
    }
    await sleep(2);
  }
  const expected = sent * MEMBERS;
  let report = await side.pool.report();
  const drainUntil = Date.now() + DRAIN_MS;
  while ((report.delivered < expected || acked < sent) && Date.now() < drainUntil) {
    await sleep(100);
    report = await side.pool.report();
  }
  const cpuAfter = sideCpuMs(side);
  const wallMs = nowMs() - started;
  const spanMs = report.lastAt === null ? null : report.lastAt - started;
  const serverCpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const deliveredPerSec = spanMs === null ? null : report.delivered / (Math.max(spanMs, durationMs) / 1000);
  const p99 = report.histogram.percentile(99);
  const foreignCpuPct = foreign.percent((serverCpuMs ?? 0) + report.cpuMs + ownCpuMs() - ownBefore);
  const saturated =
    report.delivered < expected ||
    (deliveredPerSec ?? 0) < SATURATED_SHARE * rate * MEMBERS ||
    (p99 ?? Infinity) > SATURATED_P99_MS;
  const result: StepResult = {
    rate,
    offeredPerSec: rate * MEMBERS,
    sent,
    ackErrors,
    delivered: report.delivered,
    expected,
    deliveredPerSec: round(deliveredPerSec, 0),
    p50Ms: round(report.histogram.percentile(50), 2),
    p99Ms: round(p99, 2),
    maxMs: round(report.histogram.percentile(100), 2),
    ackP50Ms: round(ackLatency.percentile(50), 2),
    ackP99Ms: round(ackLatency.percentile(99), 2),
    serverCpuPct: serverCpuMs === null ? null : round((100 * serverCpuMs) / wallMs),
    clientCpuPct: round((100 * report.cpuMs) / wallMs) ?? 0,
    serverUsPerDelivery:
      serverCpuMs === null || report.delivered === 0
        ? null
        : round((serverCpuMs * 1000) / report.delivered, 2),
    foreignCpuPct,
    saturated,
  };
  console.error(`  fanout ${side.target.name} ${rate} msg/s: ${JSON.stringify(result)}`);
  return { result, histogram: report.histogram, ackHistogram: ackLatency };
}

async function idleCpuPct(side: Side): Promise<number | null> {
  const before = processCpuMs(side.target.proc.child.pid!);
  const started = performance.now();
  await sleep(IDLE_MS);
  const after = processCpuMs(side.target.proc.child.pid!);
  return before === null || after === null
    ? null
    : round((100 * (after - before)) / (performance.now() - started));
}

async function startBaselineSide(): Promise<Side> {
  const target = await startBaseline();
  const channelId = newId();
  const pool = ClientPool.start(CLIENT_PROCESSES);
  await pool.connect({
    url: target.url,
    tokens: ['none'],
    count: MEMBERS,
    concurrency: 50,
    joinRoom: channelId,
  });
  const { socket: sender } = await connect(target.url, 'none');
  await call(sender, 'channel.join', { channelId });
  return { target, pool, sender, channelId, steps: [] };
}

/** Members share users (USERS), each holding at most this many connections. */
export const CONNECTIONS_PER_USER = Math.ceil(MEMBERS / USERS) + 10;

/** The channel the steps send to, with its sender and members, made in a data dir (or at `databaseUrl`). */
export function seedFanoutChannel(dataDir: string, databaseUrl?: string) {
  return seedDataDir(
    dataDir,
    'standard',
    async (services) => {
      const [sender] = await createUsers(services, 'sender', 1);
      const members = await createUsers(services, 'member', USERS);
      const channel = await services.channels.create(
        { id: sender!.id, isAdmin: false },
        { name: 'fanout', visibility: 'public' },
      );
      for (const m of members) await services.channels.join({ id: m.id, isAdmin: false }, channel.id);
      return { channelId: channel.id, senderToken: sender!.token, memberTokens: members.map((m) => m.token) };
    },
    databaseUrl,
  );
}

async function startSwitchboardSide(): Promise<Side> {
  const dataDir = benchDataDir();
  const { channelId, senderToken, memberTokens } = await seedFanoutChannel(dataDir);
  const target = await startSwitchboard(dataDir, { maxConnectionsPerUser: CONNECTIONS_PER_USER });
  const pool = ClientPool.start(CLIENT_PROCESSES);
  await pool.connect({ url: target.url, tokens: memberTokens, count: MEMBERS, concurrency: 50 });
  const { socket: sender } = await connect(target.url, senderToken);
  return { target, pool, sender, channelId, steps: [] };
}

async function stopSide(side: Side | undefined): Promise<void> {
  if (!side) return;
  side.sender.disconnect();
  await side.pool.disconnect().catch(() => undefined);
  await side.pool.close();
  await stopTarget(side.target);
}

export const fanout: Benchmark = {
  name: 'fanout',
  description: `one channel, ${MEMBERS.toLocaleString('en-US')} members, one sender at fixed rates`,
  async run() {
    let baseline: Side | undefined;
    let switchboard: Side | undefined;
    try {
      baseline = await startBaselineSide();
      switchboard = await startSwitchboardSide();
      const sides = [baseline, switchboard];
      // Warm-up (JIT, lazy paths), not recorded.
      for (const side of sides) await runStep(side, TARGET_RATE, 1_000);
      // What 1,000 connected members cost with nothing sent (timers, pings, metrics): the floor
      // under the per-delivery cost at low rates.
      const idle = new Map<Side, number | null>();
      for (const side of sides) idle.set(side, await idleCpuPct(side));
      const rounds = new Map<Side, Round[]>(sides.map((side) => [side, []]));
      for (let i = 0; i < TARGET_ROUNDS; i++) {
        for (const side of sides) {
          const { result, histogram, ackHistogram } = await runStep(side, TARGET_RATE, STEP_MS);
          side.steps.push(result);
          rounds.get(side)!.push({ step: result, receive: histogram, ack: ackHistogram });
        }
      }
      for (const rate of RATES) {
        for (const side of sides) side.steps.push((await runStep(side, rate, STEP_MS)).result);
        if (sides.every((side) => side.steps[side.steps.length - 1]!.saturated)) break;
      }
      const summary = (side: Side) => ({
        steps: side.steps,
        rounds: rounds.get(side)!,
        idleCpuPct: idle.get(side)!,
      });
      return summarise(summary(switchboard), summary(baseline));
    } finally {
      await stopSide(switchboard);
      await stopSide(baseline);
    }
  },
};

interface Round {
  step: StepResult;
  receive: Histogram;
  ack: Histogram;
}

interface SideSummary {
  steps: StepResult[];
  rounds: Round[];
  idleCpuPct: number | null;
}

function percentile(rounds: Round[], kind: 'receive' | 'ack', p: number): number | null {
  const merged = new Histogram();
  for (const r of rounds) merged.merge(r[kind].counts);
  return round(merged.percentile(p), 2);
}

/** Rounds in which other processes left the benchmark (nearly) the whole machine. */
function quiet(rounds: Round[]): Round[] {
  return rounds.filter((r) => r.step.foreignCpuPct !== null && r.step.foreignCpuPct < QUIET_FOREIGN_PCT);
}

function summarise(sb: SideSummary, base: SideSummary) {
  const versus = 'plain Socket.IO broadcast';
  const atTarget = `at ${(TARGET_RATE * MEMBERS).toLocaleString('en-US')} deliveries/s`;
  const latency = (label: string, pick: (rounds: Round[]) => Round[], kind: 'receive' | 'ack', p: number) =>
    row(
      `${label} p${p} ${atTarget}`,
      'ms',
      percentile(pick(sb.rounds), kind, p),
      percentile(pick(base.rounds), kind, p),
      versus,
    );
  const all = (rounds: Round[]) => rounds;

  const sweep = (side: SideSummary) => side.steps.filter((s) => s.rate !== TARGET_RATE);
  const peak = (side: SideSummary) => Math.max(...sweep(side).map((s) => s.deliveredPerSec ?? 0));
  // Server CPU per delivery over the steps in which neither server was saturated.
  const cost = (side: SideSummary, other: SideSummary) => {
    const used = side.steps.filter(
      (s, i) =>
        !s.saturated && other.steps[i] && !other.steps[i]!.saturated && s.serverUsPerDelivery !== null,
    );
    const deliveries = used.reduce((a, s) => a + s.delivered, 0);
    return deliveries === 0
      ? null
      : round(used.reduce((a, s) => a + s.serverUsPerDelivery! * s.delivered, 0) / deliveries, 2);
  };
  const capacity = (us: number | null) => (us ? Math.round(1e6 / us) : null);

  const rows = [
    latency('send→receive', all, 'receive', 50),
    latency('send→receive', all, 'receive', 99),
    latency(`send→receive, rounds with < ${QUIET_FOREIGN_PCT} % foreign CPU,`, quiet, 'receive', 99),
    latency('send→ack (server done broadcasting)', all, 'ack', 50),
    latency('send→ack (server done broadcasting)', all, 'ack', 99),
    row('peak deliveries/s observed', '1/s', peak(sb), peak(base), versus),
    row('server CPU, members connected, nothing sent', '% core', sb.idleCpuPct, base.idleCpuPct, versus),
    row('server CPU per delivery (unsaturated steps)', 'µs', cost(sb, base), cost(base, sb), versus),
    row(
      'server-bound capacity (1 core ÷ CPU per delivery)',
      '1/s',
      capacity(cost(sb, base)),
      capacity(cost(base, sb)),
      versus,
    ),
  ];

  const throughputRatio = peak(sb) / peak(base);
  const quietP99 = percentile(quiet(sb.rounds), 'receive', 99);
  const allDelivered = sb.rounds.every((r) => r.step.delivered === r.step.expected);
  const perRound = (side: SideSummary) =>
    side.rounds.map((r) => `${r.step.p99Ms} ms (${r.step.foreignCpuPct ?? '?'} % foreign)`).join(', ');
  const targets: Target[] = [
    {
      description: 'throughput ≥ 0.5× baseline with persistence on (peak deliveries/s observed)',
      met: throughputRatio >= 0.5,
      actual: `${throughputRatio.toFixed(2)}×`,
    },
    {
      description: 'issue 11: peak deliveries/s ≥ 1.0× plain Socket.IO broadcast',
      met: throughputRatio >= 1,
      actual: `${throughputRatio.toFixed(2)}×`,
    },
    {
      description: `p99 < 50 ms ${atTarget}, judged on rounds with < ${QUIET_FOREIGN_PCT} % foreign CPU`,
      met: quietP99 !== null && quietP99 < 50 && allDelivered,
      actual: `${quietP99 === null ? 'no quiet round' : `${quietP99} ms`}; per round ${perRound(sb)}; baseline ${perRound(base)}`,
    },
  ];
  return {
    rows,
    targets,
    details: {
      members: MEMBERS,
      users: USERS,
      clientProcesses: CLIENT_PROCESSES,
      stepMs: STEP_MS,
      baseline: base.steps,
      switchboard: sb.steps,
    },
  };
}
