// Servers for the browser tests: the built CLI on 127.0.0.1 with a data dir of its own, and the people
// in it — the admin created through the CLI (as an operator would), the rest through the API.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { test } from '@playwright/test';
import {
  api,
  SERVER_CLI,
  SERVER_RUNTIME,
  spawnServer,
  tempDir,
  type ServerProcess,
} from '../../support/server.ts';
import { E2E_LIMIT_FLAGS, passwordOf } from './env.ts';

/** Runs a CLI subcommand, feeding `stdin`; rejects with its output when it fails. */
export function runCli(args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_RUNTIME.command, [SERVER_CLI, ...args], {
      env: { ...process.env, ...SERVER_RUNTIME.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`switchboard-server ${args.join(' ')} failed (${code}):\n${out}`));
    });
    child.stdin.end(stdin);
  });
}

/** Starts the server on `port` (0: any free one) with `dataDir`, and any further flags in `args`. */
export function startServer(dataDir: string, port = 0, args: readonly string[] = []): Promise<ServerProcess> {
  return spawnServer(['--port', String(port), '--data-dir', dataDir, ...E2E_LIMIT_FLAGS, ...args]);
}

/** A port that was free a moment ago, for a server that must know its own address before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Stops a server the way an operator would (SIGTERM), or kills it when it does not stop in time. */
export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const stopped = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r(null), 10_000))]);
  if (!stopped) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/** A fresh server with an admin (`admin`) and the given people, all with passwordOf(name). */
export async function startServerWithPeople(
  people: readonly string[],
  admin = 'admin',
  options: { port?: number; args?: readonly string[] } = {},
): Promise<{ server: ServerProcess; dataDir: string }> {
  const dataDir = tempDir('switchboard-e2e-');
  const server = await startServer(dataDir, options.port, options.args);
  try {
    await runCli(
      ['user', 'add', admin, '--admin', '--password-stdin', '--data-dir', dataDir],
      `${passwordOf(admin)}\n`,
    );
    const login = await api(server.url, 'POST', '/api/v1/auth/login', {
      json: { username: admin, password: passwordOf(admin) },
    });
    if (login.status !== 200) throw new Error(`admin sign-in failed: ${JSON.stringify(login.body)}`);
    for (const username of people) {
      const created = await api(server.url, 'POST', '/api/v1/users', {
        token: login.body.token,
        json: { username, password: passwordOf(username) },
      });
      if (created.status !== 201)
        throw new Error(`creating ${username} failed: ${JSON.stringify(created.body)}`);
    }
  } catch (err) {
    server.child.kill('SIGKILL');
    throw err;
  }
  return { server, dataDir };
}

/**
 * A server of the spec file's own with the given people (startServerWithPeople), started before its
 * tests and stopped, its data dir removed, after them. Its fields are set once beforeAll has run; a
 * test that restarts the server puts the new process in `server`, which is the one stopped.
 */
export function useServerWithPeople(people: readonly string[]): { server: ServerProcess; dataDir: string } {
  const own = {} as { server: ServerProcess; dataDir: string };
  test.beforeAll(async () => {
    Object.assign(own, await startServerWithPeople(people));
  });
  test.afterAll(async () => {
    if (own.server) await stopServer(own.server);
    if (own.dataDir) fs.rmSync(own.dataDir, { recursive: true, force: true });
  });
  return own;
}
