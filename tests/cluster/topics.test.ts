// The publish API on two nodes sharing PostgreSQL and Redis: a message published on one node reaches
// a live subscriber on the other, in seq order; one whose relay through Redis was lost is read from
// the database — when the next message shows the gap, or when the link to the other nodes is back.
import { describe, expect, it } from 'vitest';
import { newId } from '@switchboard/protocol';
import type { TopicMessage } from '../../server/src/domain/topics.ts';
import { useCluster } from '../support/lifecycle.ts';
import { call, connect, createUser, unwrap } from '../support/server.ts';
import { subscribe, withToken } from '../support/topics.ts';

const cluster = useCluster(2);

const publish = (url: string, topic: string, body: string, headers: Record<string, string>) =>
  fetch(`${url}/${topic}`, { method: 'POST', body, headers }).then((res) => {
    expect(res.status).toBe(200);
  });

describe('topics on several nodes', () => {
  it('a message published on one node reaches a subscriber on another, and a lost relay is filled in', async () => {
    const [first, second] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const ops = await withToken(first, `ops-${newId().slice(-8)}`);
    const topic = `alerts-${newId().slice(-8)}`;
    const sub = await subscribe(second.url, `/${topic}/json`, ops.bearer);
    const messages = async (count: number) =>
      (await sub.until(count))
        .map((line) => JSON.parse(line) as { event: string; message?: string; seq?: number })
        .filter((e) => e.event === 'message')
        .map((e) => [e.seq, e.message]);
    try {
      await sub.until(1); // open
      await publish(first.url, topic, 'disk full', ops.bearer);
      expect(await messages(2)).toEqual([[1, 'disk full']]);

      // Redis drops the relay of one message to the second node: the next one shows the gap.
      const receive = second.ctx.topics.receive.bind(second.ctx.topics);
      const lost = new Set(['lost on the way', 'lost before a quiet spell']);
      second.ctx.topics.receive = (message: TopicMessage) => {
        if (!lost.has(message.message)) receive(message);
      };
      await publish(first.url, topic, 'lost on the way', ops.bearer);
      await publish(first.url, topic, 'after it', ops.bearer);
      expect(await messages(4)).toEqual([
        [1, 'disk full'],
        [2, 'lost on the way'],
        [3, 'after it'],
      ]);

      // Lost with nothing after it: read when the link comes back (what cluster.onRestored calls).
      await publish(first.url, topic, 'lost before a quiet spell', ops.bearer);
      second.ctx.topics.resync();
      expect((await messages(5)).at(-1)).toEqual([4, 'lost before a quiet spell']);
    } finally {
      sub.close();
    }
  });

  it('a follow made on one node reaches the follower’s connection on another, which hears publishes from both', async () => {
    const [first, second] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const ops = await withToken(first, `ops-${newId().slice(-8)}`);
    const alice = await createUser(first, `alice-${newId().slice(-8)}`);
    const onFirst = (await connect(first.url, alice.token)).socket;
    const onSecond = (await connect(second.url, alice.token)).socket;
    const topic = `deploys-${newId().slice(-8)}`;
    const heard: TopicMessage[] = [];
    onSecond.on('topic.message', (message) => heard.push(message));
    try {
      unwrap(await call(onFirst, 'topic.follow', { topic }));
      await publish(first.url, topic, 'from the first node', ops.bearer);
      await publish(second.url, topic, 'from the second node', ops.bearer);
      await expect
        .poll(() => heard.map((m) => [m.seq, m.message]))
        .toEqual([
          [1, 'from the first node'],
          [2, 'from the second node'],
        ]);
    } finally {
      onFirst.disconnect();
      onSecond.disconnect();
    }
  });
});
