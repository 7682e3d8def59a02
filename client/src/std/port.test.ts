// The session contract over a real MessageChannel: the core answers bad frames with errors and keeps
// working (the core itself checks each request's params); the UI-side client ignores bad frames and
// results it receives, and says bye when its page goes away, after which the core stops serving the port
// and releases the channels that page's reader held (setFollowing).
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../../tests/support/server.ts';
import { connectBrowserSession } from '../dom/browser.ts';
import type { Frame, SessionApi, SessionEvents } from './contract.ts';
import { sentMessage } from './display.ts';
import { Emitter } from './emitter.ts';
import { stored } from '../../../tests/support/fixtures.ts';
import { whenOnline } from './online.ts';
import { serveSession, SessionClient } from './port.ts';
import {
  onCleanup,
  openSession,
  runCleanups,
  SessionRecorder,
  sharedChannel,
  startServer,
  storedCopies,
  WAIT,
} from '../../../tests/support/session.ts';

afterEach(runCleanups);

function channel(): { core: MessagePort; ui: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  onCleanup(() => {
    port1.close();
    port2.close();
  });
  return { core: port1, ui: port2 };
}

/** Every frame (of `type`, if given) that arrives on `port`. */
function frames(port: MessagePort, type?: Frame['type']): Frame[] {
  const seen: Frame[] = [];
  port.addEventListener('message', (event) => {
    const frame = (event as unknown as { data: Frame }).data;
    if (type === undefined || frame.type === type) seen.push(frame);
  });
  port.start();
  return seen;
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
      return vi.waitFor(
        () => {
          const found = responses.find((r) => r.id === id);
          if (!found) throw new Error(`still waiting for ${`the answer to ${JSON.stringify(frame)}`}`);
          return found;
        },
        { ...WAIT, timeout: 5_000 },
      );
    },
  };
}

describe('session port', () => {
  it('answers malformed frames, unknown methods and bad params with errors, and keeps serving', async () => {
    const server = await startServer();
    const alice = await createUser(server, 'alice');
    const channelId = await sharedChannel(server, alice, []);
    const { core } = await openSession({ serverUrl: server.url });
    const ports = channel();
    onCleanup(serveSession(core, ports.core));
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
    const wrongKind = await raw.answer({ type: 'events', events: [{ name: 'snapshot', payload: {} }] }, 0);
    expect(wrongKind.error?.code).toBe('bad_request');

    // The same port still does real work: sign in, send, and see the message arrive as sent.
    const client = new SessionClient(ports.ui);
    onCleanup(() => client.close());
    const recorder = new SessionRecorder(client);
    const user = await client.request('signIn', { username: 'alice', password: alice.password });
    expect(user.username).toBe('alice');
    await whenOnline(client);
    recorder.opened(
      channelId,
      (await vi.waitFor(() => client.request('openChannel', { channelId }), WAIT)).messages,
    );
    await client.request('send', { channelId, text: 'through the port' });
    await recorder.sent(channelId, (m) => m.text === 'through the port', 'the delivery');
    expect(await storedCopies(server, alice, channelId, 'through the port')).toHaveLength(1);
  });

  it('ignores bad frames from the core side', async () => {
    const ports = channel();
    const client = new SessionClient(ports.ui, { timeoutMs: 5_000 });
    onCleanup(() => client.close());
    const requests = frames(ports.core, 'request');

    const connections: unknown[] = [];
    client.on('connection', (state) => connections.push(state));

    const pending = client.request('getSnapshot', {});
    await vi.waitFor(() => expect(requests.length, 'the request').toBe(1), WAIT);
    expect(requests[0]).toMatchObject({ type: 'request', method: 'getSnapshot', params: {} });
    const id = (requests[0] as { id: number }).id;
    for (const junk of [
      'junk',
      { type: 'response', id, ok: 'yes' },
      { type: 'response', id: id + 100, ok: true, data: null },
      { type: 'events', events: [{ name: 'connection', payload: { status: 'levitating' } }] },
      { type: 'events', events: [{ name: 'explode', payload: {} }] },
      { type: 'events', events: [] },
      { type: 'request', id: 1, method: 'getSnapshot', params: {} },
    ]) {
      ports.core.postMessage(junk);
    }
    ports.core.postMessage({
      type: 'events',
      events: [{ name: 'connection', payload: { status: 'offline', reason: 'no-network' } }],
    });
    ports.core.postMessage({
      type: 'response',
      id,
      ok: false,
      error: { code: 'unavailable', message: 'core is busy' },
    });
    await expect(pending).rejects.toMatchObject({ code: 'unavailable', message: 'core is busy' });
    await vi.waitFor(() => expect(connections.length > 0, 'the valid event').toBeTruthy(), WAIT);
    expect(connections).toEqual([{ status: 'offline', reason: 'no-network' }]);

    // A result that is not what the method returns is refused, not handed to the UI.
    const odd = client.request('send', { channelId: 'c1', text: 'hi' });
    await vi.waitFor(() => expect(requests.length, 'the second request').toBe(2), WAIT);
    ports.core.postMessage({
      type: 'response',
      id: (requests[1] as { id: number }).id,
      ok: true,
      data: { clientId: 5 },
    });
    await expect(odd).rejects.toMatchObject({ code: 'internal' });
  });

  it('paces events by the UI: while it has not said it is ready, changes gather into one batch', async () => {
    const ports = channel();
    const events = new Emitter<SessionEvents>();
    const core: SessionApi = {
      request: async () => null as never,
      on: (name, handler) => events.on(name, handler),
    };
    onCleanup(serveSession(core, ports.core));
    const paced: (() => void)[] = [];
    const client = new SessionClient(ports.ui, { pace: (run) => paced.push(run) });
    onCleanup(() => client.close());
    const got: SessionEvents['messages'][] = [];
    client.on('messages', (event) => got.push(event));
    const say = (clientId: string, seq: number, text = clientId) =>
      events.emit('messages', { channelId: 'c1', messages: [sentMessage(stored({ clientId, seq, text }))] });

    await client.request('typing', { channelId: 'c1' }); // served from here on
    // The UI takes what arrived when its pace says so, not before.
    say('a', 1);
    await vi.waitFor(() => expect(paced).toHaveLength(1), WAIT);
    expect(got).toEqual([]);
    paced.shift()!();
    expect(got.map((e) => e.messages.map((m) => m.text))).toEqual([['a']]);

    // Sent at once (the UI had caught up), handed over at the next pace; meanwhile changes gather.
    say('c', 3);
    await vi.waitFor(() => expect(paced).toHaveLength(1), WAIT);
    say('b', 2);
    say('c', 3, 'c again');
    await client.request('typing', { channelId: 'c1' }); // answered after those changes were told
    expect(paced).toHaveLength(1);
    paced.shift()!();
    await vi.waitFor(() => expect(paced).toHaveLength(1), WAIT);
    paced.shift()!();
    expect(got.map((e) => e.messages.map((m) => m.text))).toEqual([['a'], ['c'], ['b', 'c again']]);
  });

  it('stops serving a page that says bye as it goes away, but not one kept for back/forward', async () => {
    const { core } = await openSession();
    const leaving = channel();
    onCleanup(serveSession(core, leaving.core));
    const staying = channel();
    onCleanup(serveSession(core, staying.core));
    const toLeaving = frames(leaving.ui);
    const toStaying = frames(staying.ui);
    const fromLeaving = frames(leaving.core);
    const page = new EventTarget();
    connectBrowserSession({ dedicated: () => leaving.ui as unknown as Worker }, { page });
    const pagehide = (persisted: boolean) =>
      page.dispatchEvent(Object.assign(new Event('pagehide'), { persisted }));
    const snapshots = (seen: Frame[]) =>
      seen.flatMap((f) => (f.type === 'events' ? f.events : [])).filter((e) => e.name === 'snapshot').length;

    // Into the back/forward cache: the page may be shown again, so it stays attached.
    pagehide(true);
    await core.request('setServer', { serverUrl: 'http://127.0.0.1:1' });
    await vi.waitFor(
      () =>
        expect(
          snapshots(toLeaving) === 1 && snapshots(toStaying) === 1,
          'the snapshot in both tabs',
        ).toBeTruthy(),
      WAIT,
    );

    pagehide(false);
    await vi.waitFor(
      () =>
        expect(
          fromLeaving.some((f) => f.type === 'bye'),
          'the bye',
        ).toBeTruthy(),
      WAIT,
    );
    await core.request('setServer', { serverUrl: 'http://127.0.0.1:2' });
    await vi.waitFor(() => expect(snapshots(toStaying), 'the snapshot in the tab that stayed').toBe(2), WAIT);
    // A round trip through the tab that stayed: a snapshot for the leaving tab would have gone first.
    const stayingClient = new SessionClient(staying.ui);
    onCleanup(() => stayingClient.close());
    await stayingClient.request('getSnapshot', {});
    expect(snapshots(toLeaving)).toBe(1);
  });

  it('releases the channels a UI held (setFollowing) when it goes without saying its reader is back', async () => {
    const ports = channel();
    const heard: unknown[] = [];
    const core: SessionApi = {
      request: async (method, params) => {
        if (method === 'setFollowing') heard.push(params);
        return null as never;
      },
      on: () => () => {},
    };
    const detach = serveSession(core, ports.core);
    onCleanup(detach);
    const client = new SessionClient(ports.ui);
    await client.request('setFollowing', { channelId: 'c1', following: false });
    await client.request('setFollowing', { channelId: 'c2', following: false });
    await client.request('setFollowing', { channelId: 'c2', following: true });
    await client.request('setFollowing', { channelId: 'c3', following: false });
    heard.length = 0;

    // The window reloads while its reader reads the history of c1 and c3: the port closes.
    detach();
    await vi.waitFor(
      () =>
        expect(heard).toEqual([
          { channelId: 'c1', following: true },
          { channelId: 'c3', following: true },
        ]),
      WAIT,
    );
    client.close();
  });
});
