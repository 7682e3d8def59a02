// The child half of the Node stand-in for Electron's utility process (utility-host.ts is the
// parent half). It gives this process the shape Electron gives a utility process — a
// `process.parentPort` whose messages arrive as { data, ports }, and MessagePortMain-like ports —
// over Node's IPC channel, then loads the real utility entry (main/src/utility.ts, or its built
// bundle) unchanged.
import { EventEmitter } from 'node:events';
import { QueuedPort } from './queued-port.ts';
import type { BridgeFrame } from './utility-host.ts';

const send = (frame: BridgeFrame) => process.send!(frame);

/** One end of a window's channel, living in this process; its messages cross IPC by port id. */
class ChildPort extends QueuedPort {
  constructor(readonly id: number) {
    super();
  }

  postMessage(data: unknown): void {
    if (!this.closed) send({ k: 'port', id: this.id, data });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    send({ k: 'close', id: this.id });
    ports.delete(this.id);
  }

  override remoteClosed(): void {
    ports.delete(this.id);
    super.remoteClosed();
  }
}

const ports = new Map<number, ChildPort>();

/** Like Electron's, it queues messages until a handler is registered. */
class ParentPort extends EventEmitter {
  private readonly queue: unknown[] = [];
  constructor() {
    super();
    this.on('newListener', (event) => {
      if (event === 'message') setImmediate(() => this.drain());
    });
  }
  postMessage(data: unknown): void {
    send({ k: 'ctl', data });
  }
  receive(event: unknown): void {
    // In order: nothing overtakes what is still queued.
    if (this.listenerCount('message') > 0 && this.queue.length === 0) this.emit('message', event);
    else this.queue.push(event);
  }
  private drain(): void {
    for (const event of this.queue.splice(0)) this.emit('message', event);
  }
}
const parentPort = new ParentPort();
(process as unknown as { parentPort: ParentPort }).parentPort = parentPort;

process.on('message', (frame: BridgeFrame) => {
  switch (frame.k) {
    case 'ctl': {
      const transferred = (frame.ports ?? []).map((id) => {
        const port = new ChildPort(id);
        ports.set(id, port);
        return port;
      });
      parentPort.receive({ data: frame.data, ports: transferred });
      return;
    }
    case 'port':
      return ports.get(frame.id)?.deliver(frame.data);
    case 'close':
      return ports.get(frame.id)?.remoteClosed();
  }
});

// The source entry, or the built bundle that ships (utility.cjs) when the test asks for it.
await import(process.env.STANDIN_UTILITY_ENTRY ?? '../../main/src/utility.ts');
