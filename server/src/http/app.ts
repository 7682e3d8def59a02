// Fastify: body parsing, error mapping and the draining state shared by every HTTP route; the routes
// themselves live in ./routes/ (authentication: ./auth.ts).
import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { SwitchboardError } from '@switchboard/protocol';
import type { ServerContext } from '../context.ts';
import { toSwitchboardError } from '../errors.ts';
import { proxyTrust } from './clientAddress.ts';
import { attachTopicWebSockets } from './ntfyWebSocket.ts';
import { registerApiRoutes } from './routes/api.ts';
import { ntfyErrorBody, registerNtfyRoutes } from './routes/ntfy.ts';
import { registerOpsRoutes } from './routes/ops.ts';

/** Where the built web client lives: `web/` beside `dist/` in the package. */
export function webRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Bundled, this code is dist/cli.js; from source (tests, tsx) it is src/http/app.ts, one level deeper.
  return path.resolve(here, path.basename(here) === 'dist' ? '..' : '../..', 'web');
}

/** The web client's page, if it has been built. */
export function webPage(): string | undefined {
  const file = path.join(webRoot(), 'index.html');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

export async function buildHttp(
  ctx: ServerContext,
  securityHeaders: Readonly<Record<string, string>>,
): Promise<FastifyInstance> {
  const sendError = (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = fromFastifyError(err, request.routeOptions?.bodyLimit ?? ctx.config.maxPayloadBytes);
    if (error.code === 'internal') request.log.error({ err }, 'request failed');
    ctx.metrics.errors.labels('http', error.code).inc();
    if (error.retryAfter !== undefined) void reply.header('Retry-After', String(error.retryAfter));
    // Router errors (a bad URL) are answered before any hook runs, so onSend would not add these.
    void reply.headers(securityHeaders);
    const ntfy = request.routeOptions.config?.ntfyErrors === true;
    void reply.status(error.httpStatus).send(ntfy ? ntfyErrorBody(error) : { error: error.toBody() });
  };
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // Per-request log lines would drown the useful ones; latency goes to /metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.maxPayloadBytes,
    trustProxy: proxyTrust(ctx.config.trustProxy),
    // Huge or hostile query strings and ids are rejected before they reach a route.
    routerOptions: { maxParamLength: 200 },
    // The router refuses a bad URL (broken percent-encoding, an overlong id) before any route runs,
    // and Node refuses malformed HTTP before Fastify sees it: both answer in our error shape too.
    frameworkErrors: sendError,
    clientErrorHandler: (err, socket) => malformedRequest(err, socket, securityHeaders),
  });

  // JSON bodies must be valid UTF-8 and valid JSON; either failure is a clear 400, not a guess.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return done(new SwitchboardError('invalid_utf8', 'the request body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new SwitchboardError('invalid_json', `the request body is not valid JSON: ${(err as Error).message}`),
        undefined,
      );
    }
  });

  // Uploads: one file part per request, streamed (routes/files.ts), where the size limit and quota
  // are counted; the parser's own limit is one byte past it, so the counting sees a file too large.
  await app.register(fastifyMultipart, {
    limits: { fileSize: ctx.config.maxFileBytes + 1, files: 1, fields: 0, parts: 1, headerPairs: 20 },
  });

  app.addHook('onRequest', async (_request, reply) => {
    if (ctx.isShuttingDown()) {
      // Keep-alive connections are not reused: the next request opens a new one, to the next server.
      void reply.header('Connection', 'close');
      throw new SwitchboardError('unavailable', 'the server is restarting: retry in a few seconds');
    }
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    // A route may set its own (a file's download sets a stricter policy); everything else gets these.
    for (const [name, value] of Object.entries(securityHeaders))
      if (!reply.hasHeader(name)) void reply.header(name, value);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.httpSeconds
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  app.setErrorHandler(sendError);

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'not_found', message: `nothing at ${request.method} ${request.url.split('?')[0]}` },
    });
  });

  registerOpsRoutes(app, ctx);
  await app.register((api) => registerApiRoutes(api, ctx), { prefix: '/api/v1' });
  await registerNtfyRoutes(app, ctx, securityHeaders);
  attachTopicWebSockets(app.server, ctx, securityHeaders);

  const root = webRoot();
  if (fs.existsSync(path.join(root, 'index.html'))) {
    // Only `/` and `/assets/*` belong to the web client; every other root path is free for topics.
    await app.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: '/assets/',
      decorateReply: true,
    });
    app.get('/', (_request, reply) => reply.sendFile('index.html', root));
  }
  return app;
}

function malformedRequest(
  err: Error & { code?: string },
  socket: Socket,
  securityHeaders: Readonly<Record<string, string>>,
): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new SwitchboardError('payload_too_large', 'the request headers are too large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new SwitchboardError('bad_request', 'the request did not arrive in time')
        : new SwitchboardError('bad_request', 'malformed HTTP request');
  const body = JSON.stringify({ error: error.toBody() });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.httpStatus} ${STATUS_CODES[error.httpStatus]}\r\nContent-Type: application/json\r\n` +
        Object.entries(securityHeaders)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

function fromFastifyError(err: unknown, bodyLimit: number): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  const fastifyErr = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  switch (fastifyErr.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SwitchboardError(
        'payload_too_large',
        `the request body is over this server's limit of ${bodyLimit} bytes (maxPayloadBytes)`,
      );
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new SwitchboardError('payload_too_large', fastifyErr.message ?? 'the upload is too large');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new SwitchboardError('bad_request', 'send the file as multipart/form-data');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SwitchboardError('bad_request', 'send JSON with Content-Type: application/json');
    case 'FST_ERR_BAD_URL':
      return new SwitchboardError('bad_request', 'the URL is not valid: check its percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new SwitchboardError('bad_request', 'a path segment of the URL is too long');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SwitchboardError('bad_request', fastifyErr.message ?? 'bad request body');
  }
  if (fastifyErr.statusCode && fastifyErr.statusCode >= 400 && fastifyErr.statusCode < 500) {
    return new SwitchboardError('bad_request', fastifyErr.message ?? 'bad request');
  }
  return toSwitchboardError(err);
}
