// ntfy's WebSocket subscription, `GET /<topics>/ws`: the same events as `/json`, one JSON text
// message each (https://docs.ntfy.sh/subscribe/api/#websockets). Fastify does not take upgrades, so
// this listens on the HTTP server beside Socket.IO, which leaves other paths alone once answered.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SwitchboardError } from '@switchboard/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';
import { toSwitchboardError } from '../errors.ts';
import { clientAddressResolver } from './clientAddress.ts';
import { subscriptionOf } from './ntfyAuth.ts';
import { ntfyErrorBody } from './routes/ntfy.ts';
import { streamTopics, type TopicSink } from './topicStream.ts';

const WS_PATH = /^\/([^/]+)\/ws$/;
/** Subscribers have nothing to say; what they send is read and dropped, up to this size. */
const MAX_INCOMING_BYTES = 4096;

export function attachTopicWebSockets(
  server: Server,
  ctx: ServerContext,
  securityHeaders: Readonly<Record<string, string>>,
): void {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_INCOMING_BYTES });
  const addressOf = clientAddressResolver(ctx.config.trustProxy);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = WS_PATH.exec(url.pathname);
    // Socket.IO's path, or nobody's: Socket.IO answers or drops those.
    if (!match) return;
    const caller = {
      ip: addressOf(request),
      headers: request.headers,
      query: Object.fromEntries(url.searchParams),
    };
    void (async () => {
      if (ctx.isShuttingDown())
        throw new SwitchboardError('unavailable', 'the server is restarting: retry in a few seconds');
      const names = decodePath(match[1]!);
      const { topics, since, poll, holder } = await subscriptionOf(ctx, caller, names);
      if (poll)
        throw new SwitchboardError(
          'bad_request',
          'poll=1 is for /json, /sse and /raw: a WebSocket stays open',
        );
      await streamTopics(ctx, { topics, since, holder }, () => upgrade(sockets, request, socket, head));
    })().catch((err: unknown) => refuse(ctx, socket, securityHeaders, err));
  });
}

/** Completes the upgrade; a client already gone gets a sink that is closed from the start. */
function upgrade(
  sockets: WebSocketServer,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): TopicSink {
  let ws: WebSocket | undefined;
  // ws calls back at once once the handshake is written; not at all if the socket is gone.
  sockets.handleUpgrade(request, socket, head, (accepted) => {
    ws = accepted;
  });
  if (!ws) return { send() {}, unread: () => 0, close() {}, onClose: (listener) => listener() };
  const open = ws;
  open.on('error', () => open.terminate());
  return {
    send: (event) => open.send(JSON.stringify(event)),
    unread: () => open.bufferedAmount,
    close: () => (open.bufferedAmount > 0 ? open.terminate() : open.close(1001, 'server closing')),
    onClose: (listener) => {
      if (open.readyState === open.CLOSED) listener();
      else open.on('close', listener);
    },
  };
}

function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SwitchboardError('bad_request', 'the URL is not valid: check its percent-encoding');
  }
}

/** Answers a refused upgrade as the HTTP routes would, in ntfy's error shape, and closes. */
function refuse(
  ctx: ServerContext,
  socket: Duplex,
  securityHeaders: Readonly<Record<string, string>>,
  err: unknown,
): void {
  const error = toSwitchboardError(err);
  if (error.code === 'internal') ctx.logger.error({ err }, 'topic WebSocket failed');
  ctx.metrics.errors.labels('http', error.code).inc();
  if (socket.writable) {
    const body = JSON.stringify(ntfyErrorBody(error));
    const headers: Record<string, string> = {
      ...securityHeaders,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
      ...(error.retryAfter !== undefined && { 'Retry-After': String(error.retryAfter) }),
    };
    socket.write(
      `HTTP/1.1 ${error.httpStatus} ${STATUS_CODES[error.httpStatus]}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  }
  socket.destroy();
}
