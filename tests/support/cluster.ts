// Several nodes sharing one PostgreSQL database and one Redis, for the tests of tests/cluster/: in
// this process (startTestServer) or as child processes of the built CLI (spawnServer), all on
// loopback, with one data directory standing for the volume they share (docs/scaling.md).
import { flagName, type ConfigInput, type SettingName } from '../../server/src/config.ts';
import type { Message, SendAck, StreamEvent, SyncResponse } from '@switchboard/protocol';
import { resolveConfig } from '../../server/src/config.ts';
import { silentNotifier } from '../../server/src/domain/notifier.ts';
import { openServices } from '../../server/src/server.ts';
import {
  call,
  connect,
  login,
  RELAXED_LIMITS,
  spawnServer,
  startTestServer,
  unwrap,
  type ServerProcess,
  type TestServer,
  type TestSocket,
} from './server.ts';

export interface Shared {
  databaseUrl: string;
  redisUrl: string;
  dataDir: string;
}

/** `count` nodes in this process, started at once (they run the migrations under one lock). */
export function startNodes(
  count: number,
  shared: Shared,
  overrides: ConfigInput = {},
): Promise<TestServer[]> {
  return Promise.all(Array.from({ length: count }, () => startTestServer({ ...shared, ...overrides })));
}

/** One node as a child process of the built CLI (`npm run build` first), killable with SIGKILL. */
export function spawnNode(shared: Shared, overrides: ConfigInput = {}): Promise<ServerProcess> {
  const settings: ConfigInput = { ...RELAXED_LIMITS, ...shared, ...overrides, port: 0 };
  return spawnServer(
    Object.entries(settings).flatMap(([name, value]) => [flagName(name as SettingName), String(value)]),
  );
}

/**
 * A reader of one channel over a raw Socket.IO connection, keeping what a client keeps: every
 * message by seq, from live events and from catch-up by cursor (on connect, on a gap, and when the
 * server says `server.resync`). Counts copies handed over twice outside catch-up.
 */
export class ChannelReader {
  readonly bySeq = new Map<number, Message>();
  /** Live events of a seq already delivered live: fan-out handing one event over twice. */
  readonly repeats: number[] = [];
  /** Catch-ups started by events that failed for another reason than their connection going. */
  readonly failures: unknown[] = [];
  private readonly live = new Set<number>();
  resyncs = 0;
  socket: TestSocket | null = null;
  private catchingUp: Promise<void> | null = null;
  private epoch: string | null = null;

  constructor(
    private readonly channelId: string,
    private readonly token: string,
  ) {}

  /** Contiguous from 1: everything up to here is held. */
  get cursor(): number {
    let seq = 0;
    while (this.bySeq.has(seq + 1)) seq += 1;
    return seq;
  }

  /** Connects to `url` and catches up from the cursor, as a client does after every (re)connect. */
  async connect(url: string): Promise<void> {
    const { socket, hello } = await connect(url, this.token);
    this.socket = socket;
    this.epoch = hello.epoch;
    socket.on('stream.event', (event: StreamEvent) => {
      if (event.channelId !== this.channelId || event.kind !== 'created') return;
      if (this.live.has(event.seq)) this.repeats.push(event.seq);
      this.live.add(event.seq);
      this.bySeq.set(event.seq, event.message);
      // A seq past the next one: something in between did not arrive live.
      if (event.seq > this.cursor + 1) this.catchUpMeanwhile();
    });
    socket.on('server.resync', () => {
      this.resyncs += 1;
      this.catchUpMeanwhile();
    });
    await this.catchUp();
  }

  /** Pages `sync` from the cursor until the stream's head; one round at a time. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.syncRounds().finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }

  /**
   * A catch-up an event asked for, while the caller goes on. One cut short because its connection
   * went (a node killed) is done again by the next `connect`; anything else is kept in `failures`.
   */
  private catchUpMeanwhile(): void {
    const socket = this.socket;
    this.catchUp().catch((err: unknown) => {
      if (socket?.connected) this.failures.push(err);
    });
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  private async syncRounds(): Promise<void> {
    for (;;) {
      const socket = this.socket;
      if (!socket?.connected) return;
      const answer = unwrap(
        await call<SyncResponse>(socket, 'sync', {
          epoch: this.epoch,
          cursors: { [this.channelId]: this.cursor },
        }),
        'sync',
      );
      const stream = answer.streams.find((s) => s.channelId === this.channelId);
      if (stream?.status === 'reset') throw new Error(`${this.channelId} was reset`);
      for (const message of stream?.messages ?? []) this.bySeq.set(message.seq, message);
      if (!stream?.hasMore) return;
    }
  }
}

/** Users made straight in the shared database (as `user add` would), each signed in over HTTP at `url`. */
export async function usersIn(shared: Shared, url: string, names: string[]) {
  const config = resolveConfig({ flags: { dataDir: shared.dataDir, databaseUrl: shared.databaseUrl } });
  const services = await openServices(config, { notifier: silentNotifier });
  try {
    return await Promise.all(
      names.map(async (name) => {
        const password = `pw-${name}-long-enough`;
        await services.accounts.createUser({ username: name, password });
        const res = await login(url, name, password);
        if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
        return { id: res.body.user.id as string, token: res.body.token as string, name };
      }),
    );
  } finally {
    await services.db.destroy();
  }
}

/**
 * A client sending a stream of messages to one channel, at most `window` unacknowledged at once,
 * retrying whatever was not acknowledged with the same clientId over the next connection.
 */
export class StreamSender {
  readonly acked = new Map<string, SendAck>();
  /** Error codes of sends the server refused (they are retried). */
  readonly refusals: string[] = [];
  private readonly outgoing: { clientId: string; text: string }[] = [];

  constructor(
    private readonly channelId: string,
    private readonly name: string,
  ) {}

  /**
   * Sends over `socket` until `total` messages are acknowledged, `stop()` says so, the server
   * refuses one, or the socket goes; `onAck` sees each acknowledgement.
   */
  run(
    socket: TestSocket,
    total: number,
    options: { window?: number; stop?: () => boolean; onAck?: (acked: number) => void } = {},
  ): Promise<void> {
    const window = options.window ?? 8;
    const inFlight = new Set<string>();
    let refused = false;
    return new Promise<void>((resolve) => {
      const finish = () => {
        socket.off('disconnect', finish);
        resolve();
      };
      socket.on('disconnect', finish);
      const pump = () => {
        const done = this.acked.size >= total || refused || options.stop?.() || !socket.connected;
        while (!done && inFlight.size < window) {
          const message = this.nextToSend(inFlight, total);
          if (!message) break;
          inFlight.add(message.clientId);
          call<SendAck>(socket, 'message.send', { channelId: this.channelId, ...message }, 3_000)
            .then(
              (result) => {
                if (!result.ok) {
                  refused = true;
                  return void this.refusals.push(result.error.code);
                }
                this.acked.set(message.clientId, result.data);
                options.onAck?.(this.acked.size);
              },
              () => {},
            )
            .finally(() => {
              inFlight.delete(message.clientId);
              pump();
            });
        }
        if (inFlight.size === 0 && (done || !this.nextToSend(inFlight, total))) finish();
      };
      pump();
    });
  }

  private nextToSend(inFlight: Set<string>, total: number) {
    const retry = this.outgoing.find((m) => !this.acked.has(m.clientId) && !inFlight.has(m.clientId));
    if (retry) return retry;
    if (this.outgoing.length >= total) return undefined;
    const index = this.outgoing.length;
    const message = {
      clientId: `${this.name}-${String(index).padStart(5, '0')}`,
      text: `${this.name} ${index}`,
    };
    this.outgoing.push(message);
    return message;
  }
}
