// Crash test (ARCHITECTURE.md §3): a sender streams messages, the server process is killed with
// SIGKILL mid-stream and restarted on the same data dir, and the sender retries whatever was not
// acknowledged with the same clientId. Every acknowledged message must be stored exactly once, in
// send order, with contiguous seqs, and a reader that reconnects with its cursor must catch up.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message, Result, SendAck, SyncResponse } from '@switchboard/protocol';
import { flagName, type SettingName } from '../../server/src/config.ts';
import {
  api,
  call,
  connect,
  RELAXED_LIMITS,
  SERVER_CLI,
  spawnServer,
  tempDir,
  type ServerProcess,
  type TestSocket,
} from '../support/server.ts';

/**
 * One fault per cycle, each after some number of acks (varied so it lands at different points of a
 * group commit). `kill` is SIGKILL of the server process and a restart; `drop` is the sender losing its
 * connection while the server lives on, which guarantees stored-but-unacknowledged sends to retry.
 */
const CYCLES: { fault: 'kill' | 'drop'; durability: 'standard' | 'strict'; afterAcks: number }[] = [
  { fault: 'kill', durability: 'standard', afterAcks: 37 },
  { fault: 'kill', durability: 'standard', afterAcks: 150 },
  { fault: 'drop', durability: 'standard', afterAcks: 80 },
  { fault: 'kill', durability: 'standard', afterAcks: 61 },
  { fault: 'kill', durability: 'standard', afterAcks: 212 },
  { fault: 'kill', durability: 'standard', afterAcks: 90 },
  { fault: 'kill', durability: 'strict', afterAcks: 120 },
];
/** Sends in flight at once, so several are uncommitted or unacknowledged when the process dies. */
const WINDOW = 16;
/** Messages sent after the last restart, with no kill, to end the stream. */
const TAIL = 50;
const PASSWORD = 'crash-test-password';

const relaxedFlags = Object.entries(RELAXED_LIMITS).flatMap(([name, value]) => [
  flagName(name as SettingName),
  String(value),
]);

interface Outgoing {
  clientId: string;
  text: string;
  ack?: SendAck;
}

interface SessionReport {
  acks: number;
  duplicates: number;
  inFlightAtFault: number;
}

/**
 * The sending side: messages in send order, each retried with its own clientId until acknowledged.
 * One `session` is one connection to one server process.
 */
class Sender {
  readonly messages: Outgoing[] = [];
  readonly problems: string[] = [];

  constructor(private readonly channelId: string) {}

  unacked(): Outgoing[] {
    return this.messages.filter((m) => !m.ack);
  }

  /**
   * Streams (retries first, then new messages) over one connection. With `faultAfterAcks`, calls
   * `fault` from inside the ack callback of that many acks — while the window is full — and resolves
   * once the connection is gone. Without it, sends `newMessages` more and resolves when all are acked.
   */
  session(
    socket: TestSocket,
    plan: { faultAfterAcks: number; fault: () => void } | { newMessages: number },
  ): Promise<SessionReport> {
    const queue = this.unacked();
    const report: SessionReport = { acks: 0, duplicates: 0, inFlightAtFault: 0 };
    let inFlight = 0;
    let created = 0;
    let faulted = false;
    return new Promise((resolve) => {
      const nextToSend = (): Outgoing | undefined => {
        const retry = queue.shift();
        if (retry) return retry;
        if ('newMessages' in plan && created >= plan.newMessages) return undefined;
        created += 1;
        const index = this.messages.length;
        const message = {
          clientId: `crash-${String(index).padStart(6, '0')}`,
          text: `message ${index}`,
        };
        this.messages.push(message);
        return message;
      };
      const onAck = (message: Outgoing, result: Result<SendAck>) => {
        inFlight -= 1;
        if (!result.ok) {
          this.problems.push(`${message.clientId}: ${result.error.code} ${result.error.message}`);
        } else {
          const ack = result.data;
          if (ack.message.clientId !== message.clientId)
            this.problems.push(`${message.clientId}: ack for ${ack.message.clientId}`);
          if (message.ack && (message.ack.id !== ack.id || message.ack.seq !== ack.seq)) {
            this.problems.push(`${message.clientId}: acked twice with different ids or seqs`);
          }
          message.ack = ack;
          report.acks += 1;
          if (ack.duplicate) report.duplicates += 1;
        }
        if ('faultAfterAcks' in plan && report.acks === plan.faultAfterAcks && !faulted) {
          faulted = true;
          report.inFlightAtFault = inFlight;
          plan.fault();
          return;
        }
        pump();
        if ('newMessages' in plan && inFlight === 0) resolve(report);
      };
      const pump = () => {
        while (!faulted && socket.connected && inFlight < WINDOW) {
          const message = nextToSend();
          if (!message) return;
          inFlight += 1;
          socket.emit(
            'message.send',
            { channelId: this.channelId, clientId: message.clientId, text: message.text },
            (r) => onAck(message, r),
          );
        }
      };
      // Acks already on the wire when the process died are read before the disconnect is seen.
      socket.once('disconnect', () => resolve(report));
      pump();
    });
  }
}

/**
 * The reading side: stays connected, keeps what live events and catch-up pages bring, and after every
 * restart reconnects and syncs from its cursor. Remembers every (seq → message id) it was ever told.
 */
class Reader {
  readonly seen = new Map<number, string>();
  readonly problems: string[] = [];
  cursor = 0;
  epoch: string | null = null;

  constructor(private readonly channelId: string) {}

  async attach(url: string, token: string): Promise<TestSocket> {
    const { socket, hello } = await connect(url, token);
    if (this.epoch !== null && hello.epoch !== this.epoch)
      this.problems.push('the epoch changed across a restart');
    this.epoch = hello.epoch;
    socket.on('stream.event', (event) => {
      if (event.kind !== 'channel') this.keep(event.message);
    });
    await this.catchUp(socket);
    return socket;
  }

  async catchUp(socket: TestSocket): Promise<void> {
    for (let page = 0; page < 1000; page++) {
      const res = await call<SyncResponse>(socket, 'sync', {
        epoch: this.epoch,
        cursors: { [this.channelId]: this.cursor },
        limit: 50,
      });
      if (!res.ok) throw new Error(`sync failed: ${res.error.code} ${res.error.message}`);
      const stream = res.data.streams.find((s) => s.channelId === this.channelId);
      if (!stream) throw new Error('sync left out the channel');
      if (stream.status !== 'ok')
        this.problems.push(`sync from cursor ${this.cursor} answered ${stream.status}`);
      stream.messages.forEach((m) => this.keep(m));
      this.cursor = stream.cursor;
      if (!stream.hasMore) return;
    }
    throw new Error('sync never reached the head');
  }

  private keep(message: Message): void {
    const known = this.seen.get(message.seq);
    if (known !== undefined && known !== message.id) {
      this.problems.push(`seq ${message.seq} was announced as ${known} and later as ${message.id}`);
    }
    this.seen.set(message.seq, message.id);
  }
}

let server: ServerProcess | undefined;
const dataDir = tempDir('switchboard-crash-');

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

function addUser(dataDir: string, username: string): void {
  const result = spawnSync(
    process.execPath,
    [SERVER_CLI, 'user', 'add', username, '--password-stdin', '--data-dir', dataDir],
    { input: `${PASSWORD}\n`, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`user add ${username} failed: ${result.stderr}`);
}

async function login(url: string, username: string): Promise<string> {
  const res = await api(url, 'POST', '/api/v1/auth/login', { json: { username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** Every message of the channel, paged forward through REST history. */
async function storedMessages(url: string, token: string, channelId: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let page = 0; page < 1000; page++) {
    const after = all.length > 0 ? all[all.length - 1]!.seq : 0;
    const res = await api(url, 'GET', `/api/v1/channels/${channelId}/messages?after=${after}&limit=200`, {
      token,
    });
    if (res.status !== 200) throw new Error(`history: ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...res.body.messages);
    if (!res.body.hasMore) return all;
  }
  throw new Error('history never ended');
}

describe('crash: SIGKILL mid-stream (and dropped connections), restart, retry', () => {
  it(`keeps every acknowledged message exactly once, in order, across ${CYCLES.length} faults`, async () => {
    addUser(dataDir, 'sender');
    addUser(dataDir, 'reader');
    const start = (durability: 'standard' | 'strict') =>
      spawnServer(['--port', '0', '--data-dir', dataDir, '--durability', durability, ...relaxedFlags]);

    server = await start('standard');
    // Session tokens live in the database, so they stay valid across restarts.
    const senderToken = await login(server.url, 'sender');
    const readerToken = await login(server.url, 'reader');
    const created = await api(server.url, 'POST', '/api/v1/channels', {
      token: senderToken,
      json: { name: 'crash', visibility: 'public' },
    });
    expect(created.status).toBe(201);
    const channelId: string = created.body.id;
    expect(
      (await api(server.url, 'POST', `/api/v1/channels/${channelId}/join`, { token: readerToken })).status,
    ).toBe(200);

    const sender = new Sender(channelId);
    const reader = new Reader(channelId);
    let alive = true;
    let duplicatesExpected = false;
    for (const [i, cycle] of CYCLES.entries()) {
      if (!alive) server = await start(cycle.durability);
      alive = true;
      const running = server;
      const readerSocket = await reader.attach(running.url, readerToken);
      const { socket } = await connect(running.url, senderToken);
      const retried = sender.unacked().length;
      const report = await sender.session(socket, {
        faultAfterAcks: cycle.afterAcks,
        fault: () => (cycle.fault === 'kill' ? running.child.kill('SIGKILL') : socket.disconnect()),
      });
      if (cycle.fault === 'kill') {
        expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });
        alive = false;
      }
      socket.close();
      readerSocket.close();
      console.log(
        `cycle ${i + 1} (${cycle.fault}, ${cycle.durability}): retried ${retried}, acked ${report.acks} ` +
          `(${report.duplicates} already stored), ${report.inFlightAtFault} in flight at the fault`,
      );
      // The fault must land mid-stream, with sends still unanswered.
      expect(report.inFlightAtFault).toBeGreaterThan(0);
      // Sends the server took before the sender dropped its connection come back as the stored ones.
      if (duplicatesExpected) expect(report.duplicates).toBeGreaterThan(0);
      duplicatesExpected = cycle.fault === 'drop';
    }

    // Last restart: retry what is left, finish the stream, then check everything.
    if (!alive) server = await start('standard');
    const readerSocket = await reader.attach(server.url, readerToken);
    const { socket } = await connect(server.url, senderToken);
    await sender.session(socket, { newMessages: TAIL });
    socket.close();

    expect(sender.problems).toEqual([]);
    expect(sender.unacked()).toEqual([]);
    const stored = await storedMessages(server.url, senderToken, channelId);
    const sent = sender.messages;
    // Exactly once: one stored message per clientId, none missing, no strays.
    expect(stored.length).toBe(sent.length);
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(stored.length);
    // In send order, with contiguous seqs from 1.
    expect(stored.map((m) => m.clientId)).toEqual(sent.map((m) => m.clientId));
    expect(stored.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 1));
    // Every ack, including those from before a crash, names the message that is stored.
    expect(stored.map((m) => [m.id, m.seq, m.text])).toEqual(
      sent.map((m) => [m.ack!.id, m.ack!.seq, m.text]),
    );

    // The reader, reconnected after each restart, has caught up with all of it and was never told
    // about a seq that later turned out different.
    await reader.catchUp(readerSocket);
    readerSocket.close();
    expect(reader.problems).toEqual([]);
    expect(reader.cursor).toBe(stored.length);
    expect([...reader.seen.entries()].sort(([a], [b]) => a - b)).toEqual(stored.map((m) => [m.seq, m.id]));

    // A reader starting from scratch catches up too.
    const fresh = new Reader(channelId);
    (await fresh.attach(server.url, readerToken)).close();
    expect(fresh.cursor).toBe(stored.length);
    expect(fresh.seen.size).toBe(stored.length);
  }, 60_000);
});
