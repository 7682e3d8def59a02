// Fuzzes the publish API in ntfy's dialect for a bounded time: publishes with hostile topics,
// headers, query parameters, bodies and JSON; polls with hostile topic lists and since=; every kind of
// credential, good and bad. Every error must be ntfy's shape {code, http, error} with one of our codes
// and the status it maps to (never a 5xx); a rejected request must change nothing in the database;
// an accepted publish must store exactly one message.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@switchboard/protocol';
import { useTestServer } from '../support/lifecycle.ts';
import { createUser } from '../support/server.ts';
import {
  errorProblem,
  fuzzBudget,
  fuzzSeed,
  HOSTILE_STRINGS,
  MIN_STEPS,
  mutate,
  preview,
  Random,
  snapshot,
  snapshotDiff,
} from './fuzz.ts';

const TOPICS = [
  'alerts',
  'ok_topic-1',
  'A',
  'x'.repeat(64),
  'x'.repeat(65),
  'api',
  'healthz',
  'metrics',
  'assets',
];
const FIELD_HEADERS = [
  'X-Title',
  't',
  'X-Priority',
  'p',
  'X-Tags',
  'ta',
  'X-Click',
  'X-Markdown',
  'm',
  'X-Message',
];
const FIELD_VALUES = [
  '1',
  '5',
  '0',
  '6',
  'urgent',
  'max',
  'MIN',
  'https://example.com/a?b=c',
  'mailto:a@b',
  'javascript:1',
  'file:///etc/passwd',
  'a,b,,c',
  'yes',
  '=?UTF-8?B?7ISc67KE?=',
  '=?UTF-8?Q?caf=C3=A9?=',
  '=?UTF-8?B?//79?=',
];
const SINCE = [
  'all',
  'latest',
  'none',
  '0',
  '1',
  '10m',
  '0s',
  '999999999d',
  '99999999999999',
  '-1',
  '1.5',
  'x'.repeat(65),
  'a b',
  '01a1fd3e-31ec-7a53-9a7b-2b1c5d0e8f41',
];

/** A query value for a URL, even for text encodeURIComponent refuses (a lone surrogate). */
function queryValue(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ff%fe';
  }
}

/** Whether fetch can send `value` as a header (Latin-1, no CR, LF or NUL). */
function sendable(value: string): boolean {
  return /^[\u0020-\u007e\u0080-\u00ff\t]*$/.test(value);
}

describe('fuzz: publish API', () => {
  const { server } = useTestServer();
  const seed = fuzzSeed('publish API fuzz');
  const rng = new Random(seed);

  it(
    'answers hostile publishes and polls with 2xx or a clean 4xx, and a rejection changes nothing',
    { timeout: 60_000 },
    async () => {
      const alice = await createUser(server, 'fuzz-alice');
      const publishToken = (
        await server.ctx.accounts.createToken(alice.user.id, { kind: 'access', scopes: ['publish'] })
      ).token;
      const chatToken = (
        await server.ctx.accounts.createToken(alice.user.id, { kind: 'access', scopes: ['chat'] })
      ).token;
      await server.ctx.topicAccess.set('*', 'ok_*', 'read-write');
      await server.ctx.topicAccess.set(alice.user.id, 'A', 'deny');
      const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
      const credentials = [
        undefined,
        `Bearer ${publishToken}`,
        `Bearer ${chatToken}`,
        `Bearer ${alice.token}`,
        'Bearer sb_nope',
        'Bearer',
        basic(`fuzz-alice:${alice.password}`),
        basic(`:${publishToken}`),
        basic('fuzz-alice:wrong-password'),
        basic('no-colon'),
        'Basic %%%',
        'Digest x',
      ];

      let baseline = await snapshot(server.ctx.db);
      const problems: string[] = [];
      const stats = { requests: 0, accepted: 0, rejected: 0 };
      const more = fuzzBudget();
      let step = 0;
      for (; more(step); step++) {
        const headers: Record<string, string> = {};
        const auth = rng.pick(credentials);
        if (auth !== undefined) headers.authorization = auth;
        const query: string[] = [];
        const field = () => (rng.chance(0.7) ? rng.pick(FIELD_VALUES) : rng.pick(HOSTILE_STRINGS));
        for (let i = rng.int(3); i > 0; i--) {
          const name = rng.pick(FIELD_HEADERS);
          const value = field();
          if (rng.chance(0.5) && sendable(value)) headers[name] = value;
          else query.push(`${name.replace(/^X-/, '').toLowerCase()}=${queryValue(value)}`);
        }
        const topic = rng.chance(0.8) ? rng.pick(TOPICS) : queryValue(rng.pick(HOSTILE_STRINGS));
        const kind = rng.weighted({ publish: 5, json: 3, poll: 3 });
        let method = 'POST';
        let path: string;
        let body: string | Uint8Array | undefined;
        if (kind === 'publish') {
          method = rng.pick(['PUT', 'POST']);
          path = `/${topic}`;
          body =
            rng.weighted({ text: 4, bytes: 1, none: 1 }) === 'text'
              ? rng.pick(HOSTILE_STRINGS)
              : rng.chance(0.5)
                ? new Uint8Array([0xc3, 0x28, 0xff])
                : undefined;
        } else if (kind === 'json') {
          path = '/';
          const template = {
            topic: rng.pick(TOPICS),
            message: 'hello',
            title: 't',
            priority: 3,
            tags: ['a'],
            click: 'https://example.com',
          };
          body = rng.chance(0.1) ? rng.pick(HOSTILE_STRINGS) : JSON.stringify(mutate(rng, template, []));
          if (rng.chance(0.5)) headers['content-type'] = 'application/json';
        } else {
          method = 'GET';
          const topics = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(TOPICS)).join(',');
          path = `/${topics}/${rng.pick(['json', 'sse', 'raw'])}`;
          query.push('poll=1');
          if (rng.chance(0.7)) query.push(`since=${queryValue(rng.pick(SINCE))}`);
        }
        const url = `${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
        const what = `${method} ${preview(url, 120)} ${preview(headers)} body ${preview(body instanceof Uint8Array ? [...body] : body)}`;
        stats.requests += 1;
        const res = await fetch(`${server.url}${url}`, {
          method,
          headers,
          body: body as BodyInit | undefined,
        });
        const text = await res.text();
        if (res.status >= 200 && res.status < 300) {
          stats.accepted += 1;
          const after = await snapshot(server.ctx.db);
          const grew = after.topic_messages!.length - baseline.topic_messages!.length;
          if (kind !== 'poll' && grew !== 1)
            problems.push(`${what}: accepted, but ${grew} messages were stored`);
          if (kind === 'poll' && snapshotDiff(baseline, after))
            problems.push(`${what}: a poll changed the database`);
          baseline = after;
          continue;
        }
        stats.rejected += 1;
        let parsed: { code?: unknown; http?: unknown; error?: unknown } | undefined;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        // A URL the router refuses (bad percent-encoding, an overlong segment) and the web client's
        // files are not topic routes: those keep the REST API's shape, {error: {code, message}}.
        const rest = parsed?.error as { code?: unknown; message?: unknown } | undefined;
        const notTopicRoute = path.startsWith('/assets/') || /URL/.test(String(rest?.message));
        const error = notTopicRoute ? rest : { code: parsed?.code, message: parsed?.error };
        if (res.status < 400 || res.status >= 500)
          problems.push(`${what}: status ${res.status} ${preview(text)}`);
        else if (!notTopicRoute && parsed?.http !== res.status)
          problems.push(`${what}: not ntfy's error shape: ${preview(text)}`);
        else {
          const problem = errorProblem(error);
          if (problem) problems.push(`${what}: ${problem}`);
          else if (ERROR_CODES[error!.code as keyof typeof ERROR_CODES] !== res.status)
            problems.push(`${what}: status ${res.status} does not match code ${String(error!.code)}`);
        }
        const diff = snapshotDiff(baseline, await snapshot(server.ctx.db));
        if (diff) {
          problems.push(`${what}: rejected but changed the database: ${diff}`);
          baseline = await snapshot(server.ctx.db);
        }
      }
      console.log(`publish API fuzz: ${step} steps`, stats);
      expect(problems).toEqual([]);
      expect(stats.rejected).toBeGreaterThan(MIN_STEPS / 4);
      // A few hundred steps on a loaded machine still include some valid publishes.
      expect(stats.accepted).toBeGreaterThan(MIN_STEPS / 100);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    },
  );
});
