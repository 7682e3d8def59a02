// A new server's first channel, #general, which every account joins however it was made; and the
// notice a channel gets when someone is added to it.
import { describe, expect, it } from 'vitest';
import type { Message, StreamEvent } from '@switchboard/protocol';
import {
  api,
  call,
  createConnectedUser,
  createUser,
  databaseFor,
  nextEvent,
  startTestServer,
  tempDir,
  unwrap,
  type TestServer,
} from '../../../tests/support/server.ts';
import { resolveConfig } from '../config.ts';
import { openServices } from '../server.ts';
import { silentNotifier } from './notifier.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const PASSWORD = 'correct-horse-battery';

const channelNames = async (server: TestServer, token: string) =>
  (await api(server.url, 'GET', '/api/v1/me/channels', { token })).body.channels.map(
    (c: { name: string }) => c.name,
  );

describe('the first channel', () => {
  it('is made on first start and joined by the admin made with the setup code and by every new account', async () => {
    const server = await startTestServer({ registration: 'open' });
    try {
      const setup = await api(server.url, 'POST', '/api/v1/auth/setup', {
        json: { setupCode: server.setupCode, username: 'root', password: PASSWORD },
      });
      expect(setup.status).toBe(201);
      expect(await channelNames(server, setup.body.token)).toEqual(['general']);
      const joined = await api(server.url, 'POST', '/api/v1/auth/register', {
        json: { username: 'newcomer', password: PASSWORD },
      });
      expect(await channelNames(server, joined.body.token)).toEqual(['general']);
      const made = await api(server.url, 'POST', '/api/v1/users', {
        token: setup.body.token,
        json: { username: 'made', password: PASSWORD },
      });
      expect(made.status).toBe(201);
      const general = (
        await api(server.url, 'GET', '/api/v1/channels/browse?query=general', {
          token: setup.body.token,
        })
      ).body.channels[0];
      expect(general).toMatchObject({ name: 'general', kind: 'public', createdBy: null });
      const members = await api(server.url, 'GET', `/api/v1/channels/${general.id}/members`, {
        token: setup.body.token,
      });
      expect(members.body.userIds).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('takes in an admin the CLI made before the server ever started', async () => {
    const dataDir = tempDir();
    // The database the test server will open for this data dir (SQLite in it, or PostgreSQL's).
    const databaseUrl = await databaseFor(dataDir);
    const config = resolveConfig({ flags: { dataDir, databaseUrl, logLevel: 'silent' } });
    const offline = await openServices(config, { notifier: silentNotifier });
    await offline.accounts.createUser({ username: 'early', password: PASSWORD, isAdmin: true });
    await offline.db.destroy();

    const server = await startTestServer({ dataDir });
    try {
      const early = await api(server.url, 'POST', '/api/v1/auth/login', {
        json: { username: 'early', password: PASSWORD },
      });
      expect(await channelNames(server, early.body.token)).toEqual(['general']);
    } finally {
      await server.close();
    }
  });

  it('is made once: a later start neither makes it again nor adds people to it', async () => {
    let server = await startTestServer();
    const dataDir = server.dataDir;
    const admin = await createUser(server, 'admin', { isAdmin: true });
    const general = (await api(server.url, 'GET', '/api/v1/me/channels', { token: admin.token })).body
      .channels[0];
    await api(server.url, 'POST', `/api/v1/channels/${general.id}/leave`, { token: admin.token });
    await server.close();
    server = await startTestServer({ dataDir });
    try {
      expect(await channelNames(server, admin.token)).toEqual([]);
      // New accounts still join it.
      const later = await createUser(server, 'later');
      expect(await channelNames(server, later.token)).toEqual(['general']);
    } finally {
      await server.close();
    }
  });

  it('can be named otherwise, or left out', async () => {
    const lobby = await startTestServer({ defaultChannel: 'lobby' });
    const none = await startTestServer({ defaultChannel: '' });
    try {
      expect(await channelNames(lobby, (await createUser(lobby, 'a')).token)).toEqual(['lobby']);
      expect(await channelNames(none, (await createUser(none, 'a')).token)).toEqual([]);
    } finally {
      await lobby.close();
      await none.close();
    }
  });
});

describe('a notice when someone is added', () => {
  const { server } = useTestServer();

  it('is a message in the stream, by whoever added them, that says whom', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const channel = unwrap(
      await call(alice.socket, 'channel.create', { name: 'ops-room', visibility: 'private' }),
    );
    const aliceHears = nextEvent<StreamEvent>(
      alice.socket,
      'stream.event',
      (e) => e.channelId === channel.id,
    );
    unwrap(await call(alice.socket, 'channel.invite', { channelId: channel.id, userId: bob.user.id }));
    const event = await aliceHears;
    expect(event).toMatchObject({
      seq: 1,
      kind: 'created',
      message: {
        kind: 'notice',
        notice: { type: 'member.added', userId: bob.user.id },
        authorId: alice.user.id,
        text: `added @${bob.user.username} to the channel`,
        mentions: [],
      },
    });

    // Whoever added him has read it, as with a message they write.
    const aliceSync = unwrap<{ channels: { id: string; readSeq: number; unreadCount: number }[] }>(
      await call(alice.socket, 'sync', { epoch: null, cursors: {} }),
    );
    expect(aliceSync.channels.find((c) => c.id === channel.id)).toMatchObject({ readSeq: 1, unreadCount: 0 });
    // Bob, just added, finds it in the history and counts it as unread.
    const history = unwrap<{ messages: Message[] }>(
      await call(bob.socket, 'channel.history', { channelId: channel.id }),
    );
    expect(history.messages.map((m) => m.kind)).toEqual(['notice']);
    const sync = unwrap<{ channels: { id: string; unreadCount: number }[] }>(
      await call(bob.socket, 'sync', { epoch: null, cursors: {} }),
    );
    expect(sync.channels.find((c) => c.id === channel.id)?.unreadCount).toBe(1);

    // Adding someone already in it says nothing; a notice cannot be edited.
    unwrap(await call(alice.socket, 'channel.invite', { channelId: channel.id, userId: bob.user.id }));
    const after = unwrap<{ messages: Message[] }>(
      await call(alice.socket, 'channel.history', { channelId: channel.id }),
    );
    expect(after.messages).toHaveLength(1);
    const edit = await call(alice.socket, 'message.edit', {
      messageId: history.messages[0]!.id,
      text: 'rewritten',
    });
    expect(edit).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    alice.socket.disconnect();
    bob.socket.disconnect();
  });
});
