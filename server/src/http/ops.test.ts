import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  api,
  call,
  connect,
  createUser,
  nextEvent,
  REPO_ROOT,
  startTestServer,
  type TestServer,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { describeConfig } from '../config.ts';

/** The value of one sample in Prometheus text format whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function metrics(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

describe('operations endpoints', () => {
  const { server } = useTestServer();

  it('GET /healthz answers ok with the version after checking the database', async () => {
    const res = await api(server.url, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', version: server.ctx.version });
  });

  it('/metrics counts real connections, messages, commits, requests and errors', async () => {
    const before = await metrics(server);
    expect(sample(before, 'switchboard_connections')).toBe(0);
    expect(sample(before, 'switchboard_messages_total', { kind: 'created' })).toBeUndefined();

    const alice = await createUser(server, 'alice');
    const channel = await api(server.url, 'POST', '/api/v1/channels', {
      token: alice.token,
      json: { name: 'ops', visibility: 'public' },
    });
    expect(channel.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const sent = await api(server.url, 'POST', `/api/v1/channels/${channel.body.id}/messages`, {
        token: alice.token,
        json: { clientId: `ops-rest-${i}`, text: `rest ${i}` },
      });
      expect(sent.status).toBe(201);
    }
    const { socket } = await connect(server.url, alice.token);
    const viaSocket = await call(socket, 'message.send', {
      channelId: channel.body.id,
      clientId: 'ops-socket-1',
      text: 'socket',
    });
    expect(viaSocket.ok).toBe(true);
    expect((await call(socket, 'message.send', { channelId: channel.body.id })).ok).toBe(false);
    expect((await api(server.url, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/v1/me', { token: 'sb_not-a-real-token' })).status).toBe(401);

    const after = await metrics(server);
    expect(sample(after, 'switchboard_connections')).toBe(1);
    expect(sample(after, 'switchboard_messages_total', { kind: 'created' })).toBe(4);
    const commits = sample(after, 'switchboard_commit_duration_seconds_count')!;
    // Sends are grouped into commits, so there are between 1 and 4 of them; each took some time.
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(4);
    expect(sample(after, 'switchboard_commit_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sample(after, 'switchboard_commit_duration_seconds_bucket', { le: '+Inf' })).toBe(commits);
    const sends = { method: 'POST', route: '/api/v1/channels/:id/messages', status: '201' };
    expect(sample(after, 'switchboard_http_request_duration_seconds_count', sends)).toBe(3);
    expect(sample(after, 'switchboard_http_request_duration_seconds_sum', sends)).toBeGreaterThan(0);
    expect(
      sample(after, 'switchboard_http_request_duration_seconds_count', {
        route: '/api/v1/me',
        status: '401',
      }),
    ).toBe(2);
    expect(sample(after, 'switchboard_errors_total', { transport: 'http', code: 'unauthorized' })).toBe(2);
    expect(
      sample(after, 'switchboard_errors_total', { transport: 'socket', code: 'validation_failed' }),
    ).toBe(1);

    socket.disconnect();
    await vi.waitFor(async () => expect(sample(await metrics(server), 'switchboard_connections')).toBe(0), {
      timeout: 5_000,
    });
  });

  it('serves the web client from server/web at /, with the assets its page links', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toBe(fs.readFileSync(path.join(REPO_ROOT, 'server/web/index.html'), 'utf8'));
    const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const file = await api(server.url, 'GET', asset);
      expect(file.status, asset).toBe(200);
      expect(file.body, asset).toBe(fs.readFileSync(path.join(REPO_ROOT, 'server/web', asset), 'utf8'));
    }
    expect((await api(server.url, 'GET', '/assets/missing.css')).status).toBe(404);
  });

  it('sends security headers on every response: page, assets, API, errors, Socket.IO', async () => {
    const html = fs.readFileSync(path.join(REPO_ROOT, 'server/web/index.html'), 'utf8');
    const metaPolicy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/
      .exec(html)?.[1]
      ?.replaceAll('&#39;', "'");
    expect(metaPolicy).toBeDefined();
    const asset = /(?:href|src)="(\/assets\/[^"]+)"/.exec(html)![1]!;
    const alice = await createUser(server, 'headers');
    const responses = {
      page: await fetch(`${server.url}/`),
      asset: await fetch(`${server.url}${asset}`),
      api: await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${alice.token}` } }),
      unauthorized: await fetch(`${server.url}/api/v1/me`),
      notFound: await fetch(`${server.url}/nothing/here`),
      badUrl: await fetch(`${server.url}/api/v1/channels/%ZZ`),
      health: await fetch(`${server.url}/healthz`),
      metrics: await fetch(`${server.url}/metrics`),
      socketIo: await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`),
    };
    for (const [what, res] of Object.entries(responses)) {
      expect(res.headers.get('content-security-policy'), what).toBe(`${metaPolicy}; frame-ancestors 'none'`);
      expect(res.headers.get('x-frame-options'), what).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
      expect(res.headers.get('permissions-policy'), what).toMatch(/camera=\(\)/);
      await res.arrayBuffer();
    }
  });

  it('answers unknown /api paths with a JSON not_found error', async () => {
    for (const [method, urlPath] of [
      ['GET', '/api'],
      ['GET', '/api/nope'],
      ['GET', '/api/v1/nope?x=1'],
      ['POST', '/api/v1/channels/x/nope'],
      ['DELETE', '/api/v2/channels'],
    ] as const) {
      const res = await api(server.url, method, urlPath);
      expect(res.status, `${method} ${urlPath}`).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.error.code).toBe('not_found');
      expect(res.body.error.message).toContain(urlPath.split('?')[0]);
    }
  });
});

describe('/metrics behind a token', () => {
  const METRICS_TOKEN = 'scrape-me-with-this-long-secret';
  const { server } = useTestServer({ metricsToken: METRICS_TOKEN });

  it('answers 401 without the token or with a wrong one, and the metrics with it', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      `Bearer ${METRICS_TOKEN}x`,
      METRICS_TOKEN,
    ]) {
      const res = await fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('switchboard_connections');
    // Health checks stay open: orchestrators call them without credentials.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('never shows the token in the config description', () => {
    expect(JSON.stringify(describeConfig(server.ctx.config))).not.toContain(METRICS_TOKEN);
  });
});

describe('while the server shuts down', () => {
  it('tells clients to reconnect and refuses new work with unavailable until it has stopped', async () => {
    const server = await startTestServer();
    const alice = await createUser(server, 'alice');
    const channel = await api(server.url, 'POST', '/api/v1/channels', {
      token: alice.token,
      json: { name: 'bye', visibility: 'public' },
    });
    const { socket } = await connect(server.url, alice.token);
    const shutdown = nextEvent<{ reconnectAfterMs: number }>(socket, 'server.shutdown');

    // A send accepted before the shutdown is held in the domain: shutdown must wait for it, which makes
    // the shutting-down window observable.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inDomain = new Promise<void>((resolve) => (arrived = resolve));
    const send = server.ctx.messages.send.bind(server.ctx.messages);
    server.ctx.messages.send = async (actor, input) => {
      if (input.clientId === 'accepted-early') {
        arrived();
        await held;
      }
      return send(actor, input);
    };
    const early = call(socket, 'message.send', {
      channelId: channel.body.id,
      clientId: 'accepted-early',
      text: 'in time',
    });
    await inDomain;
    const closing = server.close();

    const { reconnectAfterMs } = await shutdown;
    expect(reconnectAfterMs).toBeGreaterThanOrEqual(0);
    expect(reconnectAfterMs).toBeLessThan(5_000);

    const health = await api(server.url, 'GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body.error.code).toBe('unavailable');
    const late = await call(socket, 'message.send', {
      channelId: channel.body.id,
      clientId: 'during-shutdown',
      text: 'late',
    });
    expect(late).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await expect(connect(server.url, alice.token)).rejects.toThrow();

    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    release();
    expect(await early).toMatchObject({ ok: true, data: { duplicate: false } });
    await closing;
    await disconnected;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('gives a request that stalls mid-way the grace period, then cuts it and finishes', async () => {
    const server = await startTestServer({ shutdownGraceSeconds: 1 });
    const stalled = net.connect(server.port, '127.0.0.1');
    await once(stalled, 'connect');
    // Headers complete, body promised but never sent: the request stays in flight.
    stalled.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
    );
    const cut = once(stalled, 'close');
    expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);

    const started = Date.now();
    await server.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_000 - 100);
    expect(took).toBeLessThan(1_000 + 3_000);
    await cut;
  });
});
