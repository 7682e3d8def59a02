// One end of a bridged message channel, as MessagePortMain behaves: messages wait until start(),
// `close` tells the other side. Shared by both halves of the utility-process stand-in.
import { EventEmitter } from 'node:events';

export abstract class QueuedPort extends EventEmitter {
  private started = false;
  protected closed = false;
  private readonly queue: unknown[] = [];

  abstract postMessage(data: unknown): void;

  start(): void {
    this.started = true;
    for (const data of this.queue.splice(0)) this.emit('message', { data, ports: [] });
  }

  /** A message from the other end. */
  deliver(data: unknown): void {
    if (this.closed) return;
    if (this.started) this.emit('message', { data, ports: [] });
    else this.queue.push(data);
  }

  /** The other end closed (or its process died). */
  remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}
