// Every TCP connection the HTTP server holds, upgraded WebSockets included (the HTTP server forgets
// those once upgraded): at most so many per client address, and shutdown can cut whatever still lingers
// when its grace period ends.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.ts';

export interface ConnectionLimits {
  maxPerAddress: number;
  /** Addresses not limited: reverse proxies carry every client's connections. */
  exempt: (address: string) => boolean;
}

export class Connections {
  /** Each open connection and the address it counts against. */
  private readonly open = new Map<Socket, string>();
  private readonly perAddress = new Map<string, number>();
  private warned = false;

  constructor(server: HttpServer, limits: ConnectionLimits, logger: Logger) {
    // One listener for every connection (Node calls it with the socket as `this`), rather than a
    // closure each: thousands of idle WebSockets would each keep one.
    const open = this.open;
    const perAddress = this.perAddress;
    const closed = function (this: Socket): void {
      const address = open.get(this);
      if (address === undefined) return;
      open.delete(this);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    };
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? 'unknown';
      const count = this.perAddress.get(address) ?? 0;
      if (count >= limits.maxPerAddress && !limits.exempt(address)) {
        if (!this.warned) {
          this.warned = true;
          logger.warn(
            { address, limit: limits.maxPerAddress },
            'refusing connections beyond maxConnectionsPerAddress from one address; if it is your reverse proxy, set --trust-proxy to it',
          );
        }
        socket.destroy();
        return;
      }
      this.perAddress.set(address, count + 1);
      this.open.set(socket, address);
      socket.on('close', closed);
    });
  }

  destroyAll(): void {
    for (const socket of this.open.keys()) socket.destroy();
  }
}
