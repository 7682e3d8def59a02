// Owns the Socket.IO connection: token auth in the handshake, WebSocket with long-polling fallback,
// reconnect with jittered exponential backoff, and a connection state a person can read. Everything
// the server sends is parsed with the protocol's schemas (its event tables) before anyone sees it: an event that does
// not match is dropped and logged, an ack that does not match fails its request.
//
// socket.io-client's own reconnection is off: we need the time of the next attempt (for
// "reconnecting in N s"), the server's shutdown hint, and a reconnect-now for wake and online events.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { z } from 'zod';
import {
  ClientEvents,
  PROTOCOL_VERSION,
  ServerEvents,
  SwitchboardError,
  type AckData,
  type ClientEventName,
  type ClientEventPayload,
  type ClientToServerEvents,
  type ErrorBody,
  type Hello,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
  utf8Length,
} from '@switchboard/protocol';
import type { ConnectionState, OutageReason } from './contract.ts';
import { Emitter } from './emitter.ts';
import { fromErrorBody, issuesOf } from './errors.ts';
import { silentLogger, type Logger } from './log.ts';

export type ServerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type SocketFactory = (url: string, options: Partial<ManagerOptions & SocketOptions>) => ServerSocket;

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Socket.IO's framing around an event's JSON: packet type and ack id. */
const PACKET_FRAMING_BYTES = 16;
/**
 * While a retry is further off than this, the server's health endpoint is asked this often whether
 * it answers again; when it does, the next attempt starts at once instead of at the end of a long
 * backoff step. No jitter is needed: each client's outage began at its own (jittered) moment.
 */
export const PROBE_INTERVAL_MS = 1_500;
/**
 * How long a connection that looks online has, after a wake or a network change, to answer one
 * request before it is taken for dead and replaced.
 */
export const LIVENESS_TIMEOUT_MS = 5_000;

/** Whether the server at `url` answers its health check: the cheapest request it serves. */
export type HealthProbe = (url: string) => Promise<boolean>;

export const healthProbe: HealthProbe = async (url) => {
  try {
    const response = await fetch(`${url}/healthz`);
    return response.ok;
  } catch {
    return false;
  }
};

/**
 * Delay before reconnect attempt `attempt` (1, 2, …): the ceiling doubles from 1 s up to 30 s, and
 * the delay is drawn from its upper half, so clients spread out yet never retry in a tight loop.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Time and timers, injectable so the schedule can be tested without waiting. */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ConnectionOptions {
  url: string;
  token: string;
  protocolVersion?: number;
  createSocket?: SocketFactory;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** How to ask whether the server answers again during an outage (default: GET /healthz). */
  probe?: HealthProbe;
}

export interface ConnectionEvents {
  state: ConnectionState;
  /** The server accepted us and joined us to our channels' rooms: live events flow from here on. */
  online: Hello;
  /** The token was refused: the connection has stopped for good. */
  unauthorized: ErrorBody;
}

/** Every ack is a Result; its error body is read leniently (fromErrorBody), its data by event. */
const AckResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.unknown(), message: z.unknown() }).loose() }),
]);

export class Connection {
  private currentState: ConnectionState = { status: 'connecting' };
  private socket: ServerSocket | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private helloTimer: unknown = null;
  private probeTimer: unknown = null;
  private livenessTimer: unknown = null;
  /** When the next scheduled attempt is due, while one waits. */
  private retryAt: number | null = null;
  /** What the current outage is, from its start until the connection is back (OutageReason). */
  private outage: OutageReason | null = null;
  private networkAvailable = true;
  private stopped = false;
  /** Set by the server's shutdown notice: its (already jittered) delay replaces the next backoff. */
  private shutdownDelayMs: number | null = null;
  /** The largest packet the server takes (its `hello`); a larger one would cut the connection. */
  private maxPacketBytes = Number.POSITIVE_INFINITY;
  private readonly events = new Emitter<ConnectionEvents>();
  private readonly serverHandlers: [ServerEventName, (payload: unknown) => void][] = [];
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly createSocket: SocketFactory;
  private readonly probe: HealthProbe;
  private readonly log: Logger;

  constructor(private readonly options: ConnectionOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.createSocket = options.createSocket ?? io;
    this.probe = options.probe ?? healthProbe;
    this.log = options.logger ?? silentLogger;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  on<E extends keyof ConnectionEvents>(name: E, handler: (payload: ConnectionEvents[E]) => void): () => void {
    return this.events.on(name, handler);
  }

  /** Handles a server event on every socket this connection opens; invalid payloads never reach it. */
  onServer<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): void {
    const checked = this.validated(event, handler);
    this.serverHandlers.push([event, checked]);
    this.socket?.on(event, checked as never);
  }

  start(): void {
    this.open();
  }

  /**
   * Skips the wait (wake, unlock, network back, a person pressing retry); while online, makes sure
   * the connection still answers.
   */
  reconnectNow(): void {
    if (this.stopped || this.currentState.status === 'connecting') return;
    if (this.currentState.status === 'online') return this.checkAlive();
    this.networkAvailable = true;
    this.open();
  }

  /** The platform's view of the network: while it is down, retrying is pointless. */
  setNetworkAvailable(available: boolean): void {
    if (available === this.networkAvailable) return;
    this.networkAvailable = available;
    if (available) this.reconnectNow();
    else this.goOffline();
  }

  stop(): void {
    this.stopped = true;
    this.closeSocket();
    this.events.clear();
  }

  /**
   * Emits an event and resolves with its ack's data, checked against the event's schema; fails with
   * the server's error, `unavailable` (not connected, no answer in time), or `internal` (an answer
   * that does not match the protocol). Payload and result types are the event's in the protocol.
   */
  async request<E extends ClientEventName>(
    event: E,
    payload: ClientEventPayload<E>,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<AckData<E>> {
    const socket = this.socket as Socket | null;
    if (!socket || this.currentState.status !== 'online') {
      throw new SwitchboardError(
        'unavailable',
        'not connected to the server: it will be tried again when the connection is back',
      );
    }
    // Not a check of what is in it (the core and the server check that) but of the packet: the server
    // does not refuse a larger one, it cuts the connection — again after every reconnect.
    const bytes = utf8Length(JSON.stringify([event, payload])) + PACKET_FRAMING_BYTES;
    if (bytes > this.maxPacketBytes) {
      throw new SwitchboardError(
        'payload_too_large',
        `too large for this server: ${bytes} bytes in one packet, where it takes at most ${this.maxPacketBytes}`,
      );
    }
    let answer: unknown;
    try {
      answer = await socket.timeout(timeoutMs).emitWithAck(event, payload);
    } catch {
      throw new SwitchboardError('unavailable', 'the server did not answer in time');
    }
    const result = AckResult.safeParse(answer);
    if (!result.success) throw this.invalidAnswer(event, result.error);
    if (!result.data.ok) throw fromErrorBody(result.data.error);
    const ack: z.ZodType = ClientEvents[event].ack;
    const data = ack.safeParse(result.data.data);
    if (!data.success) throw this.invalidAnswer(event, data.error);
    return data.data as AckData<E>;
  }

  /** Fire-and-forget events (typing): dropped when not connected. */
  emitVolatile(event: 'typing', payload: ClientEventPayload<'typing'>): void {
    if (this.currentState.status === 'online') this.socket?.volatile.emit(event, payload);
  }

  private open(): void {
    this.closeSocket();
    if (this.stopped) return;
    if (!this.networkAvailable) return this.goOffline();
    this.setState({ status: 'connecting' });
    const socket = this.createSocket(this.options.url, {
      auth: { token: this.options.token, protocolVersion: this.options.protocolVersion ?? PROTOCOL_VERSION },
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
    });
    this.socket = socket;
    for (const [event, handler] of this.serverHandlers) socket.on(event, handler as never);
    socket.on('connect', () => {
      this.helloTimer = this.clock.setTimeout(
        () => this.retryLater(socket, 'no-greeting'),
        CONNECT_TIMEOUT_MS,
      );
    });
    socket.on(
      'hello',
      this.validated('hello', (hello) => {
        if (socket !== this.socket) return;
        if (this.helloTimer !== null) this.clock.clearTimeout(this.helloTimer);
        this.helloTimer = null;
        this.attempt = 0;
        this.shutdownDelayMs = null;
        this.outage = null;
        this.maxPacketBytes = hello.limits.maxPayloadBytes;
        this.setState({ status: 'online' });
        this.events.emit('online', hello);
      }),
    );
    socket.on(
      'server.shutdown',
      this.validated('server.shutdown', ({ reconnectAfterMs }) => {
        this.shutdownDelayMs = Math.min(Math.max(reconnectAfterMs, 0), BACKOFF_CAP_MS);
      }),
    );
    socket.on('connect_error', (err) => this.onConnectError(socket, err));
    socket.on('disconnect', () =>
      this.retryLater(socket, this.shutdownDelayMs !== null ? 'server-restarting' : 'connection-lost'),
    );
  }

  private invalidAnswer(event: string, error: z.ZodError): SwitchboardError {
    this.log.warn('the server answered a request with data that does not match the protocol', {
      event,
      issues: issuesOf(error),
    });
    return new SwitchboardError(
      'internal',
      `the server sent an answer to ${event} this app does not understand`,
    );
  }

  /** Wraps a server event handler: a payload that does not match its schema is dropped and logged. */
  private validated<E extends ServerEventName>(
    event: E,
    handler: (payload: ServerEventPayload<E>) => void,
  ): (payload: unknown) => void {
    const shape: z.ZodType = ServerEvents[event];
    return (payload) => {
      const parsed = shape.safeParse(payload);
      if (parsed.success) handler(parsed.data as ServerEventPayload<E>);
      else
        this.log.warn('dropped a server event that does not match the protocol', {
          event,
          issues: issuesOf(parsed.error),
        });
    };
  }

  private onConnectError(socket: ServerSocket, err: Error): void {
    if (socket !== this.socket) return;
    const data = (err as { data?: ErrorBody }).data;
    if (!data) return this.retryLater(socket, 'unreachable');
    switch (data.code) {
      case 'unauthorized':
        this.stopped = true;
        this.closeSocket();
        this.setState({ status: 'signed-out' });
        this.events.emit('unauthorized', data);
        return;
      case 'unsupported_version':
        // Retrying cannot help until one side is updated; reconnectNow() tries again on request.
        this.closeSocket();
        this.setState({
          status: 'incompatible',
          reason: data.message,
          serverTooOld:
            Number(data.details?.maxProtocol) < (this.options.protocolVersion ?? PROTOCOL_VERSION),
        });
        return;
      case 'too_many_connections':
        return this.retryLater(socket, 'too-many-connections');
      case 'rate_limited':
        return this.retryLater(socket, 'rate-limited', undefined, data.retryAfter);
      default:
        return this.retryLater(socket, 'refused', data.message);
    }
  }

  /**
   * Schedules the next attempt. `reason` is what this failure says; the outage keeps the reason it
   * began with while attempts merely fail to reach the server (a restart stays a restart), and takes
   * a new one only when the server says something specific.
   */
  private retryLater(
    socket: ServerSocket,
    reason: OutageReason,
    detail?: string,
    retryAfterSeconds?: number,
  ): void {
    if (socket !== this.socket) return;
    this.closeSocket();
    if (this.stopped) return;
    if (!this.networkAvailable) return this.goOffline();
    if (this.outage === null || (reason !== 'unreachable' && reason !== 'connection-lost'))
      this.outage = reason;
    this.attempt += 1;
    const backoff = backoffDelay(this.attempt, this.random);
    const delay = this.shutdownDelayMs ?? Math.max(backoff, (retryAfterSeconds ?? 0) * 1000);
    this.shutdownDelayMs = null;
    this.retryAt = this.clock.now() + delay;
    this.setState({
      status: 'reconnecting',
      retryAt: this.retryAt,
      attempt: this.attempt,
      reason: this.outage,
      ...(this.outage === 'refused' && detail ? { detail } : {}),
    });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
    // A rate limit is the server asking us to wait: no shortcut then.
    if (reason !== 'rate-limited') this.scheduleProbe();
  }

  /**
   * A socket can look online and be dead: the machine slept without saying so first, or its network
   * changed under it. Its own sign would be Socket.IO's ping timeout, up to 45 s later; one request
   * it must answer (the cheapest, reading the preferences) tells within LIVENESS_TIMEOUT_MS, and a
   * dead one is replaced at once — the new one catches up by cursor like any reconnect.
   */
  private checkAlive(): void {
    const socket = this.socket;
    if (!socket || this.livenessTimer !== null) return;
    this.livenessTimer = this.clock.setTimeout(() => {
      this.livenessTimer = null;
      if (socket !== this.socket) return;
      this.log.warn('the connection did not answer after a wake or a network change: reconnecting');
      this.open();
    }, LIVENESS_TIMEOUT_MS);
    // A rejection means the socket closed: its own disconnect handling takes over.
    socket.emitWithAck('preferences.get', {}).then(
      () => {
        if (socket !== this.socket || this.livenessTimer === null) return;
        this.clock.clearTimeout(this.livenessTimer);
        this.livenessTimer = null;
      },
      () => undefined,
    );
  }

  /** Asks, while the next attempt is far off, whether the server answers again; if so, attempts now. */
  private scheduleProbe(): void {
    const wait = PROBE_INTERVAL_MS;
    if (this.retryAt === null || this.retryAt - this.clock.now() <= wait) return;
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = null;
      const waitingFor = this.retryTimer;
      void this.probe(this.options.url).then((answers) => {
        // Only if this wait is still the one being shortened.
        if (this.stopped || this.retryTimer !== waitingFor || waitingFor === null) return;
        if (answers) this.open();
        else this.scheduleProbe();
      });
    }, wait);
  }

  private goOffline(): void {
    this.closeSocket();
    this.setState({ status: 'offline', reason: 'no-network' });
  }

  private closeSocket(): void {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    if (this.helloTimer !== null) this.clock.clearTimeout(this.helloTimer);
    if (this.probeTimer !== null) this.clock.clearTimeout(this.probeTimer);
    if (this.livenessTimer !== null) this.clock.clearTimeout(this.livenessTimer);
    this.retryTimer = null;
    this.helloTimer = null;
    this.probeTimer = null;
    this.livenessTimer = null;
    this.retryAt = null;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.removeAllListeners();
    socket.disconnect();
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    this.events.emit('state', state);
  }
}
