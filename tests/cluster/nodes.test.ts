// Three nodes on different ports sharing one PostgreSQL database and one Redis: what a user on one
// node does reaches users on the others, in order; concurrent writers on every node take gap-free
// seqs of one stream; and the limits, presence, typing and revocation hold across nodes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId, type SendAck, type User } from '@switchboard/protocol';
import { openStore } from '../../server/src/store/database.ts';
import {
  api,
  call,
  codeOf,
  connect,
  createChannelWith,
  createUser,
  nextEvent,
  record,
  tempDir,
  unwrap,
  type ConnectedUser,
  type TestServer,
} from '../support/server.ts';
import { ChannelReader, startNodes } from '../support/cluster.ts';
import { useCluster } from '../support/lifecycle.ts';
import { createSharedDatabase } from '../support/postgres.ts';

const WAIT = { timeout: 15_000, interval: 25 };
const cluster = useCluster(3, { overrides: { maxConnectionsPerUser: 3 } });

/** A user made through one node, connected to `node`. */
async function userOn(node: TestServer, prefix: string): Promise<ConnectedUser> {
  const made = await createUser(cluster.nodes[0]!, `${prefix}-${newId().slice(-8)}`);
  return { ...made, ...(await connect(node.url, made.token)) };
}

const send = async (who: ConnectedUser, channelId: string, text: string) =>
  unwrap(await call<SendAck>(who.socket, 'message.send', { channelId, clientId: newId(), text }));

describe('several nodes', () => {
  it('start at once on an empty database: each migration runs once, under the lock', async () => {
    const databaseUrl = await createSharedDatabase();
    const stores = await Promise.all(
      [1, 2, 3].map(() => openStore({ dataDir: tempDir(), databaseUrl, durability: 'standard' })),
    );
    try {
      const runs = await stores[0]!
        .selectFrom('kysely_migration' as never)
        .selectAll()
        .execute();
      const names = runs.map((r) => (r as { name: string }).name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
    } finally {
      await Promise.all(stores.map((store) => store.destroy()));
    }
  });

  it('users on different nodes chat and see each other’s messages in order', async () => {
    const [a, b, c] = await Promise.all(cluster.nodes.map((node, i) => userOn(node, `chat${i}`)));
    const channel = await createChannelWith(cluster.nodes[0]!, 'socket', a!, [b!, c!]);
    const seen = [b!, c!].map((who) =>
      record<{ seq: number; message: { text: string } }>(who.socket, 'stream.event'),
    );
    const texts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const who = [a!, b!, c!][i % 3]!;
      texts.push(`from ${who.user.username}: ${i}`);
      await send(who, channel.id, texts[i]!);
    }
    for (const events of seen)
      await vi.waitFor(() => {
        expect(events.map((e) => e.seq)).toEqual(texts.map((_, i) => i + 1));
        expect(events.map((e) => e.message.text)).toEqual(texts);
      }, WAIT);
  });

  it('concurrent senders on every node take gap-free seqs of one stream, and every reader gets each once', async () => {
    const senders = await Promise.all(cluster.nodes.map((node, i) => userOn(node, `writer${i}`)));
    const channel = await createChannelWith(cluster.nodes[0]!, 'socket', senders[0]!, senders.slice(1));
    const readers = await Promise.all(
      cluster.nodes.map(async (node, i) => {
        const reader = new ChannelReader(channel.id, senders[i]!.token);
        await reader.connect(node.url);
        return reader;
      }),
    );
    const PER_SENDER = 60;
    const acks = (
      await Promise.all(
        senders.map(async (who) => {
          // Sends in flight at once from each node, so group commits on every node overlap.
          const window = Array.from({ length: PER_SENDER }, (_, i) =>
            send(who, channel.id, `${who.user.username} ${i}`),
          );
          return Promise.all(window);
        }),
      )
    ).flat();
    const total = senders.length * PER_SENDER;
    expect(acks.map((ack) => ack.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    // Each sender's own messages keep their order within the stream.
    for (const who of senders) {
      const mine = acks.filter((ack) => ack.message.authorId === who.user.id);
      const bySeq = [...mine].sort((x, y) => x.seq - y.seq).map((ack) => ack.message.text);
      expect(bySeq).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `${who.user.username} ${i}`));
    }
    for (const reader of readers) {
      await vi.waitFor(() => expect(reader.cursor).toBe(total), WAIT);
      expect(reader.repeats).toEqual([]);
      expect(reader.failures).toEqual([]);
      reader.disconnect();
    }
  });

  it('holds the per-user connection cap across nodes', async () => {
    const made = await createUser(cluster.nodes[0]!, `capped-${newId().slice(-8)}`);
    const open = [
      await connect(cluster.nodes[0]!.url, made.token),
      await connect(cluster.nodes[1]!.url, made.token),
      await connect(cluster.nodes[2]!.url, made.token),
    ];
    const refused = await connect(cluster.nodes[1]!.url, made.token).catch(
      (err: { data?: { code?: string } }) => err,
    );
    expect((refused as { data?: { code?: string } }).data?.code).toBe('too_many_connections');
    open[0]!.socket.disconnect();
    await vi.waitFor(async () => {
      const again = await connect(cluster.nodes[2]!.url, made.token);
      open.push(again);
    }, WAIT);
    for (const { socket } of open) socket.disconnect();
  });

  it('shows presence and typing across nodes, and drops a revoked token’s socket on another node at once', async () => {
    const alice = await userOn(cluster.nodes[0]!, 'present');
    const bob = await userOn(cluster.nodes[1]!, 'watcher');
    const channel = await createChannelWith(cluster.nodes[0]!, 'socket', alice, [bob]);
    const { users } = unwrap(
      await call<{ users: (User & { presence: string })[] }>(bob.socket, 'user.list', {}),
    );
    expect(users.find((u) => u.id === alice.user.id)?.presence).toBe('online');

    const typing = nextEvent(bob.socket, 'typing', (e: { userId: string }) => e.userId === alice.user.id);
    alice.socket.emit('typing', { channelId: channel.id });
    await expect(typing).resolves.toMatchObject({ channelId: channel.id });

    // Alice's session token, revoked over HTTP on node 2 (bob's node): her socket on node 1 goes.
    const dropped = new Promise<void>((resolve) => alice.socket.once('disconnect', () => resolve()));
    const sessions = await api(cluster.nodes[1]!.url, 'GET', '/api/v1/tokens', { token: alice.token });
    const id = (sessions.body.tokens as { id: string }[])[0]!.id;
    expect(
      (await api(cluster.nodes[1]!.url, 'DELETE', `/api/v1/tokens/${id}`, { token: alice.token })).status,
    ).toBeLessThan(300);
    await dropped;
    await vi.waitFor(async () => {
      const after = unwrap(
        await call<{ users: (User & { presence: string })[] }>(bob.socket, 'user.list', {}),
      );
      expect(after.users.find((u) => u.id === alice.user.id)?.presence).toBe('offline');
    }, WAIT);
    bob.socket.disconnect();
  });
});

describe('files on several nodes', () => {
  it('a file uploaded through one node downloads from another: they share the files folder', async () => {
    const alice = await userOn(cluster.nodes[0]!, 'uploader');
    const channel = await createChannelWith(cluster.nodes[0]!, 'socket', alice);
    const form = new FormData();
    form.append('file', new Blob(['shared bytes']), 'note.txt');
    const uploaded = await fetch(`${cluster.nodes[0]!.url}/api/v1/channels/${channel.id}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { file } = (await uploaded.json()) as { file: { id: string } };
    await send(alice, channel.id, 'with a file');
    const download = await fetch(`${cluster.nodes[2]!.url}/api/v1/files/${file.id}`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('shared bytes');
    alice.socket.disconnect();
  });

  it('a node whose files folder is not the one the others use refuses to start', async () => {
    await expect(startNodes(1, { ...cluster.shared, dataDir: tempDir() })).rejects.toThrow(
      /is not the files folder the other nodes of this database use/,
    );
  });

  it('a folder marked before its database recorded a mark (a restore into a new database) is the one recorded', async () => {
    // The shared folder is marked already; the new database has no mark yet.
    const restored = { ...cluster.shared, databaseUrl: await createSharedDatabase() };
    const [node] = await startNodes(1, restored);
    await node!.close();
    await expect(startNodes(1, { ...restored, dataDir: tempDir() })).rejects.toThrow(
      /is not the files folder the other nodes of this database use/,
    );
  });
});

describe('rate limits across nodes', () => {
  let limited: TestServer[];
  const PER_MINUTE = 12;
  beforeAll(async () => {
    limited = await startNodes(
      2,
      { ...cluster.shared, dataDir: cluster.shared.dataDir },
      { rateLimitUser: PER_MINUTE },
    );
  });
  afterAll(async () => {
    await Promise.all(limited?.map((node) => node.close()) ?? []);
  });

  it('counts one user’s events on every node against one budget', async () => {
    const made = await createUser(limited[0]!, `limited-${newId().slice(-8)}`);
    const sockets = await Promise.all(
      limited.map(async (node) => (await connect(node.url, made.token)).socket),
    );
    const codes: string[] = [];
    for (let i = 0; i < PER_MINUTE * 2; i++)
      codes.push(codeOf(await call(sockets[i % 2]!, 'channel.list', {})));
    // Alone, each node would have allowed PER_MINUTE; together they allow PER_MINUTE in all.
    expect(codes.filter((code) => code === 'ok').length).toBe(PER_MINUTE);
    expect(codes.slice(PER_MINUTE).every((code) => code === 'rate_limited')).toBe(true);
    for (const socket of sockets) socket.disconnect();
  });
});
