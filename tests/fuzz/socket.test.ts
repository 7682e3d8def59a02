// Fuzzes every Socket.IO client event (plus unknown ones and raw malformed packets) for a bounded
// time. The server must answer every acked event with a Result, reject bad payloads with a clear
// error code (never `internal`), change nothing in the database when it rejects, and stay up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { CLIENT_EVENTS } from '@switchboard/protocol';
import { useTestServer } from '../support/lifecycle.ts';
import { api, connect, type TestSocket, type TestUser } from '../support/server.ts';
import {
  deeplyNestedJson,
  errorProblem,
  fuzzBudget,
  fuzzSeed,
  junk,
  MIN_STEPS,
  mutate,
  preview,
  Random,
  seedWorld,
  setOwn,
  snapshot,
  snapshotDiff,
} from './fuzz.ts';

const ACK_TIMEOUT_MS = 5_000;

const UNKNOWN_EVENTS = [
  '',
  ' ',
  'hello',
  'stream.event',
  'server.shutdown',
  'message',
  'message.send ',
  'MESSAGE.SEND',
  'admin.user.remove',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'e'.repeat(5000),
];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

type ClientEvent = (typeof CLIENT_EVENTS)[number];

interface Client {
  label: string;
  user: TestUser;
  transports: ('websocket' | 'polling')[];
  socket: TestSocket;
}

type Outcome = { kind: 'ack'; result: unknown } | { kind: 'timeout' } | { kind: 'disconnected' };

/** Emits with an ack callback; resolves with the ack, or with why none came. */
function emitWithAck(socket: TestSocket, event: string, args: unknown[]): Promise<Outcome> {
  const raw = socket as unknown as Socket;
  return new Promise((resolve) => {
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      raw.off('disconnect', onDisconnect);
      resolve(outcome);
    };
    const onDisconnect = () => done({ kind: 'disconnected' });
    const timer = setTimeout(() => done({ kind: 'timeout' }), ACK_TIMEOUT_MS);
    raw.once('disconnect', onDisconnect);
    raw.emit(event, ...args, (result: unknown) => done({ kind: 'ack', result }));
  });
}

describe('fuzz: Socket.IO events', () => {
  const { server } = useTestServer();
  const seed = fuzzSeed('socket fuzz');
  const rng = new Random(seed);
  let knownIds: string[] = [];
  let templates: Record<ClientEvent, Record<string, unknown>>;
  let clients: Record<'aliceWs' | 'alicePolling' | 'rootWs', Client>;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    const world = await seedWorld(server);
    const { alice, bob, root, victim } = world.users;
    const { general, bobsPublic, secret, team } = world.channels;
    const { aliceMsg, bobMsg } = world.messages;
    knownIds = [...world.ids, 'nope', '0', 'x'.repeat(64), 'x'.repeat(65)];
    templates = {
      sync: { epoch: null, cursors: { [general.id]: 0, [secret.id]: 0 }, limit: 10 },
      'message.send': {
        channelId: general.id,
        clientId: 'fuzz-send-0001',
        text: 'hello @bob',
        fileIds: ['01a1fd3e-3235-7346-9dd5-4a04b5c8a40f'],
        parentId: aliceMsg.id,
        alsoInChannel: true,
      },
      'message.edit': { messageId: aliceMsg.id, text: 'edited' },
      'message.delete': { messageId: bobMsg.id },
      'channel.history': { channelId: general.id, after: 0, limit: 10 },
      'channel.create': { displayName: 'Fuzz 퍼즈', visibility: 'public', topic: 'x', purpose: 'y' },
      'channel.join': { channelId: bobsPublic.id },
      'channel.leave': { channelId: team.id },
      'channel.invite': { channelId: team.id, userId: victim.user.id },
      'channel.members': { channelId: secret.id },
      'channel.list': {},
      'channel.browse': { query: 'gen', limit: 5 },
      'direct.open': { userId: bob.user.id },
      'read.mark': { channelId: general.id, seq: 1 },
      'user.list': {},
      'preferences.get': {},
      'preferences.set': { theme: 'dark', language: 'ko', notify: 'all', notifyPreview: false },
      typing: { channelId: general.id },
      'profile.set': { displayName: 'Alice A.' },
      search: { q: 'hello 서버점검 in:#general from:@bob after:2026-01-01', channel: general.id, limit: 5 },
      'channel.update': { channelId: general.id, displayName: 'Général 총회', topic: 'fuzzed', purpose: 'p' },
      'message.thread': { messageId: aliceMsg.id, after: 0, limit: 10 },
      'thread.list': { limit: 5 },
      'thread.read': { messageId: aliceMsg.id, seq: 1 },
      'reaction.add': { messageId: bobMsg.id, emoji: '👍' },
      'reaction.remove': { messageId: aliceMsg.id, emoji: '🎉' },
      'topic.list': {},
      'topic.follow': { topic: 'fuzz_alerts' },
      'topic.unfollow': { topic: 'fuzz_alerts' },
      'topic.messages': { topic: 'fuzz_alerts', after: 0, limit: 10 },
      'topic.mute': { topic: 'fuzz_alerts', muted: true },
      'topic.read': { topic: 'fuzz_alerts', seq: 0 },
    };
    const open = async (
      label: string,
      user: TestUser,
      transports: Client['transports'],
    ): Promise<Client> => ({
      label,
      user,
      transports,
      socket: (await connect(server.url, user.token, { transports })).socket,
    });
    clients = {
      aliceWs: await open('alice/websocket', alice, ['websocket']),
      alicePolling: await open('alice/polling', alice, ['polling']),
      rootWs: await open('root/websocket', root, ['websocket']),
    };
  });

  afterAll(() => {
    for (const c of Object.values(clients ?? {})) c.socket.close();
  });

  it(
    'rejects bad payloads cleanly, changes nothing on rejection, and stays up',
    { timeout: 40_000 },
    async () => {
      const problems: string[] = [];
      const stats = { acked: 0, rejected: 0, accepted: 0, unacked: 0, raw: 0, oversize: 0, reconnects: 0 };
      const answered = new Set<string>();
      let baseline = await snapshot(server.ctx.db);
      let step = 0;
      const fail = (what: string) => {
        if (problems.length < 25) problems.push(`step ${step}: ${what}`);
      };

      const ensureConnected = async (client: Client) => {
        if (client.socket.connected) return;
        client.socket.close();
        client.socket = (
          await connect(server.url, client.user.token, { transports: client.transports })
        ).socket;
        stats.reconnects += 1;
      };
      /** After input that gets no answer: a round trip (or the server closing the connection) then the state check. */
      const settle = async (client: Client, what: string) => {
        if (client.socket.connected) {
          const outcome = await emitWithAck(client.socket, 'channel.list', [{}]);
          if (outcome.kind === 'timeout') fail(`${what}: the connection stopped answering`);
        }
        const diff = snapshotDiff(baseline, await snapshot(server.ctx.db));
        if (diff) fail(`${what} changed the database: ${diff}`);
      };

      const payloadFor = (event: string): unknown => {
        const template = templates[event as ClientEvent] ?? {};
        switch (rng.weighted({ mutated: 5, junk: 3, polluted: 1, deep: 1 })) {
          case 'mutated':
            return mutate(rng, template, knownIds);
          case 'junk':
            return junk(rng, knownIds);
          case 'polluted': {
            const value: Record<string, unknown> = { ...template };
            setOwn(value, rng.pick(POLLUTION_KEYS), { isAdmin: true, polluted: 1 });
            return value;
          }
          case 'deep':
            return JSON.parse(deeplyNestedJson(rng, 500 + rng.int(1500)));
        }
      };
      /** Always rejected, whatever the event: a non-object payload or more than one argument. */
      const invalidArgs = (event: string): unknown[] =>
        rng.chance(0.5)
          ? [rng.pick([null, 0, -1, 'x', [], [templates[event as ClientEvent] ?? {}], true, 1e308])]
          : [payloadFor(event), junk(rng, knownIds)];
      const rawPacket = (): string => {
        const event = JSON.stringify(rng.pick(CLIENT_EVENTS));
        return rng.pick([
          `2[${event},${deeplyNestedJson(rng, 5_000 + rng.int(20_000))}]`,
          `2[${event}]`,
          `2[42,{}]`,
          `2[null,{}]`,
          `2["disconnect"]`,
          `2["connect",{}]`,
          `2{"a":1}`,
          `2[${event},{"channelId":`,
          `9`,
          `2`,
          `3999999[]`,
          // A payload no event accepts: `{}` is a valid request for some (preferences.set writes it).
          `299999999999999999999999[${event},{"fuzz":true}]`,
          `0/admin,{}`,
          `2/admin,[${event},{}]`,
          `2[${event},NaN]`,
          `2[${event},{"__proto__":{"isAdmin":true}},{"constructor":{"prototype":{"polluted":1}}}]`,
          `51-[${event},{"_placeholder":true,"num":0}]`,
          `1`,
        ]);
      };

      const more = fuzzBudget();
      while (more(step)) {
        step += 1;
        const c = clients[rng.weighted({ aliceWs: 5, alicePolling: 2, rootWs: 3 })];
        await ensureConnected(c);
        // One acked pass over every event first, then random picks.
        const firstPass = step <= CLIENT_EVENTS.length;
        const event = firstPass
          ? CLIENT_EVENTS[step - 1]!
          : rng.chance(0.85)
            ? rng.pick(CLIENT_EVENTS)
            : rng.pick(UNKNOWN_EVENTS);
        const mode = firstPass ? 'acked' : rng.weighted({ acked: 85, unacked: 7, raw: 6, oversize: 2 });

        if (mode === 'acked') {
          const shape = rng.weighted({ one: 85, extra: 7, none: 4, many: 4 });
          const payload = payloadFor(event);
          const args =
            shape === 'one'
              ? [payload]
              : shape === 'extra'
                ? [payload, junk(rng, knownIds)]
                : shape === 'none'
                  ? []
                  : [junk(rng, knownIds), junk(rng, knownIds), junk(rng, knownIds)];
          const what = `${c.label} ${preview(event, 40)} ${preview(args)}`;
          const outcome = await emitWithAck(c.socket, event, args);
          if (outcome.kind !== 'ack') {
            fail(`${what}: ${outcome.kind === 'timeout' ? 'no ack' : 'the server dropped the connection'}`);
            continue;
          }
          stats.acked += 1;
          answered.add(event);
          const result = outcome.result as { ok?: unknown; error?: unknown } | null;
          if (result?.ok === true) {
            stats.accepted += 1;
            const polluted =
              typeof payload === 'object' &&
              payload !== null &&
              POLLUTION_KEYS.some((k) => Object.hasOwn(payload, k));
            if (polluted && args.length === 1) fail(`${what}: accepted a payload with a prototype key`);
            baseline = await snapshot(server.ctx.db);
          } else if (result?.ok === false) {
            stats.rejected += 1;
            const problem = errorProblem(result.error);
            if (problem) fail(`${what}: ${problem}`);
            const diff = snapshotDiff(baseline, await snapshot(server.ctx.db));
            if (diff) {
              fail(`${what}: rejected but changed the database: ${diff}`);
              baseline = await snapshot(server.ctx.db);
            }
          } else {
            fail(`${what}: the ack is not a Result: ${preview(result)}`);
          }
        } else if (mode === 'unacked') {
          stats.unacked += 1;
          const args = invalidArgs(event);
          (c.socket as unknown as Socket).emit(event, ...args);
          await settle(c, `unacked ${preview(event, 40)} ${preview(args)}`);
        } else if (mode === 'raw') {
          stats.raw += 1;
          const packet = rawPacket();
          c.socket.io.engine.write(packet);
          await settle(c, `raw packet ${preview(packet)}`);
          // A raw packet can leave the connection in any protocol state (a client-sent DISCONNECT, a
          // half-sent binary event): start the next step on a fresh one.
          c.socket.close();
        } else {
          stats.oversize += 1;
          const size = server.ctx.config.maxPayloadBytes + 1 + rng.int(4096);
          const payload = {
            ...templates['message.send'],
            clientId: `fuzz-big-${step}`,
            text: 'x'.repeat(size),
          };
          const outcome = await emitWithAck(c.socket, 'message.send', [payload]);
          // Over the packet limit the server closes the connection; an answer would have to be a rejection.
          if (outcome.kind === 'ack') {
            const result = outcome.result as { ok?: unknown; error?: unknown };
            if (result.ok !== false) fail(`oversize message (${size} bytes) was accepted`);
            else if (errorProblem(result.error)) fail(`oversize message: ${errorProblem(result.error)}`);
          } else if (outcome.kind === 'timeout') {
            fail(`oversize message (${size} bytes): neither an answer nor a closed connection`);
          }
          await settle(c, `oversize message (${size} bytes)`);
        }
      }

      console.log(`socket fuzz: ${step} steps`, stats);
      expect(problems).toEqual([]);
      expect(CLIENT_EVENTS.filter((e) => !answered.has(e))).toEqual([]);
      // The run must have exercised the rejection path a lot, or it proved nothing.
      expect(stats.rejected).toBeGreaterThan(MIN_STEPS / 2);
      expect(stats.raw + stats.unacked + stats.oversize).toBeGreaterThan(MIN_STEPS / 20);
      // Nothing reached Object.prototype, and the server still answers.
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
      const fresh = await connect(server.url, clients.aliceWs.user.token);
      fresh.socket.close();
    },
  );
});
