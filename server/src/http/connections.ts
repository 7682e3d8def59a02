// Every TCP connection the HTTP server holds, upgraded WebSockets included (the HTTP server forgets
// those once upgraded), so shutdown can cut whatever still lingers when its grace period ends.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

export class Connections {
  private readonly open = new Set<Socket>();

  constructor(server: HttpServer) {
    server.on('connection', (socket: Socket) => {
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
    });
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
