// Topic streams in the domain: seqs per topic, retention, and how rule patterns match names.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { matches } from './topicAccess.ts';

describe('topic streams', () => {
  const time = manualClock(1_800_000_000_000);
  const { server } = useTestServer({}, { clock: time.now });

  it('each topic counts its own seq from 1, and retention drops old messages and records how far', async () => {
    const topics = server.ctx.topics;
    const a1 = await topics.publish(null, 'ret-a', { message: 'a1' });
    time.advance(1000);
    const b1 = await topics.publish(null, 'ret-b', { message: 'b1' });
    const a2 = await topics.publish(null, 'ret-a', { message: 'a2' });
    expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2]);
    expect(
      (await topics.read(['ret-a', 'ret-b'], { kind: 'time', at: a2.createdAt })).map((m) => m.message),
    ).toEqual(['b1', 'a2']);

    expect(await topics.pruneOlderThan(a2.createdAt)).toBe(1);
    expect((await topics.read(['ret-a', 'ret-b'], { kind: 'all' })).map((m) => m.message)).toEqual([
      'b1',
      'a2',
    ]);
    const row = await server.ctx.db
      .selectFrom('topics')
      .select(['head_seq', 'pruned_seq'])
      .where('name', '=', 'ret-a')
      .executeTakeFirstOrThrow();
    expect(Number(row.pruned_seq)).toBe(1);
    expect(Number(row.head_seq)).toBe(2);
    // The stream goes on from its head, not from what is left.
    expect((await topics.publish(null, 'ret-a', { message: 'a3' })).seq).toBe(3);
  });
});

describe('rule patterns', () => {
  it.each([
    ['alerts', 'alerts', true],
    ['alerts', 'alerts2', false],
    ['alerts', 'Alerts', false],
    ['alerts-*', 'alerts-db', true],
    ['alerts-*', 'alerts-', true],
    ['alerts-*', 'alerts', false],
    ['*', 'anything', true],
    ['*-prod', 'web-prod', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a.b', 'aXb', false],
  ])('%s matches %s: %s', (pattern, topic, expected) => {
    expect(matches(pattern, topic)).toBe(expected);
  });
});
