// Socket.IO transport: handshake auth, rooms per user and channel, typed events with acks.
// Handlers are thin: validation and work happen in ../actions.ts and the domain.
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket as EngineSocket } from 'engine.io';
import { Server, type Socket } from 'socket.io';
import {
  CLIENT_EVENTS,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  SwitchboardError,
  TypingRequest,
  type ClientToServerEvents,
  type HandshakeAuth,
  type Result,
  type ServerToClientEvents,
  type User,
} from '@switchboard/protocol';
import { isActionName, runAction } from '../actions.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { ServerContext } from '../context.ts';
import { userOf, type Accounts } from '../domain/accounts.ts';
import type { Notifier } from '../domain/notifier.ts';
import type { TopicMessage, Topics } from '../domain/topics.ts';
import { requireScope } from '../http/auth.ts';
import { clientAddressResolver } from '../http/clientAddress.ts';
import { PresenceBatcher } from './presenceBatcher.ts';
import { parse, toSwitchboardError } from '../errors.ts';

interface SocketData {
  user: User;
  tokenId: string;
  /** The client's address, proxy-aware: the key for per-address rate limits. */
  address: string;
  /** `Realtime.revocations` when the token was checked: if it moved before the socket went live, re-check. */
  revocationsSeen: number;
}

/** What nodes tell each other directly (through the cluster's adapter). */
interface ServerSideEvents {
  /** These tokens stopped working: drop the connections of yours that use them. */
  'tokens.revoked': (tokenIds: string[]) => void;
  /** A topic message was stored: tell your live subscribers of its topic. */
  'topic.published': (message: TopicMessage) => void;
}

export type SwitchboardIo = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
type SwitchboardSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;

const userRoom = (userId: string) => `u:${userId}`;
const channelRoom = (channelId: string) => `c:${channelId}`;
/** The connections of the users who follow a topic. */
const topicRoom = (topic: string) => `t:${topic}`;

/**
 * One string per live room, however many sockets join it: each socket's set of rooms keeps the name
 * it joined with, and thousands of idle connections would otherwise each hold their own copies.
 */
class RoomNames {
  private readonly names = new Map<string, string>();

  constructor(adapter: { on(event: 'delete-room', listener: (room: string) => void): unknown }) {
    adapter.on('delete-room', (room) => this.names.delete(room));
  }

  of(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }
}

/**
 * Token changes made in this process reach live sockets at once (Notifier.tokensRevoked); this
 * sweep catches the rest — expiry, and revocations by the CLI from another process.
 */
const REVOCATION_SWEEP_MS = 30_000;
/** Clients reconnect spread over this window after a shutdown, so a restart is not a stampede. */
const RECONNECT_SPREAD_MS = 5_000;

/**
 * The Socket.IO server. It exists before the domain, which gets its notifier, and is attached to the
 * HTTP server once that is built.
 */
export class Realtime {
  readonly io: SwitchboardIo;
  readonly notifier: Notifier;
  /** Events being handled: shutdown answers them all before it disconnects anyone. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Counts revocations, so a handshake that raced one re-checks its token before going live. */
  private revocations = 0;
  /** Open Engine.IO sessions by id, authenticated or not: shutdown waits for them to close. */
  private readonly sessions = new Map<string, EngineSocket>();
  /** Sessions that have not signed in yet: how many per client address, and each one's address. */
  private readonly pendingByAddress = new Map<string, number>();
  private readonly pendingAddress = new Map<string, string>();
  /** The socket that holds a connection slot (the per-user cap), by session: freed when it closes. */
  private readonly slotHolders = new Map<string, SwitchboardSocket>();

  constructor(
    maxPayloadBytes: number,
    private readonly cluster: Cluster,
  ) {
    this.io = new Server({
      // With several nodes, events reach the members connected to every node through the cluster.
      ...(cluster.adapter ? { adapter: cluster.adapter } : {}),
      maxHttpBufferSize: maxPayloadBytes,
      // Both transports stay on: WebSocket where it works, long-polling where a network blocks it.
      transports: ['polling', 'websocket'],
      cors: { origin: true },
      pingInterval: 25_000,
      pingTimeout: 20_000,
      connectTimeout: 10_000,
      serveClient: false,
    });
    const io = this.io;
    this.notifier = {
      toChannel: (channelId, event, ...args) => io.to(channelRoom(channelId)).emit(event, ...args),
      toUser: (userId, event, ...args) => io.to(userRoom(userId)).emit(event, ...args),
      toEveryone: (event, ...args) => io.emit(event, ...args),
      subscribe: (userId, channelId) => io.in(userRoom(userId)).socketsJoin(channelRoom(channelId)),
      unsubscribe: (userId, channelId) => io.in(userRoom(userId)).socketsLeave(channelRoom(channelId)),
      followTopic: (userId, topic) => io.in(userRoom(userId)).socketsJoin(topicRoom(topic)),
      unfollowTopic: (userId, topic) => io.in(userRoom(userId)).socketsLeave(topicRoom(topic)),
      tokensRevoked: (tokenIds) => {
        this.dropConnectionsOf(tokenIds);
        if (cluster.adapter) io.serverSideEmit('tokens.revoked', [...tokenIds]);
      },
    };
    io.on('tokens.revoked', (tokenIds) => this.dropConnectionsOf(tokenIds));
    // Events published while the link to the other nodes was broken may not have reached everyone:
    // every client, on every node, catches up by its cursors.
    cluster.onRestored(() => io.emit('server.resync', {}));
  }

  /**
   * Topic messages stored on any node reach the live subscribers on every node; after the link to
   * the others was broken, every subscriber reads what it missed.
   */
  relayTopics(topics: Topics): void {
    const { io, cluster } = this;
    if (!cluster.adapter) return;
    topics.relayTo((message) => io.serverSideEmit('topic.published', message));
    io.on('topic.published', (message) => topics.receive(message));
    cluster.onRestored(() => topics.resync());
  }

  /** Disconnects this node's sockets that use these tokens. */
  private dropConnectionsOf(tokenIds: readonly string[]): void {
    this.revocations += 1;
    const revoked = new Set(tokenIds);
    for (const socket of this.io.sockets.sockets.values())
      if (revoked.has(socket.data.tokenId)) socket.disconnect(true);
  }

  /** Serves Socket.IO on `httpServer`; returns a function that stops its timers. */
  attach(
    httpServer: HttpServer,
    ctx: ServerContext,
    options: { securityHeaders: Readonly<Record<string, string>>; revocationSweepMs?: number },
  ): () => void {
    const sweepMs = options.revocationSweepMs ?? REVOCATION_SWEEP_MS;
    const io = this.io;
    const addressOf = clientAddressResolver(ctx.config.trustProxy);
    io.attach(httpServer, {
      allowRequest: (req, callback) => {
        if (ctx.isShuttingDown()) return callback('server is shutting down', false);
        const pending = this.pendingByAddress.get(addressOf(req)) ?? 0;
        if (pending >= ctx.config.maxPendingSessionsPerAddress)
          return callback('too many connections from this address are still signing in', false);
        callback(null, true);
      },
    });
    const presenceOut = new PresenceBatcher((changes) => io.volatile.emit('presence', { changes }));
    // One listener for every session (Engine.IO calls it with the session as `this`), not a
    // closure each: thousands of idle connections would each keep one.
    const closed = (session: EngineSocket): void => {
      const id = sessionId(session);
      this.sessions.delete(id);
      this.stopPending(id);
      const holder = this.slotHolders.get(id);
      if (holder) {
        this.slotHolders.delete(id);
        this.releaseSlot(ctx, holder, presenceOut);
        // The end of a connection is a use of its token too ("last seen"); at shutdown the store is closing.
        if (!ctx.isShuttingDown())
          ctx.accounts
            .touch(holder.data.tokenId)
            .catch((err: unknown) => ctx.logger.warn({ err }, 'could not record when a token was last used'));
      }
    };
    const sessionClosed = function (this: EngineSocket): void {
      closed(this);
    };
    io.engine.on('connection', (session: EngineSocket) => {
      const id = sessionId(session);
      this.sessions.set(id, session);
      this.countPending(id, addressOf(session.request));
      session.on('close', sessionClosed);
    });
    // Engine.IO answers an oversized long-polling POST with 413 but keeps the session, where an oversized
    // WebSocket frame closes the connection: close the session too, so both transports behave alike.
    io.engine.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
      const sid = req.method === 'POST' ? new URL(req.url ?? '', 'http://x').searchParams.get('sid') : null;
      if (sid) res.once('finish', () => res.statusCode === 413 && this.sessions.get(sid)?.close(true));
      next();
    });
    // Long-polling responses come from Engine.IO, not Fastify: they get the same headers.
    io.engine.on('headers', (headers: Record<string, string>) =>
      Object.assign(headers, options.securityHeaders),
    );
    const sweep = setInterval(() => {
      const sockets = [...io.sockets.sockets.values()].filter((s) => s.data.tokenId);
      dropRevoked(sockets, ctx.accounts).catch((err: unknown) =>
        ctx.logger.error({ err }, 'revocation sweep failed'),
      );
    }, sweepMs).unref();

    io.use((socket, next) => {
      this.handshake(ctx, socket, addressOf, presenceOut).then(
        () => next(),
        (err: unknown) => {
          const error = toSwitchboardError(err);
          if (error.code === 'internal') ctx.logger.error({ err }, 'socket handshake failed');
          ctx.metrics.errors.labels('socket', error.code).inc();
          next(Object.assign(new Error(error.message), { data: error.toBody() }));
        },
      );
    });

    const inFlight = this.inFlight;
    // One listener for every socket (Socket.IO calls it with the socket as `this`), not a closure each.
    const onEvent = function (this: SwitchboardSocket, event: string, ...args: unknown[]): void {
      const work = handleEvent(ctx, this, event, args);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    const rooms = new RoomNames(io.sockets.adapter);
    const stopTopics = deliverTopics(ctx, io);
    ctx.metrics.liveConnections = () => io.sockets.sockets.size;
    io.on('connection', (socket) => {
      this.stopPending(sessionId(socket.conn));
      // The HTTP request that opened the session, and the handshake's copy of its headers, query and
      // auth (the token), were needed to sign in only; Socket.IO keeps them for the whole connection
      // unless told not to (its "Memory usage" guide). socket.data has what is needed from them.
      (socket.conn as { request: IncomingMessage | null }).request = null;
      Object.assign(socket.handshake, { headers: {}, query: {}, auth: {} });
      // Set up at once in the usual case, so the event listener is in place before any event arrives.
      const setUp = this.missedRevocation(socket)
        ? this.stillValid(ctx, socket).then(async (valid) => {
            if (valid) await onConnection(ctx, socket, onEvent, rooms);
          })
        : onConnection(ctx, socket, onEvent, rooms);
      setUp.catch((err: unknown) => {
        // A database fault while setting up one connection drops that connection, not the server.
        ctx.logger.error({ err }, 'setting up a connection failed');
        socket.disconnect(true);
      });
    });
    return () => {
      clearInterval(sweep);
      presenceOut.stop();
      stopTopics();
    };
  }

  /** Counts a session as not signed in until `stopPending` (it signed in, or closed). */
  private countPending(id: string, address: string): void {
    this.pendingByAddress.set(address, (this.pendingByAddress.get(address) ?? 0) + 1);
    this.pendingAddress.set(id, address);
  }

  private stopPending(id: string): void {
    const address = this.pendingAddress.get(id);
    if (address === undefined) return;
    this.pendingAddress.delete(id);
    const left = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (left > 0) this.pendingByAddress.set(address, left);
    else this.pendingByAddress.delete(address);
  }

  /** Gives back a connection slot of the per-user cap; the user is offline after their last. */
  private releaseSlot(ctx: ServerContext, socket: SwitchboardSocket, presenceOut: PresenceBatcher): void {
    const userId = socket.data.user.id;
    ctx.connections.remove(userId, socket.id).then(
      (last) => last && presenceOut.changed(userId, 'offline'),
      (err: unknown) => ctx.logger.error({ err }, 'forgetting a connection failed'),
    );
  }

  /**
   * Ends every connection gracefully, by `deadline` at the latest: tells clients when to come back,
   * waits until every event already accepted has been answered (sends committed and acked), then
   * sends each a DISCONNECT and waits until its transport has delivered it — a long-polling client
   * has to poll once more — and closed. What is still open at the deadline is left to the caller to cut.
   */
  async drain(deadline: number): Promise<void> {
    for (const socket of this.io.sockets.sockets.values())
      socket.emit('server.shutdown', { reconnectAfterMs: Math.floor(Math.random() * RECONNECT_SPREAD_MS) });
    await beforeDeadline(Promise.all(this.inFlight), deadline);
    const closed = this.transportsClosed();
    this.io.disconnectSockets(true);
    await beforeDeadline(closed, deadline);
  }

  /** Resolves once no Engine.IO session is open. */
  private transportsClosed(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => this.sessions.size === 0 && resolve();
      for (const session of this.sessions.values()) session.once('close', () => setImmediate(check));
      check();
    });
  }

  private async handshake(
    ctx: ServerContext,
    socket: SwitchboardSocket,
    addressOf: (request: IncomingMessage) => string,
    presenceOut: PresenceBatcher,
  ): Promise<void> {
    // Null once a socket of this Engine.IO session went live (see below): a client that signs in
    // again starts a new session, as Socket.IO's clients do.
    const request = socket.request as IncomingMessage | null;
    if (!request)
      throw new SwitchboardError('bad_request', 'this connection has signed in once: open a new one');
    const address = addressOf(request);
    // Untrusted until checked below: every field may be missing or of the wrong type.
    const auth = socket.handshake.auth as { [K in keyof HandshakeAuth]?: unknown };
    const version = typeof auth.protocolVersion === 'number' ? auth.protocolVersion : MIN_PROTOCOL_VERSION;
    if (version < MIN_PROTOCOL_VERSION || version > PROTOCOL_VERSION) {
      throw new SwitchboardError(
        'unsupported_version',
        `this server speaks protocol ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}; the app speaks ${version}: update ${version < MIN_PROTOCOL_VERSION ? 'the app' : 'the server'}`,
        { details: { minProtocol: MIN_PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION } },
      );
    }
    if (typeof auth.token !== 'string' || auth.token.length === 0 || auth.token.length > 512) {
      throw new SwitchboardError(
        'unauthorized',
        'connect with auth: { token } (POST /api/v1/auth/login gives one)',
      );
    }
    await ctx.rateLimits.consume(address);
    const revocationsSeen = this.revocations;
    const authenticated = await ctx.accounts.authenticate(auth.token);
    // Every event is a chat action, so the connection as a whole needs the chat scope.
    requireScope(authenticated, 'chat');
    const user = userOf(authenticated);
    const { tokenId } = authenticated;
    // Counted on every node at once, so the cap holds however the connections are spread.
    const slot = await ctx.connections.add(user.id, socket.id, ctx.config.maxConnectionsPerUser);
    if (!slot.accepted) {
      throw new SwitchboardError(
        'too_many_connections',
        `at most ${ctx.config.maxConnectionsPerUser} connections per user`,
      );
    }
    if (slot.first) presenceOut.changed(user.id, 'online');
    socket.data = { user, tokenId, address, revocationsSeen };
    // Released when the session closes, whether or not the socket ever went live; if it closed while
    // this handshake waited, at once.
    const session = sessionId(socket.conn);
    if (this.sessions.has(session)) this.slotHolders.set(session, socket);
    else this.releaseSlot(ctx, socket, presenceOut);
  }

  /**
   * A token revoked after the handshake checked it but before the socket went live was missed by
   * `tokensRevoked`; without a second look the socket would live until the next sweep.
   */
  private missedRevocation(socket: SwitchboardSocket): boolean {
    return socket.data.revocationsSeen !== this.revocations;
  }

  private async stillValid(ctx: ServerContext, socket: SwitchboardSocket): Promise<boolean> {
    const active = await ctx.accounts.activeTokenIds([socket.data.tokenId]);
    if (active.has(socket.data.tokenId)) return true;
    socket.disconnect(true);
    return false;
  }
}

/** Disconnects the sockets whose token no longer authenticates; the client then sees it is signed out. */
async function dropRevoked(sockets: SwitchboardSocket[], accounts: Accounts): Promise<void> {
  const active = await accounts.activeTokenIds([...new Set(sockets.map((s) => s.data.tokenId))]);
  for (const socket of sockets) if (!active.has(socket.data.tokenId)) socket.disconnect(true);
}

async function onConnection(
  ctx: ServerContext,
  socket: SwitchboardSocket,
  onEvent: (this: SwitchboardSocket, event: string, ...args: unknown[]) => void,
  rooms: RoomNames,
): Promise<void> {
  const user = socket.data.user;
  socket.onAny(onEvent);

  // The user room first: a channel joined while we read the memberships below still reaches this
  // socket through Notifier.subscribe, which works on the user room.
  await socket.join(rooms.of(userRoom(user.id)));
  const channelIds = await ctx.channels.idsOfMember(user.id);
  if (!socket.connected) return;
  await socket.join(channelIds.map((id) => rooms.of(channelRoom(id))));
  const topics = await ctx.topicFollows.namesFor(user.id);
  if (!socket.connected) return;
  await socket.join(topics.map((topic) => rooms.of(topicRoom(topic))));
  socket.emit('hello', {
    protocolVersion: PROTOCOL_VERSION,
    serverVersion: ctx.version,
    epoch: ctx.epoch,
    user,
    limits: {
      maxPayloadBytes: ctx.config.maxPayloadBytes,
      maxMessageLength: ctx.config.maxMessageLength,
      maxFileBytes: ctx.config.maxFileBytes,
    },
  });
}

/**
 * Every topic message stored here or on another node (each node hears them all through the relay)
 * goes to this node's connections of its followers who may read it now: access is asked at each
 * message, so revoking it stops delivery at once. One topic's messages go out in seq order.
 */
function deliverTopics(ctx: ServerContext, io: SwitchboardIo): () => void {
  const queues = new Map<string, Promise<void>>();
  const deliver = async (message: TopicMessage) => {
    const sockets = await io.local.in(topicRoom(message.topic)).fetchSockets();
    if (sockets.length === 0) return;
    const users = new Map(sockets.map((s) => [s.data.user.id, s.data.user]));
    const readers = await ctx.topicAccess.readers([...users.values()], message.topic);
    for (const socket of sockets) if (readers.has(socket.data.user.id)) socket.emit('topic.message', message);
  };
  return ctx.topics.observe((message) => {
    const queued = (queues.get(message.topic) ?? Promise.resolve())
      .then(() => deliver(message))
      .catch((err: unknown) =>
        ctx.logger.error({ err, topic: message.topic }, 'delivering a topic message failed'),
      );
    queues.set(message.topic, queued);
    void queued.then(() => queues.get(message.topic) === queued && queues.delete(message.topic));
  });
}

async function handleEvent(
  ctx: ServerContext,
  socket: SwitchboardSocket,
  event: string,
  args: unknown[],
): Promise<void> {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as (r: Result<unknown>) => void) : undefined;
  const payload = ack ? args.slice(0, -1) : args;
  const user = socket.data.user;
  try {
    // Checked before the first await, so the refusal is written before shutdown's DISCONNECT.
    if (ctx.isShuttingDown())
      throw new SwitchboardError('unavailable', 'the server is restarting: retry after reconnecting');
    // Counted first, so junk events cost the sender like any other.
    await ctx.rateLimits.consume(socket.data.address, user.id);
    if (payload.length > 1)
      throw new SwitchboardError('validation_failed', 'send exactly one payload object per event');
    if (!isKnown(event)) {
      throw new SwitchboardError('unknown_event', `unknown event "${String(event).slice(0, 64)}"`);
    }
    let data: unknown = null;
    if (event === 'typing') {
      const { channelId } = parse(TypingRequest, payload[0]);
      await ctx.channels.requireMember(user, channelId);
      socket.to(channelRoom(channelId)).volatile.emit('typing', { channelId, userId: user.id });
    } else if (isActionName(event)) {
      data = await runAction(ctx, user, event, payload[0]);
    }
    ctx.metrics.socketEvents.labels(event, 'ok').inc();
    ack?.({ ok: true, data });
  } catch (err) {
    const error = toSwitchboardError(err);
    if (error.code === 'internal') ctx.logger.error({ err, event }, 'socket event failed');
    ctx.metrics.socketEvents.labels(isKnown(event) ? event : 'unknown', 'error').inc();
    ctx.metrics.errors.labels('socket', error.code).inc();
    ack?.({ ok: false, error: error.toBody() });
  }
}

function isKnown(event: string): boolean {
  return (CLIENT_EVENTS as readonly string[]).includes(event);
}

/** The session id (`sid`): public in Engine.IO's documented API, though its typings mark it private. */
function sessionId(session: EngineSocket): string {
  return (session as unknown as { id: string }).id;
}

/** Waits for `work`, but not past `deadline` (epoch ms). */
async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>(
    (resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))),
  );
  await Promise.race([work, late]);
  clearTimeout(timer);
}
