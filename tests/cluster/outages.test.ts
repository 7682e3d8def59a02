// What two nodes do when what they share goes away mid-stream and comes back, without restarting
// the nodes:
// - Redis killed (losing everything in it) and started again: sends go on being acknowledged, the
//   events fan-out could not carry are caught up, and every client is told to catch up
//   (`server.resync`) — the session core as well as a bare Socket.IO client — never a silent gap.
// - PostgreSQL stopped and started again: sends fail with a clear, retryable `unavailable` (and
//   /healthz says so), nothing acknowledged is lost, and sends succeed again once it is back.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId, type SendAck } from '@switchboard/protocol';
import { createNodeSession } from '../../client/src/node/index.ts';
import { whenOnline } from '../../client/src/std/online.ts';
import {
  api,
  call,
  connect,
  createChannelWith,
  createUser,
  tempDir,
  type ConnectedUser,
  type TestServer,
} from '../support/server.ts';
import { ChannelReader, StreamSender } from '../support/cluster.ts';
import { useCluster } from '../support/lifecycle.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { SessionRecorder } from '../support/session.ts';

const WAIT = { timeout: 30_000, interval: 50 };

async function connected(node: TestServer, nodeForUsers: TestServer, name: string): Promise<ConnectedUser> {
  const made = await createUser(nodeForUsers, `${name}-${newId().slice(-8)}`);
  return { ...made, ...(await connect(node.url, made.token)) };
}

describe('Redis restarted mid-stream', () => {
  const cluster = useCluster(2);

  it('loses no acknowledged message, and tells every client to catch up', async () => {
    const [a, b] = cluster.nodes as [TestServer, TestServer];
    const alice = await connected(a, a, 'alice');
    const bob = await connected(b, a, 'bob');
    const carol = await createUser(a, `carol-${newId().slice(-8)}`);
    const channel = await createChannelWith(a, 'socket', alice, [bob]);
    await api(a.url, 'POST', `/api/v1/channels/${channel.id}/join`, { token: carol.token });
    const bobReads = new ChannelReader(channel.id, bob.token);
    await bobReads.connect(b.url);
    // Carol runs the real session core on node B.
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: b.url });
    try {
      const recorder = new SessionRecorder(core);
      await core.request('signIn', { username: carol.user.username, password: carol.password });
      await whenOnline(core);
      const opened = await vi.waitFor(() => core.request('openChannel', { channelId: channel.id }), WAIT);
      recorder.opened(channel.id, opened.messages);

      const sender = new StreamSender(channel.id, 'alice');
      let killedAt = 0;
      let restartedAt = 0;
      const TOTAL = 240;
      await sender.run(alice.socket, TOTAL, {
        window: 4,
        onAck: (acked) => {
          if (acked === 60) {
            killedAt = acked;
            void cluster.redis.kill();
          }
          if (acked === 150) {
            restartedAt = acked;
            void cluster.redis.start();
          }
        },
      });
      expect([killedAt, restartedAt]).toEqual([60, 150]);
      expect(sender.acked.size).toBe(TOTAL);
      expect(sender.refusals).toEqual([]);

      await vi.waitFor(() => expect(bobReads.resyncs).toBeGreaterThan(0), WAIT);
      await vi.waitFor(() => expect(bobReads.cursor).toBe(TOTAL), WAIT);
      for (const ack of sender.acked.values()) expect(bobReads.bySeq.get(ack.seq)?.id).toBe(ack.id);
      await vi.waitFor(() => expect(recorder.texts(channel.id)).toHaveLength(TOTAL), WAIT);
      expect(new Set(recorder.texts(channel.id)).size).toBe(TOTAL);
      // The link is back: a new message reaches the other node live again.
      const live = await call<SendAck>(alice.socket, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text: 'after the restart',
      });
      expect(live.ok).toBe(true);
      await vi.waitFor(() => expect(bobReads.cursor).toBe(TOTAL + 1), WAIT);
      expect((await api(b.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await core.close();
      bobReads.disconnect();
      alice.socket.disconnect();
      bob.socket.disconnect();
    }
  });
});

describe('PostgreSQL restarted', () => {
  let postgres: PostgresCluster;
  // A PostgreSQL of its own: stopping the shared one would stop every other test file's database.
  // Registered before the cluster's hooks: started before the nodes, stopped after them.
  beforeAll(async () => {
    postgres = await startPostgres({ maxConnections: 50 });
  });
  afterAll(async () => {
    await postgres?.stop();
  });
  const cluster = useCluster(2, { database: () => postgres.createDatabase() });

  it('answers unavailable with retryAfter while it is away, and recovers without restarting the nodes', async () => {
    const [a, b] = cluster.nodes as [TestServer, TestServer];
    const alice = await connected(a, a, 'alice');
    const channel = await createChannelWith(a, 'socket', alice);
    const sender = new StreamSender(channel.id, 'alice');
    let stopped: Promise<void> | undefined;
    await sender.run(alice.socket, 200, {
      window: 8,
      onAck: (acked) => {
        if (acked === 50) stopped = postgres.stopServer();
      },
    });
    await stopped;
    expect(sender.acked.size).toBeGreaterThanOrEqual(50);
    expect(sender.acked.size).toBeLessThan(200);
    expect(sender.refusals).toContain('unavailable');

    const refused = await call(alice.socket, 'message.send', {
      channelId: channel.id,
      clientId: newId(),
      text: 'while the database is down',
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'unavailable', retryAfter: expect.any(Number) },
    });
    const rest = await api(b.url, 'POST', `/api/v1/channels/${channel.id}/messages`, {
      token: alice.token,
      json: { clientId: newId(), text: 'over REST' },
    });
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await api(a.url, 'GET', '/healthz')).toMatchObject({
      status: 503,
      body: { error: { message: 'database unreachable' } },
    });

    await postgres.startServer();
    await vi.waitFor(async () => expect((await api(a.url, 'GET', '/healthz')).status).toBe(200), WAIT);
    // The same sender retries what was refused, with the same clientIds, and finishes.
    await vi.waitFor(async () => {
      await sender.run(alice.socket, 200, { window: 8 });
      expect(sender.acked.size).toBe(200);
    }, WAIT);
    const seqs = [...sender.acked.values()].map((ack) => ack.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const head = await api(b.url, 'GET', `/api/v1/channels/${channel.id}/messages?limit=1`, {
      token: alice.token,
    });
    expect(head.body.messages[0].seq).toBe(200);
    alice.socket.disconnect();
  });
});
