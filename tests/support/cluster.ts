// Several nodes sharing one PostgreSQL database and one Redis, for the tests of tests/cluster/: in
// this process (startTestServer) or as child processes of the built CLI (spawnServer), all on
// loopback, with one data directory standing for the volume they share (docs/scaling.md).
import { flagName, type ConfigInput, type SettingName } from '../../server/src/config.ts';
import type { Message, StreamEvent, SyncResponse } from '@switchboard/protocol';
import {
  call,
  connect,
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
  /** Live events whose seq was already held: delivered more than once. */
  readonly repeats: number[] = [];
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
      if (this.bySeq.has(event.seq)) this.repeats.push(event.seq);
      this.bySeq.set(event.seq, event.message);
      // A seq past the next one: something in between did not arrive live.
      if (event.seq > this.cursor + 1) void this.catchUp();
    });
    socket.on('server.resync', () => {
      this.resyncs += 1;
      void this.catchUp();
    });
    await this.catchUp();
  }

  /** Pages `sync` from the cursor until the stream's head; one round at a time. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.syncRounds().finally(() => (this.catchingUp = null));
    return this.catchingUp;
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
