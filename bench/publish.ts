// Publish-to-commit: acknowledged messages per second from 50 concurrent senders, each waiting for its
// ack before sending the next, on SQLite with durability standard and strict.
//
// Two baselines, each answering a different question:
// - the plain Socket.IO server acks without storing anything: the ceiling the transport and these
//   clients allow (how much of the time is ours at all);
// - hand-written better-sqlite3 with prepared statements doing the same writes per message as
//   Switchboard (idempotency lookup, seq and list-place bump, insert, read cursor with its unread
//   counters), one transaction per message, in a
//   loop with no network: what the database does when every message is committed on its own. Strict
//   fsyncs each of those commits; Switchboard groups concurrent sends into one commit.
import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { newId } from '@switchboard/protocol';
import { sqliteFileFor } from '../server/src/store/database.ts';
import { call, connect, type TestSocket } from '../tests/support/server.ts';
import { row, type Benchmark } from './support/report.ts';
import {
  benchDataDir,
  createUsers,
  seedDataDir,
  startBaseline,
  startSwitchboard,
  stopTarget,
  type BenchUser,
  type RunningTarget,
} from './support/servers.ts';
import { ForeignLoad, Histogram, ownCpuMs, processCpuMs, round } from './support/stats.ts';

export const SENDERS = 50;
const DURATION_MS = 10_000;
const WARM_UP_MS = 1_000;
const TEXT = 'a typical chat line of about a hundred characters, long enough to be realistic for this test.';

type Durability = 'standard' | 'strict';

export interface RunResult {
  acked: number;
  errors: number;
  perSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** CPU of the process that commits: the server, or for the SQLite baseline the benchmark itself. */
  serverCpuPct: number | null;
  /** Server CPU microseconds per acknowledged message: its own cost, whoever else had the cores. */
  serverUsPerMessage: number | null;
  /** CPU that processes outside the benchmark took meanwhile, in % of one core (of 200 %). */
  foreignCpuPct: number | null;
  /** Switchboard only: mean sends per group commit, from its /metrics. */
  meanCommitBatch?: number | null;
}

export interface Sender {
  socket: TestSocket;
  channelId: string;
}

/** Every sender sends, waits for its ack, and sends again until the time is up. */
export async function drive(
  senders: Sender[],
  durationMs: number,
  target?: RunningTarget,
): Promise<RunResult> {
  const histogram = new Histogram();
  let acked = 0;
  let errors = 0;
  const cpuBefore = target ? processCpuMs(target.proc.child.pid!) : null;
  const foreign = new ForeignLoad();
  const ownBefore = ownCpuMs();
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    senders.map(async ({ socket, channelId }) => {
      while (performance.now() < end) {
        const sentAt = performance.now();
        const result = await call(socket, 'message.send', { channelId, clientId: newId(), text: TEXT });
        if (!result.ok) {
          errors += 1;
          continue;
        }
        histogram.record(performance.now() - sentAt);
        acked += 1;
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpuAfter = target ? processCpuMs(target.proc.child.pid!) : null;
  const serverCpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return {
    acked,
    errors,
    perSec: Math.round(acked / (wallMs / 1000)),
    p50Ms: round(histogram.percentile(50), 2),
    p99Ms: round(histogram.percentile(99), 2),
    serverCpuPct: serverCpuMs === null ? null : round((100 * serverCpuMs) / wallMs),
    serverUsPerMessage: serverCpuMs === null || acked === 0 ? null : round((1000 * serverCpuMs) / acked),
    foreignCpuPct: foreign.percent((serverCpuMs ?? 0) + ownCpuMs() - ownBefore),
  };
}

export async function seedSenders(
  dataDir: string,
  durability: Durability,
  databaseUrl?: string,
): Promise<{ users: BenchUser[]; channelIds: string[] }> {
  return seedDataDir(
    dataDir,
    durability,
    async (services) => {
      const users = await createUsers(services, 'sender', SENDERS);
      // One private channel per sender: the benchmark measures commits, not fan-out to the other senders.
      const channelIds: string[] = [];
      for (const [i, u] of users.entries()) {
        channelIds.push(
          (
            await services.channels.create(
              { id: u.id, isAdmin: false },
              { name: `publish-${i}`, visibility: 'private' },
            )
          ).id,
        );
      }
      return { users, channelIds };
    },
    databaseUrl,
  );
}

/** Sends and commits so far, from Switchboard's commit batch histogram. */
export async function commitTotals(url: string): Promise<{ sends: number; commits: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    sends: value('switchboard_commit_batch_size_sum'),
    commits: value('switchboard_commit_batch_size_count'),
  };
}

async function runSwitchboard(durability: Durability): Promise<RunResult> {
  const dataDir = benchDataDir();
  const { users, channelIds } = await seedSenders(dataDir, durability);
  const target = await startSwitchboard(dataDir, { maxConnectionsPerUser: 5, durability });
  const senders = await Promise.all(
    users.map(async (u, i) => ({
      socket: (await connect(target.url, u.token)).socket,
      channelId: channelIds[i]!,
    })),
  );
  try {
    await drive(senders, WARM_UP_MS);
    const before = await commitTotals(target.url);
    const result = await drive(senders, DURATION_MS, target);
    const after = await commitTotals(target.url);
    return {
      ...result,
      meanCommitBatch: round((after.sends - before.sends) / (after.commits - before.commits), 2),
    };
  } finally {
    for (const s of senders) s.socket.disconnect();
    await stopTarget(target);
  }
}

async function runSocketIoBaseline(): Promise<RunResult> {
  const target = await startBaseline();
  const senders = await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      const { socket } = await connect(target.url, 'none');
      const channelId = newId();
      await call(socket, 'channel.join', { channelId });
      return { socket, channelId };
    }),
  );
  try {
    await drive(senders, WARM_UP_MS);
    return await drive(senders, DURATION_MS, target);
  } finally {
    for (const s of senders) s.socket.disconnect();
    await stopTarget(target);
  }
}

/**
 * How the hand-written baseline commits: `perCommit` messages per transaction (1, or as many as
 * Switchboard's group commit took in the same run), with the search index's triggers or without them.
 */
interface SqliteBaselineShape {
  perCommit: number;
  searchIndex: boolean;
}

/** The same writes as Switchboard's commit of a send, hand-written, `perCommit` messages a transaction. */
async function runSqliteBaseline(
  durability: Durability,
  { perCommit, searchIndex }: SqliteBaselineShape = { perCommit: 1, searchIndex: true },
): Promise<RunResult> {
  const dataDir = benchDataDir();
  const { users, channelIds } = await seedSenders(dataDir, durability);
  const db = new SQLite(sqliteFileFor({ dataDir, durability }));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(durability === 'strict' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (!searchIndex) {
      const triggers = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'messages_search_%'")
        .pluck()
        .all() as string[];
      for (const name of triggers) db.exec(`DROP TRIGGER ${name}`);
    }
    const existing = db.prepare('SELECT * FROM messages WHERE author_id = ? AND client_id = ?');
    const bump = db.prepare(
      'UPDATE channels SET head_seq = head_seq + 1, listed_count = listed_count + 1 WHERE id = ? RETURNING head_seq, listed_count',
    );
    const insert = db.prepare(
      'INSERT INTO messages (id, channel_id, seq, change_seq, author_id, client_id, text, created_at, edited_at, deleted_at, listed_ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)',
    );
    const readTo = db.prepare(
      'UPDATE channel_members SET read_seq = ?, read_ord = ?, hidden_after = 0 WHERE channel_id = ? AND user_id = ?',
    );
    const writeOne = (authorId: string, channelId: string) => {
      const clientId = newId();
      if (existing.get(authorId, clientId)) throw new Error('duplicate client id');
      const { head_seq: seq, listed_count: ord } = bump.get(channelId) as {
        head_seq: number;
        listed_count: number;
      };
      insert.run(newId(), channelId, seq, seq, authorId, clientId, TEXT, Date.now(), ord);
      readTo.run(seq, ord, channelId, authorId);
    };
    const commitGroup = db.transaction((first: number) => {
      for (let n = first; n < first + perCommit; n++)
        writeOne(users[n % SENDERS]!.id, channelIds[n % SENDERS]!);
    });
    const histogram = new Histogram();
    const loop = (durationMs: number) => {
      let n = 0;
      const started = performance.now();
      for (let now = started; now < started + durationMs; n += perCommit) {
        commitGroup(n);
        const after = performance.now();
        histogram.record(after - now);
        now = after;
      }
      return { n, ms: performance.now() - started };
    };
    loop(WARM_UP_MS);
    histogram.counts.fill(0);
    const foreign = new ForeignLoad();
    const cpuBefore = ownCpuMs();
    const { n, ms } = loop(DURATION_MS);
    const cpuMs = ownCpuMs() - cpuBefore;
    return {
      acked: n,
      errors: 0,
      perSec: Math.round(n / (ms / 1000)),
      p50Ms: round(histogram.percentile(50), 3),
      p99Ms: round(histogram.percentile(99), 3),
      serverCpuPct: round((100 * cpuMs) / ms),
      serverUsPerMessage: round((1000 * cpuMs) / n),
      foreignCpuPct: foreign.percent(cpuMs),
    };
  } finally {
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function logged(label: string, run: () => Promise<RunResult>): Promise<RunResult> {
  const result = await run();
  console.error(`  publish ${label}: ${JSON.stringify(result)}`);
  return result;
}

export const publish: Benchmark = {
  name: 'publish',
  description: `acknowledged messages/s from ${SENDERS} concurrent senders on SQLite`,
  async run() {
    const socketIo = await logged('Socket.IO baseline', runSocketIoBaseline);
    const sqliteStandard = await logged('SQLite baseline, standard', () => runSqliteBaseline('standard'));
    const standard = await logged('Switchboard, standard', () => runSwitchboard('standard'));
    // The same writes committed in groups of the size Switchboard's group commit reached: the floor
    // for its database work; the difference is what happens outside the database (transport,
    // validation, acks). Without the search index: what the full-text index costs of that floor.
    const perCommit = Math.max(1, Math.round(standard.meanCommitBatch ?? 1));
    const grouped = await logged(`SQLite baseline, ${perCommit}/tx`, () =>
      runSqliteBaseline('standard', { perCommit, searchIndex: true }),
    );
    const groupedBare = await logged(`SQLite baseline, ${perCommit}/tx, no search index`, () =>
      runSqliteBaseline('standard', { perCommit, searchIndex: false }),
    );
    const sqliteStrict = await logged('SQLite baseline, strict', () => runSqliteBaseline('strict'));
    const strict = await logged('Switchboard, strict', () => runSwitchboard('strict'));
    const transport = 'Socket.IO ack, no storage';
    const cpuRatio =
      standard.serverUsPerMessage !== null && sqliteStandard.serverUsPerMessage
        ? standard.serverUsPerMessage / sqliteStandard.serverUsPerMessage
        : null;
    const rawSqlite = (d: Durability) => `better-sqlite3, 1 tx/msg, ${d}`;
    return {
      rows: [
        row('acked msgs/s, standard', '1/s', standard.perSec, socketIo.perSec, transport),
        row('acked msgs/s, standard', '1/s', standard.perSec, sqliteStandard.perSec, rawSqlite('standard')),
        row('acked msgs/s, strict', '1/s', strict.perSec, sqliteStrict.perSec, rawSqlite('strict')),
        row(
          'server CPU per acked msg, standard',
          'µs',
          standard.serverUsPerMessage,
          socketIo.serverUsPerMessage,
          transport,
        ),
        row(
          'CPU per committed msg, standard',
          'µs',
          standard.serverUsPerMessage,
          sqliteStandard.serverUsPerMessage,
          rawSqlite('standard'),
        ),
        row(
          'CPU per committed msg, standard',
          'µs',
          standard.serverUsPerMessage,
          grouped.serverUsPerMessage,
          `better-sqlite3, ${perCommit}/tx (Switchboard's mean group), standard`,
        ),
        row(
          'CPU per committed msg, standard',
          'µs',
          standard.serverUsPerMessage,
          groupedBare.serverUsPerMessage,
          `better-sqlite3, ${perCommit}/tx, without the search index`,
        ),
        row('ack latency p50, standard', 'ms', standard.p50Ms, socketIo.p50Ms, transport),
        row('ack latency p99, standard', 'ms', standard.p99Ms, socketIo.p99Ms, transport),
        row('ack latency p99, strict', 'ms', strict.p99Ms, socketIo.p99Ms, transport),
      ],
      targets: [
        {
          description: 'issue 11: ≥ 10,000 acked msgs/s, standard',
          met: standard.perSec >= 10_000,
          actual: `${standard.perSec}/s`,
        },
        {
          description: 'issue 11: CPU per message ≤ 2× hand-written better-sqlite3, standard',
          met: cpuRatio !== null && cpuRatio <= 2,
          actual: cpuRatio === null ? '–' : `${cpuRatio.toFixed(2)}×`,
        },
      ],
      details: {
        senders: SENDERS,
        durationMs: DURATION_MS,
        switchboard: { standard, strict },
        baselines: { socketIo, sqliteStandard, sqliteStrict, grouped, groupedBare },
        perCommit,
      },
    };
  },
};
