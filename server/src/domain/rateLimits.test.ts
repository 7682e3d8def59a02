// The per-user rate limit is one budget across REST and Socket.IO, and a refused request changes nothing.
import { describe, expect, it } from 'vitest';
import { newId } from '@switchboard/protocol';
import { api, call, createConnectedUser, unwrap } from '../../../tests/support/server.ts';
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
