// The publish API in ntfy's HTTP dialect, at the root (ARCHITECTURE.md §4, docs/publish.md):
// `PUT|POST /<topic>` and `POST /` (JSON) publish; `GET /<topics>/json|sse|raw` subscribe, live or
// (`poll=1`) once, from `since=`. Errors keep ntfy's shape ({code, http, error}) with our codes.
import type { ServerResponse } from 'node:http';
import { newId, type SwitchboardError, type TopicEvent, type TopicPublish } from '@switchboard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { toTopicEvent, type Since, type TopicMessage } from '../../domain/topics.ts';
import { topicCaller } from '../ntfyAuth.ts';
import {
  publishFromJson,
  publishFromRequest,
  queryParam,
  sinceOf,
  topicList,
  topicName,
  truthy,
} from '../ntfyInput.ts';

/** How often an idle stream says it is alive (ntfy's interval), so proxies and clients keep it open. */
export const KEEPALIVE_MS = 45_000;
/** A subscriber this far behind in reading is cut off rather than buffered without end. */
const MAX_UNREAD_BYTES = 1024 * 1024;

type Format = 'json' | 'sse' | 'raw';

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

    for (const format of ['json', 'sse', 'raw'] as const) {
      ntfy.get<{ Params: { topics: string } }>(`/:topics/${format}`, async (request, reply) => {
        const topics = topicList(request.params.topics);
        const caller = await topicCaller(ctx, request);
        await ctx.topicAccess.require(caller, topics, 'read');
        const poll = truthy(queryParam(request, 'poll') ?? '');
        const since = sinceOf(queryParam(request, 'since') ?? (poll ? 'all' : 'none'), Date.now());
        if (poll) {
          const messages = await ctx.topics.read(topics, since);
          return reply
            .type(CONTENT_TYPES[format])
            .send(messages.map((m) => encode(format, toTopicEvent(m))).join(''));
        }
        await subscribe(ctx, request, reply, { format, topics, since, securityHeaders });
      });
    }
  });
}

/**
 * A live subscription: `open`, then what was stored from `since`, then every new message, with a
 * keepalive when idle. Listening starts before the stored messages are read and each topic's seq
 * drops what was already sent, so a message published meanwhile comes exactly once.
 */
async function subscribe(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    format: Format;
    topics: string[];
    since: Since;
    securityHeaders: Readonly<Record<string, string>>;
  },
): Promise<void> {
  const { format, topics } = options;
  const sent = new Map<string, number>();
  let out: ServerResponse | null = null;
  const waiting: TopicMessage[] = [];
  const deliver = (message: TopicMessage) => {
    if (!out) return void waiting.push(message);
    if ((sent.get(message.topic) ?? 0) >= message.seq) return;
    sent.set(message.topic, message.seq);
    write(encode(format, toTopicEvent(message)));
  };
  // Until the response has begun, a shutdown only marks the stream to end as soon as it begins.
  let ended = false;
  let end = () => {
    ended = true;
  };
  const stopListening = ctx.topics.listen(topics, { message: deliver, end: () => end() });
  let stored: TopicMessage[];
  try {
    stored = await ctx.topics.read(topics, options.since);
  } catch (err) {
    stopListening();
    throw err;
  }

  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...options.securityHeaders,
    'Content-Type': CONTENT_TYPES[format],
    'Cache-Control': 'no-cache',
    // Tells nginx not to buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  const write = (chunk: string) => {
    raw.write(chunk);
    if (raw.writableLength > MAX_UNREAD_BYTES) {
      request.log.warn({ topics }, 'topic subscriber too far behind: disconnected');
      raw.destroy();
    }
  };
  const event = (kind: 'open' | 'keepalive'): TopicEvent => ({
    id: newId(),
    time: Math.floor(Date.now() / 1000),
    event: kind,
    topic: topics.join(','),
  });
  out = raw;
  write(encode(format, event('open')));
  for (const message of [...stored, ...waiting.splice(0)]) deliver(message);

  const keepalive = setInterval(() => write(encode(format, event('keepalive'))), KEEPALIVE_MS);
  end = () => {
    clearInterval(keepalive);
    stopListening();
    if (!raw.writableEnded) raw.end();
  };
  raw.on('close', end);
  if (ended) end();
}

/** One event as the format writes it. Raw is the message text on one line; other events, a blank line. */
function encode(format: Format, event: TopicEvent): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(event)}\n`;
    case 'sse':
      return `${event.event === 'message' ? '' : `event: ${event.event}\n`}data: ${JSON.stringify(event)}\n\n`;
    case 'raw':
      return `${event.event === 'message' ? (event.message ?? '').replace(/\r?\n/g, ' ') : ''}\n`;
  }
}
