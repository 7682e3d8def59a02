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
  private readonly open = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  private warned = false;

  constructor(server: HttpServer, limits: ConnectionLimits, logger: Logger) {
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
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left > 0) this.perAddress.set(address, left);
        else this.perAddress.delete(address);
      });
    });
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
