import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  call,
  connect,
  createUser,
  nextEvent,
  startTestServer,
  type TestServer,
} from '../../tests/support/server.ts';

describe('server smoke', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it('sends over REST and delivers over Socket.IO', async () => {
    const alice = await createUser(server, 'alice');
    const ch = await api(server.url, 'POST', '/api/v1/channels', {
      token: alice.token,
      json: { name: 'general', visibility: 'public' },
    });
    expect(ch.status).toBe(201);
    const { socket } = await connect(server.url, alice.token);
    const delivered = nextEvent(socket, 'stream.event');
    const sent = await call(socket, 'message.send', {
      channelId: ch.body.id,
      clientId: 'client-0001',
      text: 'hi',
    });
    expect(sent.ok).toBe(true);
    expect((await delivered).seq).toBe(1);
    socket.disconnect();
  });
});
