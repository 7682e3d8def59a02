// The publish API in ntfy's dialect over real HTTP against a real server and SQLite: publishing with
// ntfy's headers, query parameters and JSON; who may publish and read; the subscribe formats; and
// that nothing published between a poll and a live subscription is missed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, createUser, startTestServer, type TestServer } from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { subscribe, withToken } from '../../../tests/support/topics.ts';
import { webRoot } from './app.ts';

const webBuilt = fs.existsSync(path.join(webRoot(), 'index.html'));

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function http(
  server: TestServer,
  method: string,
  path: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: init.headers,
    body: init.body as BodyInit | undefined,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function storedCount(server: TestServer): Promise<number> {
  const row = await server.ctx.db
    .selectFrom('topic_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('publishing', () => {
  const { server } = useTestServer();

  it('PUT and POST /<topic> store the body as the message, with ntfy headers, and answer in ntfy JSON', async () => {
    const alice = await withToken(server, 'pub-alice');
    const first = await http(server, 'POST', '/backups', {
      body: 'Backup done',
      headers: {
        ...alice.bearer,
        'content-type': 'application/x-www-form-urlencoded',
        'X-Title': 'Nightly',
        Priority: 'high',
        Tags: 'floppy_disk, white_check_mark',
        Click: 'https://example.com/backups/42',
        Markdown: 'yes',
      },
    });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      time: expect.any(Number),
      event: 'message',
      topic: 'backups',
      seq: 1,
      message: 'Backup done',
      title: 'Nightly',
      priority: 4,
      tags: ['floppy_disk', 'white_check_mark'],
      click: 'https://example.com/backups/42',
      content_type: 'text/markdown',
    });
    expect(Math.abs(first.json.time - Date.now() / 1000)).toBeLessThan(60);

    // Short aliases, PUT, and an empty body: ntfy's "triggered".
    const second = await http(server, 'PUT', '/backups', {
      headers: { ...alice.bearer, t: 'Hi', p: '1', ta: 'x' },
    });
    expect(second.json).toMatchObject({
      seq: 2,
      message: 'triggered',
      title: 'Hi',
      priority: 1,
      tags: ['x'],
    });
    expect(second.json).not.toHaveProperty('click');
  });

  it('takes the fields from query parameters, and UTF-8 titles as raw or RFC 2047 headers', async () => {
    const bob = await withToken(server, 'pub-bob');
    const res = await http(
      server,
      'POST',
      '/q-topic?title=From%20query&priority=urgent&tags=a,b&message=ignored',
      {
        body: 'the body wins',
        headers: bob.bearer,
      },
    );
    expect(res.json).toMatchObject({
      message: 'the body wins',
      title: 'From query',
      priority: 5,
      tags: ['a', 'b'],
    });
    const encoded = await http(server, 'POST', '/q-topic', {
      body: '백업 완료',
      headers: { ...bob.bearer, Title: `=?UTF-8?B?${Buffer.from('서버 알림').toString('base64')}?=` },
    });
    expect(encoded.json).toMatchObject({ message: '백업 완료', title: '서버 알림' });
    const viaGet = await http(server, 'GET', '/q-topic/trigger?message=from%20a%20webhook', {
      headers: bob.bearer,
    });
    expect(viaGet.json).toMatchObject({ topic: 'q-topic', message: 'from a webhook' });
  });

  it('POST / publishes ntfy JSON, with priority as a number or a name', async () => {
    const carol = await withToken(server, 'pub-carol');
    const res = await http(server, 'POST', '/', {
      body: JSON.stringify({
        topic: 'json-topic',
        message: 'Disk 91%',
        title: 'db1',
        priority: 'high',
        tags: ['warning'],
        click: 'mailto:ops@example.com',
      }),
      headers: { ...carol.bearer, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      topic: 'json-topic',
      message: 'Disk 91%',
      title: 'db1',
      priority: 4,
      tags: ['warning'],
      click: 'mailto:ops@example.com',
    });
    const numeric = await http(server, 'POST', '/', {
      body: JSON.stringify({ topic: 'json-topic', priority: 2 }),
      headers: carol.bearer,
    });
    expect(numeric.json).toMatchObject({ message: 'triggered', priority: 2, seq: 2 });
  });

  it('refuses bad input in ntfy’s error shape with our codes, and stores nothing', async () => {
    const dave = await withToken(server, 'pub-dave');
    const before = await storedCount(server);
    const cases: [string, string, Record<string, string>, string | undefined, number, string][] = [
      ['POST', '/bad.topic', {}, 'x', 400, 'validation_failed'],
      ['POST', `/${'a'.repeat(65)}`, {}, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { priority: '9' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { priority: 'loud' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { click: 'javascript:alert(1)' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok?title=a%07b', {}, 'x', 400, 'validation_failed'],
      // ntfy's options this server does not carry out: refused, never stored without them.
      ['POST', '/ok', { 'x-delay': '10m' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok?delay=10m', {}, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { attach: 'https://example.com/f.zip' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { 'x-actions': 'view, Open, https://example.com' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { 'x-email': 'a@example.com' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { 'x-icon': 'https://example.com/i.png' }, 'x', 400, 'validation_failed'],
      ['POST', '/ok', { 'x-cache': 'no' }, 'x', 400, 'validation_failed'],
      ['GET', '/ok/publish?message=x&call=yes', {}, undefined, 400, 'validation_failed'],
      [
        'POST',
        '/',
        { 'content-type': 'application/json' },
        '{"topic":"ok","message":"x","icon":"y"}',
        400,
        'validation_failed',
      ],
      ['POST', '/', {}, '{"topic":', 400, 'invalid_json'],
      ['POST', '/', {}, '{"topic":"api","message":"x"}', 400, 'validation_failed'],
    ];
    for (const [method, path, headers, body, status, code] of cases) {
      const res = await http(server, method, path, { body, headers: { ...dave.bearer, ...headers } });
      expect({ path, headers, status: res.status, body: res.json }).toEqual({
        path,
        headers,
        status,
        body: { code, http: status, error: expect.any(String) },
      });
    }
    const notUtf8 = await http(server, 'POST', '/ok', {
      body: new Uint8Array([0xff, 0xfe, 0x41]),
      headers: dave.bearer,
    });
    expect(notUtf8.json).toMatchObject({ code: 'invalid_utf8', http: 400 });
    expect(await storedCount(server)).toBe(before);
  });

  it('never shadows the server’s own paths', async () => {
    const erin = await withToken(server, 'pub-erin');
    expect((await http(server, 'GET', '/healthz')).json).toMatchObject({ status: 'ok' });
    expect((await http(server, 'GET', '/metrics')).text).toContain('switchboard_messages_total');
    expect((await http(server, 'GET', '/api/v1/auth/status')).status).toBe(200);
    const page = await http(server, 'GET', '/');
    expect(page.status).toBe(webBuilt ? 200 : 404);
    if (webBuilt) expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    for (const path of ['/api', '/healthz', '/metrics', '/assets']) {
      const res = await http(server, 'POST', path, { body: 'x', headers: erin.bearer });
      expect({ path, status: res.status, code: res.json?.code }).toEqual({
        path,
        status: 400,
        code: 'validation_failed',
      });
      const sub = await http(server, 'GET', `${path}/json?poll=1`, { headers: erin.bearer });
      // With the web client built, /assets/* is its files (no such file); without, a reserved topic.
      expect({ path, status: sub.status }).toEqual({
        path,
        status: path === '/assets' && webBuilt ? 404 : 400,
      });
    }
    // The REST API keeps its own error shape.
    expect((await http(server, 'GET', '/api/v1/me')).json).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await http(server, 'POST', '/api/v1/nothing', { body: 'x' })).json).toMatchObject({
      error: { code: 'not_found' },
    });
  });
});

describe('who may publish and read', () => {
  const { server } = useTestServer();

  it('anonymous callers are refused by default; a token needs the publish scope', async () => {
    const anonymous = await http(server, 'POST', '/alerts', { body: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: 'unauthorized', http: 401 });
    expect((await http(server, 'GET', '/alerts/json?poll=1')).status).toBe(401);

    const chatOnly = await withToken(server, 'acl-chat', ['chat']);
    const refused = await http(server, 'POST', '/alerts', { body: 'x', headers: chatOnly.bearer });
    expect(refused.json).toMatchObject({ code: 'forbidden', http: 403 });
    const badToken = await http(server, 'POST', '/alerts', {
      body: 'x',
      headers: { authorization: 'Bearer sb_nope' },
    });
    expect(badToken.status).toBe(401);
    expect(await storedCount(server)).toBe(0);
  });

  it('Basic with a password or with a token, and ?auth=, authenticate like Bearer', async () => {
    const frank = await withToken(server, 'acl-frank');
    const basic = (user: string, secret: string) =>
      `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    expect(
      (
        await http(server, 'POST', '/basic', {
          body: 'pw',
          headers: { authorization: basic('acl-frank', frank.password) },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await http(server, 'POST', '/basic', {
          body: 'tk',
          headers: { authorization: basic('', frank.token) },
        })
      ).status,
    ).toBe(200);
    const wrong = await http(server, 'POST', '/basic', {
      body: 'no',
      headers: { authorization: basic('acl-frank', 'wrong-password') },
    });
    expect(wrong.json).toMatchObject({ code: 'unauthorized' });
    const auth = Buffer.from(`Bearer ${frank.token}`).toString('base64url');
    const polled = await http(server, 'GET', `/basic/json?poll=1&auth=${auth}`);
    expect(
      polled.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).message),
    ).toEqual(['pw', 'tk']);
  });

  it('rules per user and for everyone, with wildcards: the most specific wins', async () => {
    const gina = await withToken(server, 'acl-gina');
    const admin = await createUser(server, 'acl-admin', { isAdmin: true });
    const access = server.ctx.topicAccess;
    await access.set(gina.user.id, 'ops-*', 'read-only');
    await access.set(gina.user.id, 'ops-deploys', 'write-only');
    await access.set(gina.user.id, 'secret*', 'deny');
    await access.set('*', 'public-*', 'read-write');
    await access.set('*', 'inbox', 'write-only');

    const publish = (topic: string, headers: Record<string, string> = {}) =>
      http(server, 'POST', `/${topic}`, { body: `to ${topic}`, headers });
    const poll = (topic: string, headers: Record<string, string> = {}) =>
      http(server, 'GET', `/${topic}/json?poll=1`, { headers });

    expect((await publish('ops-db', gina.bearer)).status).toBe(403);
    expect((await publish('ops-deploys', gina.bearer)).status).toBe(200);
    expect((await poll('ops-deploys', gina.bearer)).status).toBe(403);
    expect((await poll('ops-db', gina.bearer)).status).toBe(200);
    expect((await publish('secret-plans', gina.bearer)).status).toBe(403);
    expect((await publish('anything-else', gina.bearer)).status).toBe(200);
    // Rules for everyone cover anonymous callers, and signed-in users without a rule of their own.
    expect((await publish('public-news')).status).toBe(200);
    expect((await poll('public-news')).status).toBe(200);
    expect((await publish('inbox')).status).toBe(200);
    expect((await poll('inbox')).status).toBe(401);
    expect((await poll('inbox', gina.bearer)).status).toBe(403);
    // Admins may do anything; with a session token, which has every scope.
    expect((await publish('secret-plans', { authorization: `Bearer ${admin.token}` })).status).toBe(200);

    expect(await access.list()).toEqual([
      { user: 'acl-gina', pattern: 'ops-*', permission: 'read-only' },
      { user: 'acl-gina', pattern: 'ops-deploys', permission: 'write-only' },
      { user: 'acl-gina', pattern: 'secret*', permission: 'deny' },
      { user: '*', pattern: 'inbox', permission: 'write-only' },
      { user: '*', pattern: 'public-*', permission: 'read-write' },
    ]);
    expect(await access.remove(gina.user.id, 'secret*')).toBe(1);
    expect((await publish('secret-plans', gina.bearer)).status).toBe(200);
  });

  it('the defaults are settings: anonymous read-only, signed-in users denied', async () => {
    const other = await startTestServer({ topicAnonymousAccess: 'read-only', topicDefaultAccess: 'deny' });
    try {
      const hana = await withToken(other, 'acl-hana');
      expect((await http(other, 'POST', '/x', { body: 'x', headers: hana.bearer })).status).toBe(403);
      expect((await http(other, 'POST', '/x', { body: 'x' })).status).toBe(401);
      expect((await http(other, 'GET', '/x/json?poll=1')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('limits', () => {
  const { server } = useTestServer({ maxPayloadBytes: 2048, maxMessageLength: 100, rateLimitIp: 5 });

  it('refuses bodies and messages over the limits, and callers over the rate limit', async () => {
    const ivan = await withToken(server, 'lim-ivan');
    const big = await http(server, 'POST', '/big', { body: 'x'.repeat(4096), headers: ivan.bearer });
    expect(big.json).toEqual({
      code: 'payload_too_large',
      http: 413,
      error: "the request body is over this server's limit of 2048 bytes (maxPayloadBytes)",
    });
    const long = await http(server, 'POST', '/big', { body: 'x'.repeat(101), headers: ivan.bearer });
    expect(long.json).toMatchObject({ code: 'payload_too_large', http: 413 });
    let limited: Reply | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await http(server, 'POST', '/big', { body: 'ok', headers: ivan.bearer });
      if (res.status === 429) limited = res;
    }
    expect(limited?.json).toMatchObject({ code: 'rate_limited', http: 429 });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('live subscriptions per user and per anonymous address', () => {
  const { server } = useTestServer({ maxConnectionsPerUser: 2, topicAnonymousAccess: 'read-only' });

  it('refuses one past the limit with too_many_connections, and takes it once one closes', async () => {
    const pia = await withToken(server, 'held-pia');
    const first = await subscribe(server.url, '/held/json', pia.bearer);
    const second = await subscribe(server.url, '/held,other/sse', pia.bearer);
    await Promise.all([first.until(1), second.until(2)]);
    const third = await http(server, 'GET', '/held/json', { headers: pia.bearer });
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({ code: 'too_many_connections', http: 429 });
    // Polls hold nothing; anonymous callers count per address, apart from the user.
    expect((await http(server, 'GET', '/held/json?poll=1', { headers: pia.bearer })).status).toBe(200);
    const anonymous = await subscribe(server.url, '/held/raw');
    await anonymous.until(1);

    first.close();
    await expect
      .poll(async () => {
        const again = await subscribe(server.url, '/held/json', pia.bearer);
        const ok = again.res.status === 200;
        again.close();
        return ok;
      })
      .toBe(true);
    second.close();
    anonymous.close();
  });
});

describe('subscribing', () => {
  const { server } = useTestServer();

  it('polls stored messages from since= all, a message id, a Unix time, a duration, or latest', async () => {
    const jay = await withToken(server, 'sub-jay');
    const sent: any[] = [];
    for (const text of ['one', 'two', 'three'])
      sent.push((await http(server, 'POST', '/polled', { body: text, headers: jay.bearer })).json);
    await http(server, 'POST', '/other', { body: 'four', headers: jay.bearer });
    const poll = async (query: string, topics = 'polled') => {
      const res = await http(server, 'GET', `/${topics}/json?poll=1${query}`, { headers: jay.bearer });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      return res.text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    };
    const texts = (events: any[]) => events.map((e) => e.message);
    expect(await poll('')).toEqual(sent);
    expect(texts(await poll('&since=all'))).toEqual(['one', 'two', 'three']);
    expect(texts(await poll(`&since=${sent[0].id}`))).toEqual(['two', 'three']);
    expect(texts(await poll(`&since=${sent[2].id}`))).toEqual([]);
    expect(texts(await poll('&since=latest'))).toEqual(['three']);
    expect(texts(await poll('&since=10m'))).toEqual(['one', 'two', 'three']);
    expect(texts(await poll(`&since=${Math.floor(Date.now() / 1000) + 60}`))).toEqual([]);
    expect(texts(await poll('&since=all', 'polled,other'))).toEqual(['one', 'two', 'three', 'four']);
    // A message id this server does not know (pruned, or another server's) reads everything kept, as
    // ntfy does; what is not a message id at all is refused rather than read as one.
    expect(texts(await poll('&since=01890a5d-ac96-774b-bcce-b302099a8057'))).toEqual(['one', 'two', 'three']);
    for (const since of ['a%20b', 'yesterday', '1w', '10min', '-5', '1.5h']) {
      const bad = await http(server, 'GET', `/polled/json?poll=1&since=${since}`, { headers: jay.bearer });
      expect({ since, status: bad.status, body: bad.json }).toMatchObject({
        since,
        status: 400,
        body: { code: 'validation_failed', http: 400 },
      });
    }
    const raw = await http(server, 'GET', '/polled/raw?poll=1', { headers: jay.bearer });
    expect(raw.text).toBe('one\ntwo\nthree\n');
    // HEAD answers with the headers at once, not with a stream that never ends.
    const head = await http(server, 'HEAD', '/polled/json', { headers: jay.bearer });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  });

  it('a live /json stream says open, catches up from since=, then delivers each new message once', async () => {
    const kim = await withToken(server, 'sub-kim');
    await http(server, 'POST', '/live', { body: 'before', headers: kim.bearer });
    const sub = await subscribe(server.url, '/live,live2/json?since=all', kim.bearer);
    expect(sub.res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(sub.res.headers.get('x-content-type-options')).toBe('nosniff');
    const [open, before] = (await sub.until(2)).map((line) => JSON.parse(line));
    expect(open).toEqual({
      id: expect.any(String),
      time: expect.any(Number),
      event: 'open',
      topic: 'live,live2',
    });
    expect(before).toMatchObject({ event: 'message', topic: 'live', seq: 1, message: 'before' });
    // Published while the subscriber is connected, to both topics, many at once.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http(server, 'POST', i % 2 ? '/live' : '/live2', { body: `m${i}`, headers: kim.bearer }),
      ),
    );
    const live = (await sub.until(22)).slice(2).map((line) => JSON.parse(line));
    sub.close();
    expect(live.map((e) => e.message).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    for (const topic of ['live', 'live2']) {
      const seqs = live.filter((e) => e.topic === topic).map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
  });

  it('misses nothing published between reading the stored messages and going live', async () => {
    const lee = await withToken(server, 'sub-lee');
    // Publishers run all along while subscribers come and go: each subscriber sees, from its
    // since=<id>, a gap-free run of seqs.
    let publishing = true;
    const publisher = (async () => {
      while (publishing) await http(server, 'POST', '/busy', { body: 'tick', headers: lee.bearer });
    })();
    try {
      const first = (await http(server, 'POST', '/busy', { body: 'start', headers: lee.bearer })).json;
      for (let round = 0; round < 5; round++) {
        const sub = await subscribe(server.url, `/busy/json?since=${first.id}`, lee.bearer);
        const events = (await sub.until(40)).slice(1).map((line) => JSON.parse(line));
        sub.close();
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => first.seq + 1 + i));
      }
    } finally {
      publishing = false;
      await publisher;
    }
  });

  it('/sse and /raw speak their formats; reading needs the read permission', async () => {
    const mia = await withToken(server, 'sub-mia');
    const sse = await subscribe(server.url, '/fmt/sse', mia.bearer);
    expect(sse.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await subscribe(server.url, '/fmt/raw', mia.bearer);
    await sse.until(3);
    await raw.until(1);
    await http(server, 'POST', '/fmt', {
      body: 'line one\nline two',
      headers: { ...mia.bearer, Title: 'T' },
    });
    const sseLines = await sse.until(5);
    expect(sseLines[0]).toBe('event: open');
    expect(JSON.parse(sseLines[1]!.replace(/^data: /, ''))).toMatchObject({ event: 'open', topic: 'fmt' });
    expect(sseLines[2]).toBe('');
    expect(JSON.parse(sseLines[3]!.replace(/^data: /, ''))).toMatchObject({ event: 'message', title: 'T' });
    expect(await raw.until(2)).toEqual(['', 'line one line two']);
    sse.close();
    raw.close();

    await server.ctx.topicAccess.set(mia.user.id, 'fmt', 'write-only');
    const refused = await http(server, 'GET', '/fmt/sse', { headers: mia.bearer });
    expect(refused.json).toMatchObject({ code: 'forbidden', http: 403 });
  });

  it('a shutdown ends live streams instead of waiting for them', async () => {
    const own = await startTestServer({ topicAnonymousAccess: 'read-write', shutdownGraceSeconds: 30 });
    const sub = await subscribe(own.url, '/bye/json');
    await sub.until(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(sub.until(2)).rejects.toThrow(/stream ended/);
  });
});

/** A WebSocket subscription's events as they come, or the refusal of its upgrade. */
function webSocket(server: TestServer, path: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}${path}`, { headers });
  const events: any[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  const refused = new Promise<{ status: number; body: any }>((resolve) => {
    ws.on('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => {});
  return {
    ws,
    events,
    refused,
    closed,
    /** Waits until `count` events have arrived. */
    until: (count: number) =>
      expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count),
  };
}

describe('subscribing over WebSocket', () => {
  const { server } = useTestServer();

  it('/ws sends open, the stored messages from since=, then live ones, one JSON text message each', async () => {
    const nia = await withToken(server, 'ws-nia');
    await http(server, 'POST', '/sock', { body: 'stored', headers: nia.bearer });
    const sub = webSocket(server, '/sock,sock2/ws?since=all', nia.bearer);
    await sub.until(2);
    await http(server, 'POST', '/sock2', { body: 'live', headers: { ...nia.bearer, Priority: 'high' } });
    await sub.until(3);
    expect(sub.events).toEqual([
      { id: expect.any(String), time: expect.any(Number), event: 'open', topic: 'sock,sock2' },
      expect.objectContaining({ event: 'message', topic: 'sock', seq: 1, message: 'stored' }),
      expect.objectContaining({ event: 'message', topic: 'sock2', seq: 1, message: 'live', priority: 4 }),
    ]);
    sub.ws.close();
    await sub.closed;
    // Socket.IO shares the HTTP server's upgrades, and still gets its own.
    const chat = await createUser(server, 'ws-chat');
    const { socket } = await connect(server.url, chat.token);
    expect(socket.connected).toBe(true);
    socket.disconnect();
  });

  it('takes ?auth=, and refuses an upgrade in ntfy’s error shape', async () => {
    const omar = await withToken(server, 'ws-omar');
    const auth = Buffer.from(`Bearer ${omar.token}`).toString('base64url');
    const viaQuery = webSocket(server, `/wsq/ws?auth=${auth}`);
    await viaQuery.until(1);
    viaQuery.ws.close();

    expect(await webSocket(server, '/wsq/ws').refused).toEqual({
      status: 401,
      body: { code: 'unauthorized', http: 401, error: expect.any(String) },
    });
    await server.ctx.topicAccess.set(omar.user.id, 'wsq', 'write-only');
    expect((await webSocket(server, '/wsq/ws', omar.bearer).refused).body).toMatchObject({
      code: 'forbidden',
    });
    expect((await webSocket(server, '/bad.topic/ws', omar.bearer).refused).body).toMatchObject({
      code: 'validation_failed',
    });
    expect((await webSocket(server, '/ok/ws?poll=1', omar.bearer).refused).body).toMatchObject({
      code: 'bad_request',
    });
    // A plain GET of the WebSocket path is told what it is, in the same shape.
    const plain = await fetch(`${server.url}/ok/ws`, { headers: omar.bearer });
    expect({ status: plain.status, body: await plain.json() }).toEqual({
      status: 400,
      body: { code: 'bad_request', http: 400, error: expect.stringContaining('WebSocket') },
    });
  });

  it('a shutdown closes WebSocket subscriptions', async () => {
    const own = await startTestServer({ topicAnonymousAccess: 'read-write' });
    const sub = webSocket(own, '/bye/ws');
    await sub.until(1);
    await own.close();
    expect(await sub.closed).toBe(1001);
  });
});
