// Helpers for the session-core tests (client/src/**/*.test.ts): real servers, real sessions, and a
// recorder that watches a session the way a UI does.
import { vi } from 'vitest';
import { io } from 'socket.io-client';
import { newId } from '@switchboard/protocol';
import type { ServerSocket, SocketFactory } from '../../client/src/std/connection.ts';
import {
  displayKey,
  MessageView,
  type ConnectionState,
  type DisplayMessage,
  type Logger,
  type SessionApi,
  whenOnline,
} from '@switchboard/client';
import { createNodeSession, type NodeSessionOptions } from '@switchboard/client/node';
import { api, startTestServer, tempDir, type TestServer, type TestUser } from './server.ts';

const cleanups: (() => unknown)[] = [];

/** Registers something to undo after the test; `afterEach(runCleanups)` runs them, newest first. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A real server, closed after the test. */
export async function startServer(
  overrides: Parameters<typeof startTestServer>[0] = {},
  options: Parameters<typeof startTestServer>[1] = {},
): Promise<TestServer> {
  const server = await startTestServer(overrides, options);
  onCleanup(() => server.close());
  return server;
}

/** A session core on `dataDir` (a fresh one if left out), closed after the test, with a recorder. */
export async function openSession(options: Partial<NodeSessionOptions> = {}) {
  const dataDir = options.dataDir ?? tempDir('switchboard-client-');
  const core = await createNodeSession({ ...options, dataDir });
  onCleanup(() => core.close());
  return { core, dataDir, recorder: new SessionRecorder(core) };
}

/** Signs `core` in as `user` and waits until it is online. */
export async function signInOnline(core: SessionApi, user: TestUser): Promise<void> {
  await core.request('signIn', { username: user.user.username, password: user.password });
  await whenOnline(core);
}

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    warn: (message) => void warnings.push(message),
    error: (message) => void errors.push(message),
  };
}

type Listener = (...args: unknown[]) => void;

/**
 * Real socket.io-client sockets to a real server, with a hand on what passes: `answer` may reply
 * to a request in the server's place (a refusal, a malformed ack), `incoming` may change or drop
 * (undefined) an event from the server, and `inject` hands the client an event the server never
 * sent — what a flaky network, a server bug or a hostile server would do.
 */
export class TamperedTransport {
  answer: (event: string, payload: unknown) => unknown = () => undefined;
  /** Rewrites what the core sends before the real server sees it. */
  outgoing: (event: string, payload: unknown) => unknown = (_event, payload) => payload;
  incoming: (event: string, payload: unknown) => unknown = (_event, payload) => payload;
  private listeners = new Map<string, Listener[]>();

  readonly createSocket: SocketFactory = (url, options) => {
    const socket: ServerSocket = io(url, options);
    const listeners = new Map<string, Listener[]>();
    this.listeners = listeners;
    const on = socket.on.bind(socket) as (event: string, listener: Listener) => ServerSocket;
    socket.on = ((event: string, listener: Listener) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return on(event, (payload: unknown, ...rest: unknown[]) => {
        const changed = this.incoming(event, payload);
        if (changed !== undefined) listener(changed, ...rest);
      });
    }) as ServerSocket['on'];
    // `timeout(ms)` sets a flag and hands back the socket itself: its emitWithAck is the one to wrap.
    const emitWithAck = socket.emitWithAck.bind(socket) as (
      event: string,
      payload: unknown,
    ) => Promise<unknown>;
    socket.emitWithAck = ((event: string, payload: unknown) => {
      const canned = this.answer(event, payload);
      if (canned === undefined) return emitWithAck(event, this.outgoing(event, payload));
      // Nothing was emitted, so the flags `timeout()` set must not stick to the next emit.
      Object.assign(socket, { flags: {} });
      return Promise.resolve(canned);
    }) as ServerSocket['emitWithAck'];
    return socket;
  };

  /** Hands `payload` to the newest socket's handlers as if the server had sent `event`. */
  inject(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }
}

/** Options for `vi.waitFor` in tests against real servers: patient, and quick to notice. */
export const WAIT = { timeout: 10_000, interval: 20 };

/** Posts a message over REST as `user`, the way a bot or another client would. */
export async function postMessage(
  server: TestServer,
  user: TestUser,
  channelId: string,
  text: string,
): Promise<{ id: string; seq: number }> {
  const res = await api(server.url, 'POST', `/api/v1/channels/${channelId}/messages`, {
    token: user.token,
    json: { clientId: newId(), text },
  });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A public channel created by `owner` and joined by `others`. */
export async function sharedChannel(
  server: TestServer,
  owner: TestUser,
  others: TestUser[],
  name = 'shared',
): Promise<string> {
  const res = await api(server.url, 'POST', '/api/v1/channels', {
    token: owner.token,
    json: { name, visibility: 'public' },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  for (const user of others)
    await api(server.url, 'POST', `/api/v1/channels/${res.body.id}/join`, { token: user.token });
  return res.body.id as string;
}

/** Stored copies of every message with this text, server-side. */
export async function storedCopies(
  server: TestServer,
  user: TestUser,
  channelId: string,
  text: string,
): Promise<unknown[]> {
  const res = await api(server.url, 'GET', `/api/v1/channels/${channelId}/messages?limit=200`, {
    token: user.token,
  });
  return (res.body.messages as { text: string }[]).filter((m) => m.text === text);
}

/**
 * Watches a session the way a UI does: keeps each channel's shown messages from `messages` events,
 * and records connection states, resets, and any stored change handed over twice outside a reset.
 */
export class SessionRecorder {
  readonly states: ConnectionState[] = [];
  readonly resets: string[] = [];
  readonly repeated: string[] = [];
  /** Every message handed over, in order. */
  readonly seen: DisplayMessage[] = [];
  private readonly delivered = new Set<string>();
  private readonly views = new Map<string, MessageView>();

  constructor(session: SessionApi) {
    session.on('connection', (state) => this.states.push(state));
    session.on('messages', ({ channelId, messages, removed, reset }) => {
      const view = this.view(channelId);
      if (reset) {
        view.clear();
        this.resets.push(channelId);
      }
      view.remove(removed ?? []);
      view.upsert(messages);
      for (const m of messages) {
        this.seen.push(m);
        const key = `${displayKey(m)}@${m.changeSeq}`;
        if (m.delivery !== 'sent' || reset) continue;
        if (this.delivered.has(key)) this.repeated.push(key);
        this.delivered.add(key);
      }
    });
  }

  /** Seeds a channel's view with an openChannel answer. */
  opened(channelId: string, messages: DisplayMessage[]): void {
    this.view(channelId).upsert(messages);
  }

  shown(channelId: string): DisplayMessage[] {
    return [...this.view(channelId).list()];
  }

  /** Waits until a stored copy that `match`es is shown, and returns it. */
  sent(channelId: string, match: (m: DisplayMessage) => boolean, what: string): Promise<DisplayMessage> {
    return vi.waitFor(() => {
      const found = this.shown(channelId).find((m) => m.delivery === 'sent' && match(m));
      if (!found) throw new Error(`still waiting for ${what}`);
      return found;
    }, WAIT);
  }

  texts(channelId: string): string[] {
    return this.shown(channelId).map((m) => m.text);
  }

  get state(): ConnectionState | undefined {
    return this.states[this.states.length - 1];
  }

  private view(channelId: string): MessageView {
    let view = this.views.get(channelId);
    if (!view) this.views.set(channelId, (view = new MessageView()));
    return view;
  }
}
