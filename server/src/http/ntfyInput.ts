// Reading a request in ntfy's HTTP dialect (docs/publish.md): a message's fields from headers (with
// ntfy's aliases) or query parameters, a JSON publish, the topic list and `since=` of a subscription.
import {
  SwitchboardError,
  TOPIC_PRIORITY_NAMES,
  TopicName,
  TopicPriority,
  TopicPublish,
} from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Since } from '../domain/topics.ts';
import { parse } from '../errors.ts';

/** Root paths that belong to the server itself and are never topics. */
export const RESERVED_TOPICS: ReadonlySet<string> = new Set(['api', 'assets', 'healthz', 'metrics']);

/** Topics one subscription may name (`GET /a,b,c/json`). */
export const MAX_SUBSCRIBED_TOPICS = 50;

/** ntfy's message for a publish with no message. */
export const EMPTY_MESSAGE = 'triggered';

/** Each field: its header names (ntfy's aliases), which double as query parameter names. */
const FIELDS = {
  message: ['x-message', 'message', 'm'],
  title: ['x-title', 'title', 'ti', 't'],
  priority: ['x-priority', 'priority', 'prio', 'p'],
  tags: ['x-tags', 'tags', 'tag', 'ta'],
  click: ['x-click', 'click'],
  markdown: ['x-markdown', 'markdown', 'md'],
} as const;

/**
 * ntfy's options this server does not carry out, by header names and aliases (which double as query
 * parameters). A publish naming one is refused, as a JSON publish naming such a field is: accepting it
 * would deliver something other than what was asked (now instead of later, no e-mail, no file).
 */
const UNSUPPORTED = {
  'scheduled delivery': ['x-delay', 'delay', 'x-at', 'at', 'x-in', 'in'],
  attachments: ['x-attach', 'attach', 'a', 'x-filename', 'filename', 'file', 'f'],
  actions: ['x-actions', 'actions', 'action'],
  'e-mail': ['x-email', 'x-e-mail', 'email', 'e-mail', 'mail', 'e'],
  'phone calls': ['x-call', 'call'],
  icons: ['x-icon', 'icon'],
  UnifiedPush: ['x-unifiedpush', 'unifiedpush', 'up'],
  'poll requests': ['x-poll-id', 'poll-id'],
} as const;

/** `X-Cache: no` asks the server not to store the message; every message here is stored. */
const CACHE = ['x-cache', 'cache'] as const;

/** A topic name from the URL, refused if it is not one or belongs to the server. */
export function topicName(name: string): string {
  parse(TopicName, name, 'topic');
  if (RESERVED_TOPICS.has(name))
    throw new SwitchboardError('validation_failed', `${name} is reserved by the server: pick another topic`);
  return name;
}

/** `a,b,c` from a subscription's URL: each a topic name, no repeats. */
export function topicList(names: string): string[] {
  const topics = [...new Set(names.split(','))].map(topicName);
  if (topics.length > MAX_SUBSCRIBED_TOPICS)
    throw new SwitchboardError(
      'validation_failed',
      `subscribe to at most ${MAX_SUBSCRIBED_TOPICS} topics at once`,
    );
  return topics;
}

/** A publish to `/<topic>`: the body is the message, its fields come from headers or the query. */
export function publishFromRequest(request: FastifyRequest, body: Buffer | undefined): TopicPublish {
  const field = (name: keyof typeof FIELDS) => fieldOf(request, FIELDS[name]);
  refuseUnsupported(request);
  const text = body && body.length > 0 ? utf8(body) : undefined;
  const priority = field('priority');
  const tags = field('tags');
  const markdown = field('markdown');
  const candidate = {
    message: text ?? field('message') ?? EMPTY_MESSAGE,
    title: field('title'),
    priority: priority === undefined ? undefined : priorityOf(priority),
    tags: tags === undefined ? undefined : splitTags(tags),
    click: field('click'),
    markdown: markdown === undefined ? undefined : truthy(markdown),
  };
  return parse(TopicPublish, withoutUndefined(candidate));
}

const JsonPublish = TopicPublish.extend({
  topic: TopicName,
  message: TopicPublish.shape.message.optional(),
  priority: z.union([TopicPriority, z.string().max(16)]).optional(),
});

/** A JSON publish to `/`: ntfy's field names, the topic among them. */
export function publishFromJson(body: Buffer | undefined): { topic: string; publish: TopicPublish } {
  if (!body || body.length === 0)
    throw new SwitchboardError(
      'bad_request',
      'send a JSON object such as {"topic":"backups","message":"Done"}',
    );
  let json: unknown;
  try {
    json = JSON.parse(utf8(body));
  } catch (err) {
    if (err instanceof SwitchboardError) throw err;
    throw new SwitchboardError(
      'invalid_json',
      `the request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  const { topic, message, priority, ...rest } = parse(JsonPublish, json);
  const publish = parse(
    TopicPublish,
    withoutUndefined({
      ...rest,
      message: message === undefined || message === '' ? EMPTY_MESSAGE : message,
      priority: typeof priority === 'string' ? priorityOf(priority) : priority,
    }),
  );
  return { topic: topicName(topic), publish };
}

function refuseUnsupported(request: FastifyRequest): void {
  for (const [feature, names] of Object.entries(UNSUPPORTED)) {
    const given = names.find((name) => fieldOf(request, [name]) !== undefined);
    if (given !== undefined)
      throw new SwitchboardError(
        'validation_failed',
        `${given}: ${feature} are not supported by this server (see "Where Switchboard differs from ntfy" in docs/publish.md)`,
      );
  }
  const cache = fieldOf(request, CACHE);
  if (cache !== undefined && !truthy(cache))
    throw new SwitchboardError(
      'validation_failed',
      'cache: this server stores every message for its subscribers; it cannot publish without storing',
    );
}

/** A message id as this server gives them out (UUIDs). */
const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * ntfy's `since=`: `all`, `latest`, `none`, a Unix time in seconds, a duration back from `now` (`30s`,
 * `10m`, `2h`, `1d`), or a message id (published after it).
 */
export function sinceOf(value: string, now: number): Since {
  if (value === 'all' || value === 'latest' || value === 'none') return { kind: value };
  if (/^\d{1,12}$/.test(value)) return { kind: 'time', at: Number(value) * 1000 };
  const duration = /^(\d{1,9})(s|m|h|d)$/.exec(value);
  if (duration) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return { kind: 'time', at: now - Number(duration[1]) * unit };
  }
  if (MESSAGE_ID.test(value)) return { kind: 'id', id: value.toLowerCase() };
  throw new SwitchboardError(
    'validation_failed',
    'since takes all, latest, none, a Unix time, a duration such as 10m, or a message id',
  );
}

/** ntfy's yes/no words for flags such as `poll=1` and `X-Markdown: yes`. */
export function truthy(value: string): boolean {
  return ['1', 'yes', 'true', 'on'].includes(value.trim().toLowerCase());
}

/** A query parameter of the request, if given. */
export function queryParam(request: { query: unknown }, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

function fieldOf(request: FastifyRequest, names: readonly string[]): string | undefined {
  for (const name of names) {
    const header = request.headers[name];
    if (typeof header === 'string') return headerText(header);
  }
  for (const name of names) {
    const value = queryParam(request, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * A header's text: RFC 2047 `=?UTF-8?B?…?=` words decoded (ntfy's clients send non-ASCII titles so),
 * and raw UTF-8 bytes, which Node reads as Latin-1, read as UTF-8.
 */
function headerText(value: string): string {
  const encoded = /^=\?utf-8\?([bq])\?(.*)\?=$/i.exec(value.trim());
  if (encoded) {
    const [, kind, data] = encoded;
    const bytes =
      kind!.toLowerCase() === 'b'
        ? Buffer.from(data!, 'base64')
        : Buffer.from(
            data!
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
    return utf8(bytes);
  }
  if (!/[^\x00-\x7f]/.test(value)) return value;
  try {
    return utf8(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SwitchboardError(
      'invalid_utf8',
      'the message is not valid UTF-8 text (attachments are not supported)',
    );
  }
}

function priorityOf(value: string | number): number {
  const text = String(value).trim().toLowerCase();
  if (/^[1-5]$/.test(text)) return Number(text);
  if (Object.hasOwn(TOPIC_PRIORITY_NAMES, text)) return TOPIC_PRIORITY_NAMES[text]!;
  throw new SwitchboardError(
    'validation_failed',
    'priority takes 1–5 or min, low, default, high, urgent (max)',
  );
}

function splitTags(value: string): string[] {
  return value
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

function withoutUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
