// A load balancer without sticky sessions, for tests: every HTTP request and every WebSocket upgrade
// goes to the next node in turn (round robin), as nginx does with an upstream and no `ip_hash`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface Balancer {
  url: string;
  /** Which node each request or upgrade went to, by index, in order. */
  readonly picks: number[];
  close(): Promise<void>;
}

export async function startRoundRobin(nodeUrls: string[]): Promise<Balancer> {
  const targets = nodeUrls.map((u) => new URL(u));
  const picks: number[] = [];
  const next = () => {
    const index = picks.length % targets.length;
    picks.push(index);
    return targets[index]!;
  };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const target = next();
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = next();
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      // Replays the upgrade request as it came, then joins the two connections.
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    picks,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
