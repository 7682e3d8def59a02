// A child process that holds many socket.io-client connections for a benchmark (see client-pool.ts),
// so the clients' CPU is spent apart from the server's and from the process that sends.
//
// Received `stream.event`s whose text starts with the current step id are counted, and their latency is
// taken from the send timestamp in the text: "<step> <epoch ms> ...".
import type { StreamEvent } from '@switchboard/protocol';
import { call, connect, type TestSocket } from '../../tests/support/server.ts';
import type { WorkerReply, WorkerRequest, WorkerReport } from './client-pool.ts';
import { Histogram, nowMs, ownCpuMs } from './stats.ts';

const sockets: TestSocket[] = [];
let step = '';
let histogram = new Histogram();
let delivered = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;
let cpuAtStart = 0;

function onStreamEvent(event: StreamEvent): void {
  if (event.kind === 'channel') return;
  const text = event.message.text;
  const space = text.indexOf(' ');
  if (text.slice(0, space) !== step) return;
  const at = nowMs();
  histogram.record(at - Number(text.slice(space + 1, text.indexOf(' ', space + 1))));
  delivered += 1;
  firstAt ??= at;
  lastAt = at;
}

async function openSockets(req: Extract<WorkerRequest, { op: 'connect' }>): Promise<number> {
  const started = nowMs();
  let next = 0;
  const openOne = async (i: number) => {
    const { socket } = await connect(req.url, req.tokens[i % req.tokens.length]!);
    // The baseline has no membership store: its clients name their room.
    if (req.joinRoom) {
      const joined = await call(socket, 'channel.join', { channelId: req.joinRoom });
      if (!joined.ok) throw new Error(`join failed: ${JSON.stringify(joined)}`);
    }
    socket.on('stream.event', onStreamEvent);
    sockets.push(socket);
  };
  const lane = async () => {
    while (next < req.count) await openOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(req.concurrency, req.count) }, lane));
  return nowMs() - started;
}

function report(): WorkerReport {
  return { delivered, histogram: histogram.counts, firstAt, lastAt, cpuMs: ownCpuMs() - cpuAtStart };
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'connect':
      return { ms: await openSockets(req), open: sockets.length };
    case 'measure':
      step = req.step;
      histogram = new Histogram();
      delivered = 0;
      firstAt = lastAt = null;
      cpuAtStart = ownCpuMs();
      return null;
    case 'report':
      return report();
    case 'disconnect':
      for (const socket of sockets.splice(0)) socket.disconnect();
      return null;
  }
}

process.on('message', (msg: { id: number; req: WorkerRequest }) => {
  handle(msg.req).then(
    (result) => process.send!({ id: msg.id, ok: true, result } satisfies WorkerReply),
    (err: unknown) =>
      process.send!({
        id: msg.id,
        ok: false,
        error: String((err as Error).stack ?? err),
      } satisfies WorkerReply),
  );
});
// The parent going away (crash, Ctrl+C) must not leave this process holding thousands of sockets.
process.on('disconnect', () => process.exit(0));
