// The connection: its backoff schedule (with time and randomness injected, against a real refused
// port), reconnect-now, and the states a real server's refusals lead to.
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { createUser, startTestServer } from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import {
  BACKOFF_CAP_MS,
  backoffDelay,
  Connection,
  healthProbe,
  LIVENESS_TIMEOUT_MS,
  PROBE_INTERVAL_MS,
} from './connection.ts';
import type { ConnectionState } from './contract.ts';
import { WAIT } from '../../../tests/support/session.ts';

async function refusedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('backoff', () => {
  it('doubles from 1 s, draws from the upper half of each step, and stays under 30 s', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, () => 0.999_999)).toBe(
        Math.round(ceiling / 2 + (0.999_999 * ceiling) / 2),
      );
      expect(backoffDelay(attempt, () => 0.999_999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
    expect(backoffDelay(6, () => 0)).toBe(15_000);
    expect(backoffDelay(1_000, () => 0.5)).toBe(22_500);
  });

  it('schedules each retry of a refused connection by that rule, and reconnectNow skips the wait', async () => {
    const { clock, advanceTo } = manualClock();
    const draws = [0, 1, 0.5, 0, 1, 0.25, 0.75, 1, 0, 0.5];
    let draw = 0;
    const random = () => draws[draw++ % draws.length]!;
    const states: ConnectionState[] = [];
    const connection = new Connection({
      url: `http://127.0.0.1:${await refusedPort()}`,
      token: 't',
      clock,
      random,
      // The server never answers: no probe shortens a wait.
      probe: async () => false,
    });
    connection.on('state', (state) => states.push(state));
    connection.start();
    try {
      for (let attempt = 1; attempt <= draws.length; attempt++) {
        const state = await vi.waitFor(() => {
          const found =
            connection.state.status === 'reconnecting' && connection.state.attempt === attempt
              ? connection.state
              : undefined;
          if (!found) throw new Error(`still waiting for ${`attempt ${attempt} to fail`}`);
          return found;
        }, WAIT);
        if (state.status !== 'reconnecting') throw new Error('unreachable');
        expect(state.reason).toBe('unreachable');
        expect(state.retryAt - clock.now()).toBe(backoffDelay(attempt, () => draws[attempt - 1]!));
        expect(state.retryAt - clock.now()).toBeLessThanOrEqual(30_000);
        advanceTo(state.retryAt);
        expect(connection.state.status).toBe('connecting');
      }
      // The next wait is long (a capped step): reconnectNow starts an attempt at once.
      const waiting = await vi.waitFor(() => {
        const found =
          connection.state.status === 'reconnecting' && connection.state.attempt === draws.length + 1
            ? connection.state
            : undefined;
        if (!found) throw new Error(`still waiting for ${'the next wait'}`);
        return found;
      }, WAIT);
      expect(waiting.status === 'reconnecting' && waiting.retryAt - clock.now()).toBeGreaterThanOrEqual(
        15_000,
      );
      connection.reconnectNow();
      expect(connection.state.status).toBe('connecting');
      await vi.waitFor(
        () =>
          expect(
            connection.state.status === 'reconnecting' && connection.state.attempt === draws.length + 2,
            'the immediate attempt',
          ).toBeTruthy(),
        WAIT,
      );
      connection.setNetworkAvailable(false);
      expect(connection.state).toEqual({ status: 'offline', reason: 'no-network' });
    } finally {
      connection.stop();
    }
    expect(states.filter((s) => s.status === 'reconnecting')).toHaveLength(draws.length + 2);
  });
});

describe('an outage', () => {
  it('keeps the reason it began with, honours the server’s hint, and comes back as soon as the server answers', async () => {
    let server = await startTestServer();
    const port = Number(new URL(server.url).port);
    const { token } = await createUser(server, 'olga');
    const { clock, advanceTo, now } = manualClock();
    const probed: boolean[] = [];
    const connection = new Connection({
      url: server.url,
      token,
      clock,
      // Each wait as long as its backoff step allows, so only the probe can shorten it.
      random: () => 1,
      probe: async (url) => {
        const answers = await healthProbe(url);
        probed.push(answers);
        return answers;
      },
    });
    let hint: number | undefined;
    connection.onServer('server.shutdown', ({ reconnectAfterMs }) => (hint = reconnectAfterMs));
    const states: ConnectionState[] = [];
    connection.on('state', (state) => states.push(state));
    const reconnecting = (attempt: number) =>
      vi.waitFor(() => {
        const state = connection.state;
        if (state.status !== 'reconnecting' || state.attempt !== attempt)
          throw new Error(`still waiting for attempt ${attempt} to fail`);
        return state;
      }, WAIT);
    connection.start();
    try {
      await vi.waitFor(() => expect(connection.state.status).toBe('online'), WAIT);
      await server.close();
      // The server said when to come back, and that it is restarting.
      const first = await reconnecting(1);
      expect(first).toMatchObject({ reason: 'server-restarting', retryAt: now() + hint! });
      advanceTo(first.retryAt);
      // Nobody answers now, yet the outage is still the restart, not "cannot reach the server".
      const second = await reconnecting(2);
      expect(second.reason).toBe('server-restarting');
      expect(second.retryAt - now()).toBe(backoffDelay(2, () => 1));

      server = await startTestServer({ dataDir: server.dataDir, port });
      advanceTo(now() + PROBE_INTERVAL_MS);
      await vi.waitFor(() => expect(connection.state.status).toBe('online'), WAIT);
      expect(now()).toBeLessThan(second.retryAt);
      expect(probed.at(-1)).toBe(true);
      expect(
        states.filter((s) => s.status === 'reconnecting').map((s) => s.status === 'reconnecting' && s.reason),
      ).toEqual(['server-restarting', 'server-restarting']);
    } finally {
      connection.stop();
      await server.close();
    }
  });
});

/**
 * A TCP forwarder whose open connections can be frozen: bytes stop flowing both ways and nothing is
 * closed, as when a machine wakes on another network or the far side forgot a connection silently.
 * New connections still go through.
 */
async function freezableForwarder(targetPort: number) {
  const pairs: net.Socket[][] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    pairs.push([client, upstream]);
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    /** How many connections came through so far. */
    get connections() {
      return pairs.length;
    },
    freeze() {
      for (const pair of pairs)
        for (const socket of pair) {
          socket.unpipe();
          socket.pause();
        }
    },
    async close() {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('after a wake or a network change', () => {
  const { server } = useTestServer();

  it('keeps a connection that answers, and replaces one that looks online but does not', async () => {
    const { token } = await createUser(server, 'wanda');
    const forwarder = await freezableForwarder(Number(new URL(server.url).port));
    const { clock, advanceTo, now, pending } = manualClock();
    const connection = new Connection({ url: forwarder.url, token, clock });
    let onlines = 0;
    connection.on('online', () => (onlines += 1));
    connection.start();
    try {
      await vi.waitFor(() => expect(onlines).toBe(1), WAIT);
      const used = forwarder.connections;

      // Alive: the check's deadline is set, its answer clears it, and time passing changes nothing.
      expect(pending()).toBe(0);
      connection.reconnectNow();
      expect(pending()).toBe(1);
      await vi.waitFor(() => expect(pending()).toBe(0), WAIT);
      advanceTo(now() + LIVENESS_TIMEOUT_MS);
      expect(connection.state.status).toBe('online');
      expect(onlines).toBe(1);
      expect(forwarder.connections).toBe(used);

      // Dead but still "online": no answer within the deadline, so a new connection replaces it.
      forwarder.freeze();
      connection.reconnectNow();
      expect(connection.state.status).toBe('online');
      advanceTo(now() + LIVENESS_TIMEOUT_MS - 1);
      expect(connection.state.status).toBe('online');
      advanceTo(now() + 1);
      expect(connection.state.status).toBe('connecting');
      await vi.waitFor(() => expect(onlines).toBe(2), WAIT);
      expect(forwarder.connections).toBeGreaterThan(used);
    } finally {
      connection.stop();
      await forwarder.close();
    }
  });
});

describe('server refusals', () => {
  const { server } = useTestServer();

  const settle = async (connection: Connection, status: ConnectionState['status']) => {
    connection.start();
    try {
      return await vi.waitFor(() => {
        const found = connection.state.status === status ? connection.state : undefined;
        if (!found) throw new Error(`still waiting for ${status}`);
        return found;
      }, WAIT);
    } finally {
      connection.stop();
    }
  };

  it('is signed out when the token is refused', async () => {
    const connection = new Connection({ url: server.url, token: 'not-a-real-token' });
    const refusals: unknown[] = [];
    connection.on('unauthorized', (error) => refusals.push(error));
    await settle(connection, 'signed-out');
    expect(refusals).toMatchObject([{ code: 'unauthorized' }]);
  });

  it('says which side is too old when the protocol versions do not meet', async () => {
    const { token } = await createUser(server, 'carol');
    const future = await settle(
      new Connection({ url: server.url, token, protocolVersion: 99 }),
      'incompatible',
    );
    expect(future).toMatchObject({ status: 'incompatible', serverTooOld: true });
    const past = await settle(new Connection({ url: server.url, token, protocolVersion: 0 }), 'incompatible');
    expect(past).toMatchObject({ status: 'incompatible', serverTooOld: false });
  });

  it('comes online with a valid token', async () => {
    const { token } = await createUser(server, 'dave');
    const connection = new Connection({ url: server.url, token });
    const hellos: unknown[] = [];
    connection.on('online', (hello) => hellos.push(hello));
    await settle(connection, 'online');
    expect(hellos).toMatchObject([{ user: { username: 'dave' } }]);
  });
});

describe('requests', () => {
  // Checked by the typechecker (`npm run typecheck`): each @ts-expect-error must be an error.
  it('takes its payload and result types from the protocol’s event table', () => {
    const calls = (connection: Connection) => {
      // @ts-expect-error -- not an event of the protocol
      void connection.request('message.sned', {});
      // @ts-expect-error -- message.send needs a clientId
      void connection.request('message.send', { channelId: 'c1', text: 'hi' });
      const sent: Promise<{ seq: number; duplicate: boolean }> = connection.request('message.send', {
        channelId: 'c1',
        clientId: 'client-id-1',
        text: 'hi',
      });
      // @ts-expect-error -- read.mark answers with a read state, not a message
      const wrong: Promise<{ text: string }> = connection.request('read.mark', { channelId: 'c1', seq: 1 });
      return [sent, wrong];
    };
    expect(calls).toBeTypeOf('function');
  });
});
