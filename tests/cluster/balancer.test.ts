// Two nodes behind a load balancer without sticky sessions (round robin per request and per upgrade),
// as docs/scaling.md#the-load-balancer describes: REST and WebSocket clients work whichever node each
// request reaches; a client limited to long-polling does not, which is why only it needs stickiness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type SendAck, type StreamEvent } from '@switchboard/protocol';
import { api, call, connect, createUser, nextEvent, unwrap } from '../support/server.ts';
import { startRoundRobin, type Balancer } from '../support/balancer.ts';
import { useCluster } from '../support/lifecycle.ts';

const cluster = useCluster(2);
let balancer: Balancer;

// Registered after the cluster's hooks: started once the nodes run, closed before they stop.
beforeAll(async () => {
  balancer = await startRoundRobin(cluster.nodes.map((node) => node.url));
});
afterAll(async () => {
  await balancer?.close();
});

describe('a balancer without sticky sessions', () => {
  it('serves REST and WebSocket clients, whichever node each request reaches', async () => {
    const alice = await createUser(cluster.nodes[0]!, `alice-${newId().slice(-8)}`);
    const bob = await createUser(cluster.nodes[0]!, `bob-${newId().slice(-8)}`);
    // REST calls alternate between the nodes, and each one sees what the last one did.
    const made = await api(balancer.url, 'POST', '/api/v1/channels', {
      token: alice.token,
      json: { name: `rr-${newId().slice(-8)}`, visibility: 'public' },
    });
    expect(made.status).toBe(201);
    const channelId = made.body.id as string;
    const joined = await api(balancer.url, 'POST', `/api/v1/channels/${channelId}/join`, {
      token: bob.token,
    });
    expect(joined.status).toBe(200);
    expect(balancer.picks).toEqual([0, 1]);

    // Each WebSocket stays on the node its upgrade reached: Alice's on one, Bob's on the other.
    const { socket: aliceSocket } = await connect(balancer.url, alice.token, { transports: ['websocket'] });
    const { socket: bobSocket } = await connect(balancer.url, bob.token, { transports: ['websocket'] });
    expect(balancer.picks).toEqual([0, 1, 0, 1]);
    try {
      for (let i = 0; i < 3; i++) {
        const text = `across nodes ${i}`;
        const arrives = nextEvent<StreamEvent>(
          bobSocket,
          'stream.event',
          (e) => e.kind === 'created' && e.message.text === text,
        );
        const ack = unwrap(
          await call<SendAck>(aliceSocket, 'message.send', { channelId, clientId: newId(), text }),
        );
        expect((await arrives).seq).toBe(ack.seq);
      }
    } finally {
      aliceSocket.disconnect();
      bobSocket.disconnect();
    }
  });

  it('does not carry a long-polling session, whose requests must all reach one node', async () => {
    const carol = await createUser(cluster.nodes[0]!, `carol-${newId().slice(-8)}`);
    const before = balancer.picks.length;
    // Its handshake reached one node and its next request the other, which knows no such session (400).
    await expect(connect(balancer.url, carol.token, { transports: ['polling'] })).rejects.toMatchObject({
      message: expect.stringMatching(/^xhr (post|poll) error$/),
      description: 400,
    });
    expect(new Set(balancer.picks.slice(before))).toEqual(new Set([0, 1]));
    // Straight to one node (what stickiness gives), the same client connects.
    const { socket } = await connect(cluster.nodes[1]!.url, carol.token, { transports: ['polling'] });
    socket.disconnect();
  });
});
