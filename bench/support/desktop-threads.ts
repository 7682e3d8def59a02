// Threads for the desktop benchmarks, one module with three roles (workerData.role), so that main's
// stand-in (the benchmark's own thread) does only what Electron main does while the rest runs
// elsewhere with its own event loop, MessagePorts going straight between threads as Electron's do
// between processes:
// - utility: the real utility entry (main/src/utility.ts) behind Electron's parentPort shape;
// - renderer: a window's SessionClient on the port main handed over; signs in, opens the channel and
//   counts the burst as it arrives;
// - sender: another person sending the burst over Socket.IO.
import { EventEmitter } from 'node:events';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { newId, PROTOCOL_VERSION } from '@switchboard/protocol';
import { SessionClient } from '@switchboard/client/node';
import { io } from 'socket.io-client';

/** A worker_threads MessagePort in MessagePortMain's shape: events carry { data, ports }. */
class PortMain extends EventEmitter {
  private listening = false;
  constructor(private readonly port: MessagePort) {
    super();
    port.on('close', () => this.emit('close'));
  }
  postMessage(data: unknown): void {
    this.port.postMessage(data);
  }
  /** Like MessagePortMain, nothing is delivered before start(). */
  start(): void {
    if (this.listening) return;
    this.listening = true;
    this.port.on('message', (data) => this.emit('message', { data, ports: [] }));
  }
  close(): void {
    this.port.close();
  }
}

async function utility(): Promise<void> {
  const parent = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
  parent.postMessage = (message) => parentPort!.postMessage(message);
  // Electron queues parentPort messages until a handler exists: attach ours when the entry does.
  parent.once('newListener', () =>
    setImmediate(() =>
      parentPort!.on('message', ({ data, ports }: { data: unknown; ports: MessagePort[] }) =>
        parent.emit('message', { data, ports: ports.map((p) => new PortMain(p)) }),
      ),
    ),
  );
  (process as unknown as { parentPort: unknown }).parentPort = parent;
  await import('../../main/src/utility.ts');
}

interface RendererTask {
  port: MessagePort;
  serverUrl: string;
  username: string;
  password: string;
  channelId: string;
  expected: number;
  prefix: string;
}

function renderer(): void {
  parentPort!.once('message', async (task: RendererTask) => {
    const session = new SessionClient(task.port);
    await session.request('setServer', { serverUrl: task.serverUrl });
    await session.request('signIn', { username: task.username, password: task.password });
    const seen = new Set<string>();
    session.on('messages', ({ messages }) => {
      for (const m of messages) if (m.text.startsWith(task.prefix) && m.delivery === 'sent') seen.add(m.id);
      if (seen.size >= task.expected) parentPort!.postMessage({ done: seen.size });
    });
    for (;;) {
      const snapshot = await session.request('getSnapshot', {});
      if (snapshot.connection.status === 'online' && snapshot.channels.some((c) => c.id === task.channelId))
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await session.request('openChannel', { channelId: task.channelId });
    parentPort!.postMessage({ ready: true });
  });
}

interface SenderTask {
  serverUrl: string;
  token: string;
  channelId: string;
  count: number;
  prefix: string;
  inFlight: number;
}

function sender(): void {
  parentPort!.once('message', async (task: SenderTask) => {
    const socket = io(task.serverUrl, {
      auth: { token: task.token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise((resolve) => socket.once('hello', resolve));
    let next = 0;
    const one = async (): Promise<void> => {
      while (next < task.count) {
        const n = next++;
        await socket.timeout(30_000).emitWithAck('message.send', {
          channelId: task.channelId,
          clientId: newId(),
          text: `${task.prefix} ${n}`,
        });
      }
    };
    await Promise.all(Array.from({ length: task.inFlight }, one));
    socket.disconnect();
    parentPort!.postMessage({ sent: task.count });
  });
}

const role = (workerData as { role: string }).role;
if (role === 'utility') await utility();
else if (role === 'renderer') renderer();
else if (role === 'sender') sender();
