// The per-user rate limit is one budget across REST and Socket.IO, and a refused request changes nothing.
import { describe, expect, it } from 'vitest';
import { newId } from '@switchboard/protocol';
import {
  api,
  call,
  createConnectedUser,
  createUser,
  uniqueName,
  unwrap,
} from '../../../tests/support/server.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const PER_MINUTE = 6;

describe('per-user rate limit', () => {
  const { server } = useTestServer({ rateLimitUser: PER_MINUTE });

  it('answers 429 with Retry-After over REST and rate_limited over Socket.IO, for that user only', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');

    const created = await api(server.url, 'POST', '/api/v1/channels', {
      token: alice.token,
      json: { name: 'limited', visibility: 'public' },
    });
    expect(created.status).toBe(201);
    const channelId: string = created.body.id;
    const sent = await call(alice.socket, 'message.send', { channelId, clientId: newId(), text: 'one' });
    expect(sent.ok).toBe(true);
    for (let i = 2; i < PER_MINUTE; i++) {
      expect((await api(server.url, 'GET', '/api/v1/me', { token: alice.token })).status).toBe(200);
    }

    const refused = await api(server.url, 'POST', `/api/v1/channels/${channelId}/messages`, {
      token: alice.token,
      json: { clientId: newId(), text: 'two' },
    });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.error.retryAfter).toBe(retryAfter);

    const viaSocket = await call(alice.socket, 'message.send', {
      channelId,
      clientId: newId(),
      text: 'three',
    });
    expect(viaSocket).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', retryAfter: expect.any(Number) },
    });

    // Bob has his own budget, and sees that nothing refused was stored.
    const seen = unwrap(await call(bob.socket, 'channel.history', { channelId }));
    expect(seen.messages.map((m: { text: string }) => m.text)).toEqual(['one']);
    expect((await api(server.url, 'GET', '/api/v1/me', { token: bob.token })).status).toBe(200);
  });
});

describe('password guessing', () => {
  const PER_ADDRESS_AND_ACCOUNT = 3;
  const FAILURES_PER_ACCOUNT = 5;
  const { server } = useTestServer({
    trustProxy: '127.0.0.1',
    rateLimitLogin: PER_ADDRESS_AND_ACCOUNT,
    rateLimitLoginAccount: FAILURES_PER_ACCOUNT,
  });
  const from = (address: string) => ({ 'x-forwarded-for': address });
  const signIn = (username: string, password: string, address: string) =>
    fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...from(address) },
      body: JSON.stringify({ username, password }),
    }).then((res) => res.status);

  it('limits current-password guesses on /me/password like sign-in, even with a valid token', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.url}/api/v1/me/password`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${alice.token}`,
          ...from('198.51.100.1'),
        },
        body: JSON.stringify({ currentPassword: `guess-${i}`, newPassword: 'taken-over-password' }),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, PER_ADDRESS_AND_ACCOUNT)).toEqual(Array(PER_ADDRESS_AND_ACCOUNT).fill(401));
    expect(statuses.slice(PER_ADDRESS_AND_ACCOUNT)).toEqual(Array(10 - PER_ADDRESS_AND_ACCOUNT).fill(429));
  });

  it('limits failed guesses per account across addresses, leaving other accounts alone', async () => {
    const bob = await createUser(server, uniqueName('bob'));
    const carol = await createUser(server, uniqueName('carol'));
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES_PER_ACCOUNT + 3; i++)
      statuses.push(await signIn(bob.user.username, `guess-${i}`, `203.0.113.${i + 1}`));
    expect(statuses.slice(0, FAILURES_PER_ACCOUNT)).toEqual(Array(FAILURES_PER_ACCOUNT).fill(401));
    expect(statuses.slice(FAILURES_PER_ACCOUNT)).toEqual([429, 429, 429]);
    // Even the right password waits now: a guesser cannot tell a hit from a miss.
    expect(await signIn(bob.user.username, bob.password, '203.0.113.99')).toBe(429);
    expect(await signIn(carol.user.username, carol.password, '203.0.113.1')).toBe(200);
  });

  it('one address guessing one account does not lock the other people behind it out', async () => {
    const dave = await createUser(server, uniqueName('dave'));
    const erin = await createUser(server, uniqueName('erin'));
    const office = '192.0.2.10';
    for (let i = 0; i < PER_ADDRESS_AND_ACCOUNT + 2; i++)
      await signIn(dave.user.username, `guess-${i}`, office);
    expect(await signIn(dave.user.username, dave.password, office)).toBe(429);
    expect(await signIn(erin.user.username, erin.password, office)).toBe(200);
  });
});
