// Fuzzes every REST route (plus unknown paths and raw malformed HTTP) for a bounded time. Every error
// must be JSON {error: {code, message}} with the 4xx status its code maps to (never a 5xx), a rejected
// request must change nothing in the database, and the server must stay up.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@switchboard/protocol';
import { useTestServer } from '../support/lifecycle.ts';
import { api, REPO_ROOT, type TestUser } from '../support/server.ts';
import {
  deeplyNestedJson,
  errorProblem,
  fuzzBudget,
  fuzzSeed,
  HOSTILE_KEYS,
  HOSTILE_STRINGS,
  junk,
  MIN_STEPS,
  mutate,
  preview,
  Random,
  seedWorld,
  snapshot,
  snapshotDiff,
} from './fuzz.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Topic names worth putting in `:topic`: valid ones, one a prototype key, one at the length limit. */
const TOPIC_SEGMENTS = ['fuzz_alerts', 'toString', 'x'.repeat(64), 'x'.repeat(65)];

interface Route {
  method: Method;
  /** As written in server/src/http/routes/, under /api/v1. */
  path: string;
  /** A valid body (or query, for GET) that the fuzzer breaks in small ways. */
  template?: Record<string, unknown>;
  /** Ids worth putting in `:id`. */
  ids?: string[];
  /** Only fuzzed without a valid token: with one it would sign the fuzzer out. */
  anonymousOnly?: boolean;
}

/** Path segments a router or a decoder may trip on. */
const WEIRD_SEGMENTS = [
  '',
  '%00',
  '%FF',
  '%C3%28',
  '%E2%82',
  '%ZZ',
  '%',
  '..',
  '%2e%2e',
  '%2F',
  '%20',
  encodeURIComponent('💥'),
  encodeURIComponent('\u202e'),
  '__proto__',
  'constructor',
  'null',
  '-1',
  '1e999',
  'a'.repeat(200),
  'a'.repeat(201),
  'a'.repeat(2000),
];

/** What `:emoji` may be: an emoji, encoded or not, a shortcode, and near misses. */
const EMOJI_SEGMENTS = [
  encodeURIComponent('👍'),
  encodeURIComponent('❤'),
  encodeURIComponent('🎉'),
  'tada',
  '%3Atada%3A',
  encodeURIComponent('👍🏽'),
  '%F0%9F',
  'nope',
];

const RAW_QUERIES = [
  '?',
  '?after=',
  '?after=-1',
  '?after=1.5',
  '?after=1e999',
  '?after=9007199254740993',
  '?after=0x10',
  '?after=%20',
  '?limit=0',
  '?limit=201',
  '?limit=abc',
  `?limit=${'9'.repeat(400)}`,
  '?after=1&before=2',
  '?after=1&after=2',
  '?__proto__=1',
  '?__proto__[isAdmin]=true',
  '?constructor[prototype][polluted]=1',
  '?a[b][c]=1',
  '?%ZZ=1',
  '?after=%FF',
  '?&&&==&',
  `?${'x=1&'.repeat(1500)}`,
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json, text/plain',
  'application/jsonx',
  'APPLICATION/JSON',
  '*/*',
];

const MALFORMED_JSON = [
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '[1,]',
  'NaN',
  'Infinity',
  '-',
  'undefined',
  '{"a":1}trailing',
  '{"a":1}{"b":2}',
  '\u0000',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '1e999',
  '-0',
  '""',
  'null',
  'true',
  '[]',
  '{"__proto__":{"isAdmin":true,"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"name":"a","name":"b","visibility":"public"}',
  '\ufeff{}',
];

/** Bytes that are not UTF-8: a lone continuation byte, an overlong slash, a truncated sequence, a surrogate. */
const INVALID_UTF8 = [
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d],
  [0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d],
  [0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d],
  [0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d],
  [0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d],
  [0x80],
];

/** Requests Node's HTTP parser refuses before Fastify sees them. */
const MALFORMED_HTTP = [
  'GARBAGE\r\n\r\n',
  'GET /api/v1/me HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /api/v1/channels HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
  'POST /api/v1/channels HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n',
  'POST /api/v1/channels HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  'GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/v1/me HTTP/1.1\r\nBad Header: x\r\n\r\n',
  'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n',
  `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
  `GET /${'p'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
];

/** Percent-encodes; a lone surrogate (which encodeURIComponent refuses) becomes the bytes of one, not UTF-8. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** Sends raw bytes and returns whatever came back before the server closed (or 2 s passed). */
function rawHttp(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => socket.destroy(), 2_000);
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** The routes under /api/v1, read from the route files so a new route cannot skip the fuzzer. */
function registeredRoutes(): string[] {
  const dir = path.join(REPO_ROOT, 'server/src/http/routes');
  const source = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'ops.ts')
    .map((file) => fs.readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
  return [...source.matchAll(/\bapi\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)].map(
    ([, method, route]) => `${method!.toUpperCase()} ${route}`,
  );
}

describe('fuzz: REST API', () => {
  const { server } = useTestServer();
  const seed = fuzzSeed('REST fuzz');
  const rng = new Random(seed);
  let routes: Route[] = [];
  let knownIds: string[] = [];
  let pathIds: string[] = [];
  let alice: TestUser;
  let root: TestUser;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    const world = await seedWorld(server);
    const { bob, victim } = world.users;
    alice = world.users.alice;
    root = world.users.root;
    const { general, secret } = world.channels;
    const { channelIds, messageIds } = world;
    const spareToken = await server.ctx.accounts.createToken(victim.user.id, {
      kind: 'access',
      label: 'spare',
    });
    // A second session of each fuzzing user: the fuzzer may sign those out, never its own.
    const spareSessions = await Promise.all(
      [alice, root].map((u) =>
        server.ctx.accounts.createToken(u.user.id, { kind: 'session', label: 'spare' }),
      ),
    );
    const spareInvite = await server.ctx.invites.create(root.user.id, { ttlMs: 86_400_000, uses: 2 });
    knownIds = [...world.ids, 'nope'];
    // The fuzzing users' own ids stay out of paths: DELETE /users/:id would end the run early.
    pathIds = knownIds.filter((id) => id !== alice.user.id && id !== root.user.id);
    const password = 'a-long-enough-password';
    routes = [
      { method: 'GET', path: '/auth/status' },
      { method: 'POST', path: '/auth/login', template: { username: 'alice', password: 'wrong-password' } },
      {
        method: 'POST',
        path: '/auth/setup',
        template: { setupCode: 'not-the-code', username: 'boss', password },
      },
      { method: 'POST', path: '/auth/register', template: { username: 'newbie', password } },
      { method: 'POST', path: '/auth/reset', template: { code: 'reset_not-a-real-code', password } },
      { method: 'POST', path: '/auth/logout', anonymousOnly: true },
      { method: 'GET', path: '/me' },
      {
        method: 'POST',
        path: '/me/password',
        template: { currentPassword: 'wrong-password', newPassword: password },
      },
      { method: 'PATCH', path: '/me', template: { displayName: 'Alice A.' } },
      { method: 'GET', path: '/me/sessions' },
      { method: 'DELETE', path: '/me/sessions/:id', ids: spareSessions.map((t) => t.id) },
      { method: 'POST', path: '/me/sessions/end-others' },
      { method: 'GET', path: '/me/preferences' },
      {
        method: 'PUT',
        path: '/me/preferences',
        template: { theme: 'dark', language: 'ko', notify: 'all', notifyPreview: false },
      },
      { method: 'GET', path: '/me/channels' },
      { method: 'GET', path: '/tokens' },
      { method: 'POST', path: '/tokens', template: { label: 'fuzz', expiresInDays: 1 } },
      { method: 'DELETE', path: '/tokens/:id', ids: [spareToken.id] },
      { method: 'GET', path: '/users' },
      { method: 'POST', path: '/users', template: { username: 'made', password, isAdmin: false } },
      { method: 'DELETE', path: '/users/:id', ids: [victim.user.id, bob.user.id] },
      { method: 'GET', path: '/admin/users' },
      {
        method: 'PATCH',
        path: '/users/:id',
        ids: [victim.user.id, bob.user.id],
        template: { isAdmin: true, deactivated: false },
      },
      { method: 'POST', path: '/users/:id/password-reset', ids: [victim.user.id, bob.user.id] },
      { method: 'GET', path: '/invites' },
      { method: 'POST', path: '/invites', template: { uses: 1, expiresInDays: 1 } },
      { method: 'DELETE', path: '/invites/:id', ids: [spareInvite.id] },
      { method: 'GET', path: '/registration' },
      { method: 'PUT', path: '/registration', template: { registration: 'invite' } },
      { method: 'GET', path: '/channels' },
      { method: 'GET', path: '/channels/browse', template: { query: 'gen', cursor: 'a', limit: '5' } },
      {
        method: 'POST',
        path: '/channels',
        template: { displayName: 'Fuzz 퍼즈', visibility: 'public', topic: 'x', purpose: 'y' },
      },
      { method: 'GET', path: '/channels/:id', ids: channelIds },
      { method: 'GET', path: '/channels/:id/members', ids: channelIds },
      { method: 'POST', path: '/channels/:id/join', ids: channelIds },
      { method: 'POST', path: '/channels/:id/leave', ids: channelIds },
      {
        method: 'POST',
        path: '/channels/:id/members',
        ids: channelIds,
        template: { userId: victim.user.id },
      },
      { method: 'POST', path: '/channels/:id/read', ids: channelIds, template: { seq: 1 } },
      {
        method: 'GET',
        path: '/channels/:id/messages',
        ids: channelIds,
        template: { after: '0', limit: '10' },
      },
      {
        method: 'POST',
        path: '/channels/:id/messages',
        ids: channelIds,
        template: { clientId: 'fuzz-rest-0001', text: 'hello @bob', parentId: messageIds[0] },
      },
      { method: 'PATCH', path: '/messages/:id', ids: messageIds, template: { text: 'edited' } },
      { method: 'DELETE', path: '/messages/:id', ids: messageIds },
      { method: 'POST', path: '/directs', template: { userId: bob.user.id } },
      {
        method: 'PATCH',
        path: '/channels/:id',
        ids: channelIds,
        template: { displayName: 'Général 총회', topic: 'fuzzed', purpose: 'p', archived: false },
      },
      { method: 'GET', path: '/messages/:id/thread', ids: messageIds, template: { after: '0', limit: '10' } },
      { method: 'POST', path: '/messages/:id/thread/read', ids: messageIds, template: { seq: 1 } },
      { method: 'GET', path: '/me/threads', template: { limit: '5', cursor: '1:x' } },
      { method: 'GET', path: '/me/topics' },
      { method: 'PUT', path: '/me/topics/:topic' },
      { method: 'DELETE', path: '/me/topics/:topic' },
      { method: 'PATCH', path: '/me/topics/:topic', template: { muted: true } },
      { method: 'GET', path: '/me/topics/:topic/messages', template: { after: '0', limit: '10' } },
      { method: 'POST', path: '/me/topics/:topic/read', template: { seq: 0 } },
      { method: 'PUT', path: '/messages/:id/reactions/:emoji', ids: messageIds },
      { method: 'DELETE', path: '/messages/:id/reactions/:emoji', ids: messageIds },
      {
        method: 'POST',
        path: '/sync',
        template: { epoch: null, cursors: { [general.id]: 0, [secret.id]: 0 } },
      },
      { method: 'POST', path: '/channels/:id/files', ids: channelIds, template: { file: 'x' } },
      { method: 'GET', path: '/files/:id', ids: channelIds },
      {
        method: 'GET',
        path: '/search',
        template: { q: 'hello "서버 점검" has:file before:2026-12-01', channel: general.id, limit: '5' },
      },
    ];
  });

  it('covers every route in api.ts', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(registeredRoutes().sort());
  });

  it(
    'answers bad requests with JSON 4xx errors, changes nothing on rejection, and stays up',
    { timeout: 40_000 },
    async () => {
      const problems: string[] = [];
      const stats = { requests: 0, rejected: 0, accepted: 0, rawHttp: 0 };
      const hits = new Map<string, number>();
      let baseline = await snapshot(server.ctx.db);
      let step = 0;
      const fail = (what: string) => {
        if (problems.length < 25) problems.push(`step ${step}: ${what}`);
      };
      const checkUnchanged = async (what: string) => {
        const diff = snapshotDiff(baseline, await snapshot(server.ctx.db));
        if (diff) {
          fail(`${what}: rejected but changed the database: ${diff}`);
          baseline = await snapshot(server.ctx.db);
        }
      };

      const segment = (route: Route): string =>
        rng.chance(0.6) && route.ids
          ? route.ids[rng.int(route.ids.length)]!
          : rng.pick([...WEIRD_SEGMENTS, ...pathIds]);
      const query = (route: Route): string => {
        const roll = rng.next();
        if (route.method === 'GET' && route.template && roll < 0.5) {
          const params = mutate(rng, route.template, knownIds);
          return `?${Object.entries(params)
            .map(([k, v]) => `${encode(k)}=${encode(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`)
            .join('&')}`;
        }
        if (roll < 0.75) return '';
        if (roll < 0.9) return rng.pick(RAW_QUERIES);
        return `?${encode(rng.pick(HOSTILE_KEYS))}=${encode(rng.pick(HOSTILE_STRINGS))}`;
      };
      type Body = { raw?: string | Uint8Array; contentType?: string };
      const body = (route: Route): Body => {
        if (route.method === 'GET') return {};
        const template = route.template ?? {};
        switch (
          rng.weighted({
            none: 1,
            mutated: 6,
            junk: 3,
            malformed: 2,
            utf8: 1,
            contentType: 2,
            deep: 1,
            oversize: 1,
          })
        ) {
          case 'none':
            return {};
          case 'mutated':
            return { raw: JSON.stringify(mutate(rng, template, knownIds)) };
          case 'junk':
            return { raw: JSON.stringify(junk(rng, knownIds)) ?? 'null' };
          case 'malformed':
            return { raw: rng.pick(MALFORMED_JSON) };
          case 'utf8':
            return { raw: new Uint8Array(rng.pick(INVALID_UTF8)) };
          case 'contentType':
            return { raw: JSON.stringify(template), contentType: rng.pick(CONTENT_TYPES) };
          case 'deep':
            return { raw: deeplyNestedJson(rng, 2_000 + rng.int(8_000)) };
          case 'oversize':
            return {
              raw: JSON.stringify({
                ...template,
                text: 'x'.repeat(server.ctx.config.maxPayloadBytes + rng.int(4096)),
              }),
            };
        }
      };
      const token = (route: Route): string | undefined => {
        const who = route.anonymousOnly
          ? rng.pick(['none', 'bogus', 'malformed'] as const)
          : rng.weighted({ alice: 40, root: 25, none: 10, bogus: 10, malformed: 15 });
        switch (who) {
          case 'alice':
            return alice.token;
          case 'root':
            return root.token;
          case 'none':
            return undefined;
          case 'bogus':
            return `sb_${'0'.repeat(40)}`;
          case 'malformed':
            return rng.pick([
              'a b',
              ' ',
              'x'.repeat(5000),
              `${alice.token}x`,
              alice.token.slice(0, -1),
              '\u00ff',
            ]);
        }
      };

      const more = fuzzBudget();
      while (more(step)) {
        step += 1;
        if (rng.chance(0.03)) {
          stats.rawHttp += 1;
          const request = rng.chance(0.6)
            ? rng.pick(MALFORMED_HTTP)
            : Buffer.from(Array.from({ length: 1 + rng.int(300) }, () => rng.int(256)));
          const response = await rawHttp(server.port, request);
          const what = `raw HTTP ${preview(request.toString())}`;
          // Nothing back means the parser is still waiting for the rest of a plausible request.
          if (response !== '') {
            const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
            const text = response.slice(response.indexOf('\r\n\r\n') + 4);
            let parsed: any;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (!(status >= 400 && status < 500)) fail(`${what}: status ${status}`);
            else if (errorProblem(parsed?.error))
              fail(`${what}: ${errorProblem(parsed?.error)} in ${preview(text)}`);
          }
          await checkUnchanged(what);
          continue;
        }

        // One pass over every route first, then random picks.
        const route = step <= routes.length ? routes[step - 1]! : rng.pick(routes);
        const method = rng.chance(0.05)
          ? rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
          : route.method;
        const url = `/api/v1${route.path
          .replace(':id', () => segment(route))
          .replace(':emoji', () => rng.pick(rng.chance(0.6) ? EMOJI_SEGMENTS : WEIRD_SEGMENTS))
          .replace(':topic', () =>
            rng.pick(rng.chance(0.6) ? TOPIC_SEGMENTS : WEIRD_SEGMENTS),
          )}${query(route)}`;
        const { raw, contentType } = method === 'GET' ? {} : body(route);
        const what = `${method} ${preview(url, 100)} body ${preview(raw instanceof Uint8Array ? [...raw] : raw)}`;
        hits.set(`${route.method} ${route.path}`, (hits.get(`${route.method} ${route.path}`) ?? 0) + 1);
        stats.requests += 1;
        const res = await api(server.url, method, url, { token: token(route), raw, contentType });
        if (res.status >= 200 && res.status < 300) {
          stats.accepted += 1;
          baseline = await snapshot(server.ctx.db);
          continue;
        }
        if (res.status < 400 || res.status >= 500) {
          fail(`${what}: status ${res.status} ${preview(res.body)}`);
          continue;
        }
        stats.rejected += 1;
        const error = res.body?.error;
        const problem = errorProblem(error);
        if (problem) fail(`${what}: ${res.status} ${problem} in ${preview(res.body)}`);
        else if (ERROR_CODES[error.code as keyof typeof ERROR_CODES] !== res.status) {
          fail(`${what}: status ${res.status} does not match code ${error.code}`);
        }
        if (!res.headers.get('content-type')?.startsWith('application/json')) {
          fail(`${what}: error with content-type ${res.headers.get('content-type')}`);
        }
        await checkUnchanged(what);
      }

      console.log(`REST fuzz: ${step} steps`, stats);
      expect(problems).toEqual([]);
      expect([...hits.keys()].sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
      // The run must have exercised the rejection path a lot, or it proved nothing.
      expect(stats.rejected).toBeGreaterThan(MIN_STEPS / 2);
      // Nothing reached Object.prototype, and the server still answers.
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
      expect((await api(server.url, 'GET', '/api/v1/me', { token: alice.token })).status).toBe(200);
    },
  );
});
