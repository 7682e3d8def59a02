// A throwaway Redis for tests and benchmarks: Debian's redis-server on a free loopback port, keeping
// nothing on disk, stopped at the end. `restart` stops it and starts a new one on the same port,
// as an operator's restart of a Redis without persistence would: everything in it is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.ts';

export interface RedisServer {
  port: number;
  url: string;
  /** Kills it (SIGKILL) and forgets its data. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not start (apt-get install redis-server): ${err.message}`));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited:\n${out}`));
    });
  });
  // What it prints after that is read by nobody.
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(): Promise<RedisServer> {
  let port = 0;
  let child: ChildProcess | null = null;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  let current: ChildProcess | null = child;
  const kill = async () => {
    const running = current;
    current = null;
    if (!running) return;
    running.kill('SIGKILL');
    await exited(running);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async start() {
      if (!current) current = await launch(port);
    },
    stop: kill,
  };
}
