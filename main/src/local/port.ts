// The local server keeps its port across restarts (the app and the people it invited know it by its
// address); when another program took it meanwhile, a free one is used instead.
import net from 'node:net';

/** Whether something could listen on `host:port` right now. */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The server's arguments with `--port` replaced by 0 (any free port) when that port is taken. */
export async function withUsablePort(args: readonly string[]): Promise<string[]> {
  const next = [...args];
  const at = next.indexOf('--port');
  const host = next[next.indexOf('--host') + 1] ?? '127.0.0.1';
  const port = Number(next[at + 1]);
  if (at >= 0 && port > 0 && !(await canListen(host, port))) next[at + 1] = '0';
  return next;
}
