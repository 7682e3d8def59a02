// Shared helpers for tests that run a real server on 127.0.0.1 with a real SQLite file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type Hello,
  type Result,
  type ServerToClientEvents,
  type User,
} from '@switchboard/protocol';
import { resolveConfig, type ConfigInput } from '../../server/src/config.ts';
import { createLogger } from '../../server/src/logger.ts';
import { startServer, type RunningServer } from '../../server/src/server.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_CLI = path.join(REPO_ROOT, 'server/dist/cli.js');

export function tempDir(prefix = 'switchboard-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Limits generous enough that tests only meet them on purpose. */
export const RELAXED_LIMITS: ConfigInput = {
  rateLimitUser: 1_000_000,
  rateLimitIp: 1_000_000,
  rateLimitLogin: 1_000_000,
};

export interface TestServer extends RunningServer {
  dataDir: string;
}

/** A real server in this process on a free port, with its own data dir. */
export async function startTestServer(overrides: ConfigInput = {}): Promise<TestServer> {
  const dataDir = (overrides.dataDir as string | undefined) ?? tempDir();
  const config = resolveConfig({
    flags: { port: 0, host: '127.0.0.1', logLevel: 'silent', ...RELAXED_LIMITS, ...overrides, dataDir },
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  return Object.assign(server, { dataDir });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** JSON over HTTP; `body` is parsed JSON when there is any. */
export async function api<T = any>(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: { token?: string; json?: unknown; raw?: string | Uint8Array; contentType?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const res = await fetch(`${baseUrl}${urlPath}`, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export interface TestUser {
  user: User;
  token: string;
  password: string;
}

/** Creates a user directly through the domain, then signs in over HTTP like a client would. */
export async function createUser(
  server: RunningServer,
  username: string,
  opts: { isAdmin?: boolean } = {},
): Promise<TestUser> {
  const password = `pw-${username}-long-enough`;
  await server.ctx.accounts.createUser({ username, password, isAdmin: opts.isAdmin ?? false });
  const res = await api(server.url, 'POST', '/api/v1/auth/login', { json: { username, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body.user, token: res.body.token, password };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A connected socket.io-client plus the server's hello. */
export async function connect(
  url: string,
  token: string,
  opts: { transports?: ('websocket' | 'polling')[]; protocolVersion?: number } = {},
): Promise<{ socket: TestSocket; hello: Hello }> {
  const socket: TestSocket = io(url, {
    auth: { token, protocolVersion: opts.protocolVersion ?? PROTOCOL_VERSION },
    transports: opts.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const hello = await new Promise<Hello>((resolve, reject) => {
    socket.once('hello', resolve);
    socket.once('connect_error', (err) =>
      reject(Object.assign(err, { data: (err as { data?: unknown }).data })),
    );
  });
  return { socket, hello };
}

/** Emits an event and resolves with its ack Result. */
export function call<T = any>(
  socket: TestSocket,
  event: string,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<Result<T>> {
  return (socket.timeout(timeoutMs) as unknown as Socket).emitWithAck(event, payload) as Promise<Result<T>>;
}

/** Resolves with the next occurrence of `event` that passes `filter`. */
export function nextEvent<T = any>(
  socket: TestSocket,
  event: string,
  filter: (payload: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const s = socket as unknown as Socket;
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(payload);
    };
    s.on(event, handler);
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Waits for exit; resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The built CLI (`npm run build` first) in a child process, for crash and shutdown tests. */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  if (!fs.existsSync(SERVER_CLI)) throw new Error(`${SERVER_CLI} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [SERVER_CLI, '--host', '127.0.0.1', '--log-level', 'warn', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const onData = () => {
      const match = /Switchboard server listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}
