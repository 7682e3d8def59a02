// A node dies mid-stream (SIGKILL) while two others share its PostgreSQL and Redis: its clients
// reconnect to the others, retry what was not acknowledged with the same clientId, and catch up by
// cursor. Every acknowledged message ends up stored and delivered exactly once, seqs contiguous.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Message } from '@switchboard/protocol';
import { api, connect, tempDir, type ServerProcess } from '../support/server.ts';
import { ChannelReader, spawnNode, StreamSender, usersIn, type Shared } from '../support/cluster.ts';
import { createSharedDatabase } from '../support/postgres.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

const WAIT = { timeout: 30_000, interval: 50 };
const KILL_AFTER_ACKS = 120;
const ALICE_TOTAL = 300;
const DAVE_TOTAL = 150;

let redis: RedisServer;
let shared: Shared;
let nodes: ServerProcess[];

beforeAll(async () => {
  redis = await startRedis();
  shared = { databaseUrl: await createSharedDatabase(), redisUrl: redis.url, dataDir: tempDir() };
  // The first start runs the migrations; the others start together.
  const first = await spawnNode(shared);
  nodes = [first, ...(await Promise.all([spawnNode(shared), spawnNode(shared)]))];
});

afterAll(async () => {
  for (const node of nodes ?? []) {
    node.child.kill('SIGKILL');
    await node.exited;
  }
  await redis?.stop();
});

describe('a node killed mid-stream', () => {
  it('loses nothing acknowledged: its clients finish on the other nodes, each message exactly once', async () => {
    const [n1, n2, n3] = nodes as [ServerProcess, ServerProcess, ServerProcess];
    const [alice, bob, carol, dave] = await usersIn(shared, n2.url, ['alice', 'bob', 'carol', 'dave']);
    const made = await api(n2.url, 'POST', '/api/v1/channels', {
      token: alice!.token,
      json: { name: 'failover', visibility: 'public' },
    });
    const channelId = made.body.id as string;
    for (const who of [bob!, carol!, dave!])
      await api(n2.url, 'POST', `/api/v1/channels/${channelId}/join`, { token: who.token });

    // Bob reads on the node that dies, Carol on one that lives; Alice sends to the node that dies
    // and Dave to another, at the same time.
    const bobReads = new ChannelReader(channelId, bob!.token);
    await bobReads.connect(n1.url);
    const carolReads = new ChannelReader(channelId, carol!.token);
    await carolReads.connect(n3.url);
    const aliceSends = new StreamSender(channelId, 'alice');
    const daveSends = new StreamSender(channelId, 'dave');
    const daveDone = daveSends.run((await connect(n2.url, dave!.token)).socket, DAVE_TOTAL, { window: 4 });

    const aliceSocket = (await connect(n1.url, alice!.token)).socket;
    let killed = false;
    await aliceSends.run(aliceSocket, ALICE_TOTAL, {
      window: 16,
      onAck: (acked) => {
        if (acked === KILL_AFTER_ACKS && !killed) {
          killed = true;
          n1.child.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    await n1.exited;
    expect(aliceSends.acked.size).toBeLessThan(ALICE_TOTAL);

    // Reconnected to the surviving nodes: Alice retries and finishes, Bob catches up by cursor.
    await aliceSends.run((await connect(n3.url, alice!.token)).socket, ALICE_TOTAL, { window: 16 });
    await bobReads.connect(n2.url);
    await daveDone;
    expect(aliceSends.acked.size).toBe(ALICE_TOTAL);
    expect(daveSends.acked.size).toBe(DAVE_TOTAL);

    const total = ALICE_TOTAL + DAVE_TOTAL;
    const acked = new Map([...aliceSends.acked, ...daveSends.acked]);
    for (const reader of [bobReads, carolReads]) {
      await vi.waitFor(() => expect(reader.cursor).toBe(total), WAIT);
      expect(reader.bySeq.size).toBe(total);
      const clientIds = [...reader.bySeq.values()].map((m: Message) => m.clientId);
      expect(new Set(clientIds).size).toBe(total);
      for (const [clientId, ack] of acked) expect(reader.bySeq.get(ack.seq)?.clientId).toBe(clientId);
      expect(reader.failures).toEqual([]);
      reader.disconnect();
    }
    // What is stored agrees: every seq once, nothing past the acknowledged messages.
    const head = await api(n2.url, 'GET', `/api/v1/channels/${channelId}/messages?limit=1`, {
      token: carol!.token,
    });
    expect(head.body.messages[0].seq).toBe(total);
  });
});
