// The publish API in ntfy's HTTP dialect, at the root (ARCHITECTURE.md §4, docs/publish.md):
// `PUT|POST /<topic>` and `POST /` (JSON) publish; `GET /<topics>/json|sse|raw` subscribe, live or
// (`poll=1`) once, from `since=` (and `/ws`, ../ntfyWebSocket.ts). Errors keep ntfy's shape ({code, http, error}) with our codes.
import { SwitchboardError, type TopicEvent, type TopicPublish } from '@switchboard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { toTopicEvent } from '../../domain/topics.ts';
import { subscriptionOf, topicCaller } from '../ntfyAuth.ts';
import { publishFromJson, publishFromRequest, topicName } from '../ntfyInput.ts';
import { streamTopics, type TopicSink } from '../topicStream.ts';

export type Format = 'json' | 'sse' | 'raw';

const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/x-ndjson; charset=utf-8',
  sse: 'text/event-stream; charset=utf-8',
  raw: 'text/plain; charset=utf-8',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Errors of this route are answered in ntfy's shape. */
    ntfyErrors?: boolean;
  }
}

/** ntfy's error body, with our code in place of its number. */
export function ntfyErrorBody(error: SwitchboardError): { code: string; http: number; error: string } {
  return { code: error.code, http: error.httpStatus, error: error.message };
}

export async function registerNtfyRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  securityHeaders: Readonly<Record<string, string>>,
): Promise<void> {
  await app.register(async (ntfy) => {
    ntfy.addHook('onRoute', (route) => {
      route.config = { ...route.config, ntfyErrors: true };
    });
    // ntfy's clients send the message as any content type (curl -d says form-urlencoded): the body is
    // read as bytes here and as text by the route.
    ntfy.removeAllContentTypeParsers();
    ntfy.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const publish = async (request: FastifyRequest, topic: string, input: TopicPublish) => {
      const caller = await topicCaller(ctx, request);
      await ctx.topicAccess.require(caller, [topic], 'write');
      return toTopicEvent(await ctx.topics.publish(caller?.id ?? null, topic, input));
    };

    ntfy.post('/', async (request) => {
      const { topic, publish: input } = publishFromJson(request.body as Buffer | undefined);
      return publish(request, topic, input);
    });
    for (const method of ['PUT', 'POST'] as const) {
      ntfy.route<{ Params: { topic: string } }>({
        method,
        url: '/:topic',
        handler: async (request) => {
          const topic = topicName(request.params.topic);
          return publish(request, topic, publishFromRequest(request, request.body as Buffer | undefined));
        },
      });
    }
    // ntfy's webhook form: a GET that publishes, for tools that can only call a URL.
    for (const verb of ['publish', 'send', 'trigger']) {
      ntfy.get<{ Params: { topic: string } }>(`/:topic/${verb}`, async (request) => {
        const topic = topicName(request.params.topic);
        return publish(request, topic, publishFromRequest(request, undefined));
      });
    }

    // A WebSocket subscription is taken over at the upgrade (../ntfyWebSocket.ts); a plain GET gets why.
    ntfy.get('/:topics/ws', async () => {
      throw new SwitchboardError(
        'bad_request',
        'this is a WebSocket subscription: connect with a WebSocket client, or subscribe over HTTP with /json or /sse',
      );
    });
    for (const format of ['json', 'sse', 'raw'] as const) {
      ntfy.get<{ Params: { topics: string } }>(`/:topics/${format}`, async (request, reply) => {
        const { topics, since, poll, holder } = await subscriptionOf(ctx, request, request.params.topics);
        // A HEAD (Fastify answers it with this GET route) gets a poll's headers, not an endless stream.
        if (poll || request.method === 'HEAD') {
          const messages = await ctx.topics.read(topics, since);
          return reply
            .type(CONTENT_TYPES[format])
            .send(messages.map((m) => encode(format, toTopicEvent(m))).join(''));
        }
        await streamTopics(ctx, { topics, since, holder }, () => httpSink(reply, format, securityHeaders));
      });
    }
  });
}

/** A live subscription over this HTTP response, in `format`. */
function httpSink(
  reply: FastifyReply,
  format: Format,
  securityHeaders: Readonly<Record<string, string>>,
): TopicSink {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...securityHeaders,
    'Content-Type': CONTENT_TYPES[format],
    'Cache-Control': 'no-cache',
    // Tells nginx not to buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  return {
    send: (event) => void raw.write(encode(format, event)),
    unread: () => raw.writableLength,
    close: () => {
      if (!raw.writableEnded) raw.end();
      // A subscriber that stopped reading would never take the end: let the connection go.
      if (raw.writableLength > 0) raw.destroy();
    },
    onClose: (listener) => void raw.on('close', listener),
  };
}

/** One event as the format writes it. Raw is the message text on one line; other events, a blank line. */
export function encode(format: Format, event: TopicEvent): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(event)}\n`;
    case 'sse':
      return `${event.event === 'message' ? '' : `event: ${event.event}\n`}data: ${JSON.stringify(event)}\n\n`;
    case 'raw':
      return `${event.event === 'message' ? (event.message ?? '').replace(/\r?\n/g, ' ') : ''}\n`;
  }
}
