// Shared helpers for tests that run a real server on 127.0.0.1 with a real SQLite file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import {
  ERROR_CODES,
  isErrorCode,
  newId,
  PROTOCOL_VERSION,
  type SendAck,
  type ChannelSummary,
  type ClientToServerEvents,
  type Hello,
  type Result,
  type ServerToClientEvents,
  type SyncResponse,
  type User,
} from '@switchboard/protocol';
import { resolveConfig, type ConfigInput } from '../../server/src/config.ts';
import { createLogger } from '../../server/src/logger.ts';
import { startServer, type RunningServer, type StartOptions } from '../../server/src/server.ts';
import { createSharedDatabase } from './postgres.ts';
import { tempDir } from './tempDirs.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_CLI = path.join(REPO_ROOT, 'server/dist/cli.js');

export { tempDir };

/** Limits generous enough that tests only meet them on purpose. */
export const RELAXED_LIMITS: ConfigInput = {
  rateLimitUser: 1_000_000,
  rateLimitIp: 1_000_000,
  rateLimitLogin: 1_000_000,
  rateLimitLoginAccount: 1_000_000,
  maxConnectionsPerAddress: 1_000_000,
  maxPendingSessionsPerAddress: 1_000_000,
};

export interface TestServer extends RunningServer {
  dataDir: string;
}

/**
 * The database the server tests run on: SQLite, or PostgreSQL when the "postgres" Vitest project
 * runs them (SB_TEST_DATABASE=postgres; vitest.config.ts).
 */
export const TEST_DATABASE: 'sqlite' | 'postgres' =
  process.env.SB_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

const postgresByDataDir = new Map<string, Promise<string>>();

/** On PostgreSQL, the database of a data directory: a new one the first time, the same one after. */
export function databaseFor(dataDir: string): Promise<string> | undefined {
  if (TEST_DATABASE !== 'postgres') return undefined;
  let url = postgresByDataDir.get(dataDir);
  if (!url) postgresByDataDir.set(dataDir, (url = createSharedDatabase()));
  return url;
}

/** A real server in this process on a free port, with its own data dir (and database). */
export async function startTestServer(
  overrides: ConfigInput = {},
  options: Omit<StartOptions, 'logger'> = {},
): Promise<TestServer> {
  const dataDir = (overrides.dataDir as string | undefined) ?? tempDir();
  const databaseUrl = overrides.databaseUrl ?? (await databaseFor(dataDir));
  const config = resolveConfig({
    flags: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      ...RELAXED_LIMITS,
      ...overrides,
      dataDir,
      databaseUrl,
    },
  });
  const server = await startServer(config, { ...options, logger: createLogger('silent') });
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

/** Signs in over HTTP like a client would; the response as it came, success or not. */
export function login(baseUrl: string, username: string, password: string): Promise<ApiResponse> {
  return api(baseUrl, 'POST', '/api/v1/auth/login', { json: { username, password } });
}

/** GET /me with `token`: its status says whether the token still works. */
export function me(baseUrl: string, token: string): Promise<ApiResponse> {
  return api(baseUrl, 'GET', '/api/v1/me', { token });
}

/** Creates a user directly through the domain, then signs in over HTTP like a client would. */
export async function createUser(
  server: RunningServer,
  username: string,
  opts: { isAdmin?: boolean } = {},
): Promise<TestUser> {
  const password = `pw-${username}-long-enough`;
  await server.ctx.accounts.createUser({ username, password, isAdmin: opts.isAdmin ?? false });
  const res = await login(server.url, username, password);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body.user, token: res.body.token, password };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A connected socket.io-client plus the server's hello. */
export async function connect(
  url: string,
  token: string,
  opts: {
    transports?: ('websocket' | 'polling')[];
    protocolVersion?: number;
    extraHeaders?: Record<string, string>;
  } = {},
): Promise<{ socket: TestSocket; hello: Hello }> {
  const socket: TestSocket = io(url, {
    auth: { token, protocolVersion: opts.protocolVersion ?? PROTOCOL_VERSION },
    transports: opts.transports ?? ['websocket'],
    extraHeaders: opts.extraHeaders,
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

/** Every `event` the socket receives from now on, for asserting what did (not) arrive. */
export function record<T = any>(socket: TestSocket, event: string): T[] {
  const received: T[] = [];
  (socket as unknown as Socket).on(event, (payload: T) => received.push(payload));
  return received;
}

/**
 * Resolves once everything the server sent this socket before now has arrived: the server writes
 * to one connection in order, so the ack of a round trip comes after any earlier event.
 */
export async function flush(socket: TestSocket): Promise<void> {
  unwrap(await call(socket, 'channel.list', {}), 'round trip');
}

/** The data of a Result that must be ok. */
export function unwrap<T>(res: Result<T>, what = 'request'): T {
  if (!res.ok) throw new Error(`${what} failed: ${JSON.stringify(res.error)}`);
  return res.data;
}

/** The error code of a Result, or 'ok' when it succeeded. */
export function codeOf(res: Result<unknown>): string {
  return res.ok ? 'ok' : res.error.code;
}

let nameCounter = 0;
/** A fresh user or channel name, so tests that share one server never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${++nameCounter}`;
}

export interface ConnectedUser extends TestUser {
  socket: TestSocket;
  hello: Hello;
}

/** A new user (named from `prefix`) signed in over HTTP with one connected socket. */
export async function createConnectedUser(
  server: RunningServer,
  prefix: string,
  opts: { isAdmin?: boolean } = {},
): Promise<ConnectedUser> {
  const user = await createUser(server, uniqueName(prefix), opts);
  return { ...user, ...(await connect(server.url, user.token)) };
}

export type Transport = 'rest' | 'socket';
/** Chat actions both transports offer (typing is Socket.IO only). */
export type SharedAction = Exclude<keyof ClientToServerEvents, 'typing'>;
type Payload = Record<string, unknown>;

function query(params: Payload): string {
  const entries = Object.entries(params).map(([k, v]) => [k, String(v)]);
  return entries.length > 0 ? `?${new URLSearchParams(entries).toString()}` : '';
}

/** How each shared action is spelled over REST (see server/src/http/routes/chat.ts). */
const REST_ROUTES: Record<SharedAction, (p: Payload) => { method: string; path: string; json?: unknown }> = {
  sync: (p) => ({ method: 'POST', path: '/sync', json: p }),
  'message.send': ({ channelId, ...p }) => ({
    method: 'POST',
    path: `/channels/${channelId}/messages`,
    json: p,
  }),
  'message.edit': ({ messageId, ...p }) => ({ method: 'PATCH', path: `/messages/${messageId}`, json: p }),
  'message.delete': ({ messageId }) => ({ method: 'DELETE', path: `/messages/${messageId}` }),
  'channel.history': ({ channelId, ...p }) => ({
    method: 'GET',
    path: `/channels/${channelId}/messages${query(p)}`,
  }),
  'channel.create': (p) => ({ method: 'POST', path: '/channels', json: p }),
  'channel.join': ({ channelId }) => ({ method: 'POST', path: `/channels/${channelId}/join` }),
  'channel.leave': ({ channelId }) => ({ method: 'POST', path: `/channels/${channelId}/leave` }),
  'channel.invite': ({ channelId, ...p }) => ({
    method: 'POST',
    path: `/channels/${channelId}/members`,
    json: p,
  }),
  'channel.members': ({ channelId }) => ({ method: 'GET', path: `/channels/${channelId}/members` }),
  'channel.list': () => ({ method: 'GET', path: '/channels' }),
  'channel.browse': (p) => ({ method: 'GET', path: `/channels/browse${query(p)}` }),
  'direct.open': (p) => ({ method: 'POST', path: '/directs', json: p }),
  'read.mark': ({ channelId, ...p }) => ({ method: 'POST', path: `/channels/${channelId}/read`, json: p }),
  'user.list': () => ({ method: 'GET', path: '/users' }),
  'preferences.get': () => ({ method: 'GET', path: '/me/preferences' }),
  'preferences.set': (p) => ({ method: 'PUT', path: '/me/preferences', json: p }),
  'profile.set': (p) => ({ method: 'PATCH', path: '/me', json: p }),
  search: (p) => ({ method: 'GET', path: `/search${query(p)}` }),
  'channel.update': ({ channelId, ...p }) => ({ method: 'PATCH', path: `/channels/${channelId}`, json: p }),
  'message.thread': ({ messageId, ...p }) => ({
    method: 'GET',
    path: `/messages/${messageId}/thread${query(p)}`,
  }),
  'thread.list': (p) => ({ method: 'GET', path: `/me/threads${query(p)}` }),
  'thread.read': ({ messageId, ...p }) => ({
    method: 'POST',
    path: `/messages/${messageId}/thread/read`,
    json: p,
  }),
  'reaction.add': ({ messageId, emoji }) => ({
    method: 'PUT',
    path: `/messages/${messageId}/reactions/${encodeURIComponent(String(emoji))}`,
  }),
  'reaction.remove': ({ messageId, emoji }) => ({
    method: 'DELETE',
    path: `/messages/${messageId}/reactions/${encodeURIComponent(String(emoji))}`,
  }),
  'topic.list': () => ({ method: 'GET', path: '/me/topics' }),
  'topic.follow': ({ topic }) => ({ method: 'PUT', path: `/me/topics/${encodeURIComponent(String(topic))}` }),
  'topic.unfollow': ({ topic }) => ({
    method: 'DELETE',
    path: `/me/topics/${encodeURIComponent(String(topic))}`,
  }),
  'topic.messages': ({ topic, ...p }) => ({
    method: 'GET',
    path: `/me/topics/${encodeURIComponent(String(topic))}/messages${query(p)}`,
  }),
  'topic.mute': ({ topic, ...p }) => ({
    method: 'PATCH',
    path: `/me/topics/${encodeURIComponent(String(topic))}`,
    json: p,
  }),
  'topic.read': ({ topic, ...p }) => ({
    method: 'POST',
    path: `/me/topics/${encodeURIComponent(String(topic))}/read`,
    json: p,
  }),
};

/**
 * Runs one chat action over REST or Socket.IO and answers with a Result either way (a send as a
 * SendAck), so one test case covers both transports. A REST error must carry the HTTP status its
 * code maps to.
 */
export async function perform<T = any>(
  server: RunningServer,
  via: Transport,
  who: ConnectedUser,
  action: SharedAction,
  payload: Payload,
): Promise<Result<T>> {
  if (via === 'socket') return call<T>(who.socket, action, payload);
  const route = REST_ROUTES[action](payload);
  const res = await api(server.url, route.method, `/api/v1${route.path}`, {
    token: who.token,
    json: route.json,
  });
  if (res.status < 400) {
    // REST answers a send with the message itself plus {seq, ts, duplicate}; reshape it like the ack.
    if (action !== 'message.send') return { ok: true, data: res.body };
    const { duplicate, ...message } = res.body;
    return { ok: true, data: { id: message.id, seq: message.seq, ts: message.ts, duplicate, message } as T };
  }
  const code: unknown = res.body?.error?.code;
  if (!isErrorCode(code) || ERROR_CODES[code] !== res.status) {
    throw new Error(`${route.method} ${route.path} answered ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { ok: false, error: res.body.error };
}

/**
 * `perform` bound to a file's server (read when called, so a `let` set in beforeAll works):
 * `ok` answers an action's data and throws if it failed, `errorCode` answers its error code, `send`
 * sends a message under a fresh clientId (`fields` adds the rest of the request: a reply's
 * parentId, fileIds …) and answers its ack, `aliceAndBob` sets up two people in a channel.
 */
export function performOn(server: () => RunningServer) {
  const ok = async <T = any>(
    via: Transport,
    who: ConnectedUser,
    action: SharedAction,
    payload: Payload = {},
    on: RunningServer = server(),
  ): Promise<T> => unwrap(await perform<T>(on, via, who, action, payload), action);
  return {
    ok,
    errorCode: async (via: Transport, who: ConnectedUser, action: SharedAction, payload: Payload = {}) =>
      codeOf(await perform(server(), via, who, action, payload)),
    send: (
      via: Transport,
      who: ConnectedUser,
      channelId: string,
      text: string,
      fields: Payload = {},
      on: RunningServer = server(),
    ) => ok<SendAck>(via, who, 'message.send', { channelId, clientId: newId(), text, ...fields }, on),
    /** Alice and Bob, each connected, in a new channel Alice made: where most chat tests start. */
    aliceAndBob: async (via: Transport) => {
      const alice = await createConnectedUser(server(), 'alice');
      const bob = await createConnectedUser(server(), 'bob');
      return { alice, bob, channel: await createChannelWith(server(), via, alice, [bob]) };
    },
  };
}

/** A channel `owner` creates, which `members` then join (public) or are invited into (private). */
export async function createChannelWith(
  server: RunningServer,
  via: Transport,
  owner: ConnectedUser,
  members: ConnectedUser[] = [],
  visibility: 'public' | 'private' = 'public',
): Promise<ChannelSummary> {
  const name = uniqueName(visibility);
  const channel = unwrap(
    await perform<ChannelSummary>(server, via, owner, 'channel.create', { name, visibility }),
  );
  for (const member of members) {
    const joined =
      visibility === 'public'
        ? await perform(server, via, member, 'channel.join', { channelId: channel.id })
        : await perform(server, via, owner, 'channel.invite', {
            channelId: channel.id,
            userId: member.user.id,
          });
    unwrap(joined, `adding ${member.user.username}`);
  }
  return channel;
}

/** A member's view of a channel (read state and head), as sync reports it. */
export async function summaryOf(
  server: RunningServer,
  via: Transport,
  who: ConnectedUser,
  channelId: string,
): Promise<ChannelSummary> {
  const { channels } = unwrap(
    await perform<SyncResponse>(server, via, who, 'sync', { epoch: null, cursors: {} }),
  );
  const summary = channels.find((c) => c.id === channelId);
  if (!summary) throw new Error(`${who.user.username} is not a member of ${channelId}`);
  return summary;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Waits for exit; resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The built CLI (`npm run build` first) in a child process, for crash and shutdown tests. */
export async function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeOptions: string[] = [],
): Promise<ServerProcess> {
  if (!fs.existsSync(SERVER_CLI)) throw new Error(`${SERVER_CLI} is missing: run "npm run build" first`);
  return spawnListening(
    [...nodeOptions, SERVER_CLI, '--host', '127.0.0.1', '--log-level', 'warn', ...args],
    env,
  );
}

/**
 * What runs the server's child processes: Node, or — with E2E_SERVER_NODE set to an Electron
 * binary — Electron as Node. The real-Electron tests need that: there node_modules holds
 * better-sqlite3 built for Electron (the app's server loads it), which Node cannot load.
 */
export const SERVER_RUNTIME: { command: string; env: NodeJS.ProcessEnv } = process.env.E2E_SERVER_NODE
  ? { command: process.env.E2E_SERVER_NODE, env: { ELECTRON_RUN_AS_NODE: '1' } }
  : { command: process.execPath, env: {} };

/** `node ...nodeArgs` in a child process, ready once it prints "... listening on http://HOST:PORT". */
export async function spawnListening(
  nodeArgs: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const child = spawn(SERVER_RUNTIME.command, nodeArgs, {
    env: { ...process.env, ...SERVER_RUNTIME.env, ...env },
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
      const match = / listening on (http:\/\/\S+)/.exec(out);
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
