// A free TCP port on loopback, for services that must be told their port before they start
// (PostgreSQL, Redis). Another process may take it in between; callers retry on a clash.
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
