// The session contract over a real MessageChannel: the core answers bad frames with errors and keeps
// working; the UI-side client refuses bad params before sending and ignores bad frames it receives.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser, startTestServer, tempDir, type TestServer } from '../../tests/support/server.ts';
import type { Frame } from './contract.ts';
import { createNodeSession } from './node.ts';
import { whenOnline } from './online.ts';
import { serveSession, SessionClient } from './port.ts';
import { eventually, SessionRecorder, sharedChannel, storedCopies, waitFor } from './testSupport.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function channel(): { core: MessagePort; ui: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  cleanups.push(() => {
    port1.close();
    port2.close();
  });
  return { core: port1, ui: port2 };
}

/** Posts raw frames and collects the responses, by id. */
function rawPeer(port: MessagePort) {
  const responses: Extract<Frame, { type: 'response' }>[] = [];
  port.addEventListener('message', (event) => {
    const frame = (event as unknown as { data: Frame }).data;
    if (frame.type === 'response') responses.push(frame);
  });
  port.start();
  return {
    responses,
    async answer(frame: unknown, id: number) {
      port.postMessage(frame);
      return waitFor(
        () => responses.find((r) => r.id === id),
        `the answer to ${JSON.stringify(frame)}`,
        5_000,
      );
    },
  };
}

describe('session port', () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  it('answers malformed frames, unknown methods and bad params with errors, and keeps serving', async () => {
    server = await startTestServer();
    const alice = await createUser(server, 'alice');
    const channelId = await sharedChannel(server, alice, []);
    const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
    cleanups.push(() => core.close());
    const ports = channel();
    cleanups.push(serveSession(core, ports.core));
    const raw = rawPeer(ports.ui);

    // Ids 1000+ so they never meet the SessionClient's own on the same port.
    const cases: [unknown, number, string][] = [
      ['not a frame', 0, 'validation_failed'],
      [{ type: 'request', id: -5, method: 'getSnapshot', params: {} }, 0, 'validation_failed'],
      [{ type: 'request', id: 1001, method: 'getSnapshot', params: {}, extra: 1 }, 1001, 'validation_failed'],
      [{ type: 'request', id: 1002, method: 'launchMissiles', params: {} }, 1002, 'bad_request'],
      [
        { type: 'request', id: 1003, method: 'send', params: { channelId: '', text: 5 } },
        1003,
        'validation_failed',
      ],
      [
        {
          type: 'request',
          id: 1004,
          method: 'signIn',
          params: { username: 'alice', password: 'x', isAdmin: true },
        },
        1004,
        'validation_failed',
      ],
      [{ type: 'request', id: 1005, method: 'getSnapshot' }, 1005, 'validation_failed'],
      [{ type: 'request', id: 1006, method: 'toString', params: {} }, 1006, 'bad_request'],
      [
        { type: 'request', id: 1007, method: 'send', params: { channelId, text: 'hi' } },
        1007,
        'unauthorized',
      ],
    ];
    for (const [frame, id, code] of cases) {
      const before = raw.responses.length;
      const answer = await raw.answer(frame, id);
      expect(answer, JSON.stringify(frame)).toMatchObject({ ok: false, error: { code } });
      raw.responses.splice(before);
    }
    const badParams = await raw.answer(
      { type: 'request', id: 1008, method: 'markRead', params: { channelId, seq: -1 } },
      1008,
    );
    expect(badParams.error).toMatchObject({ code: 'validation_failed', issues: [{ path: 'seq' }] });
    const wrongKind = await raw.answer({ type: 'event', name: 'snapshot', payload: {} }, 0);
    expect(wrongKind.error?.code).toBe('bad_request');

    // The same port still does real work: sign in, send, and see the message arrive as sent.
    const client = new SessionClient(ports.ui);
    cleanups.push(() => client.close());
    const recorder = new SessionRecorder(client);
    const user = await client.request('signIn', { username: 'alice', password: alice.password });
    expect(user.username).toBe('alice');
    await whenOnline(client);
    recorder.opened(
      channelId,
      (await eventually(() => client.request('openChannel', { channelId }))).messages,
    );
    await client.request('send', { channelId, text: 'through the port' });
    await waitFor(
      () => recorder.shown(channelId).some((m) => m.text === 'through the port' && m.delivery === 'sent'),
      'the delivery',
    );
    expect(await storedCopies(server, alice, channelId, 'through the port')).toHaveLength(1);
  });

  it('refuses bad params before sending and ignores bad frames from the core side', async () => {
    const ports = channel();
    const client = new SessionClient(ports.ui, { timeoutMs: 5_000 });
    cleanups.push(() => client.close());
    const requests: Frame[] = [];
    ports.core.addEventListener('message', (event) =>
      requests.push((event as unknown as { data: Frame }).data),
    );
    ports.core.start();

    // @ts-expect-error -- what a buggy caller might send
    await expect(client.request('send', { channelId: 'c1' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const connections: unknown[] = [];
    client.on('connection', (state) => connections.push(state));

    const pending = client.request('getSnapshot', {});
    await waitFor(() => requests.length === 1, 'the request');
    expect(requests[0]).toMatchObject({ type: 'request', method: 'getSnapshot', params: {} });
    const id = (requests[0] as { id: number }).id;
    for (const junk of [
      'junk',
      { type: 'response', id, ok: 'yes' },
      { type: 'response', id: id + 100, ok: true, data: null },
      { type: 'event', name: 'connection', payload: { status: 'levitating' } },
      { type: 'event', name: 'explode', payload: {} },
      { type: 'request', id: 1, method: 'getSnapshot', params: {} },
    ]) {
      ports.core.postMessage(junk);
    }
    ports.core.postMessage({
      type: 'event',
      name: 'connection',
      payload: { status: 'offline', reason: 'no network connection' },
    });
    ports.core.postMessage({
      type: 'response',
      id,
      ok: false,
      error: { code: 'unavailable', message: 'core is busy' },
    });
    await expect(pending).rejects.toMatchObject({ code: 'unavailable', message: 'core is busy' });
    await waitFor(() => connections.length > 0, 'the valid event');
    expect(connections).toEqual([{ status: 'offline', reason: 'no network connection' }]);
  });
});
