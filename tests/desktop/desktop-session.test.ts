// A window's DesktopSession (renderer/src/session/desktop.ts) across a restart of the session core,
// over real MessagePorts and the core's own port server (serveSession): the new core hears which
// conversations the reader is reading the history of — each once, including what the window said
// while no core was there — so it does not trim them under the reader.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { DEFAULT_SERVER_LIMITS } from '@switchboard/protocol';
import {
  serveSession,
  type RequestMethod,
  type RequestResults,
  type SessionApi,
  type SessionSnapshot,
} from '@switchboard/client';
import { DesktopSession } from '../../renderer/src/session/desktop.ts';
import { until } from '../support/desktop-host.ts';

const snapshot: SessionSnapshot = {
  serverUrl: 'http://127.0.0.1:1',
  user: null,
  connection: { status: 'online' },
  channels: [],
  users: [],
  preferences: {},
  limits: DEFAULT_SERVER_LIMITS,
  threads: [],
  topics: [],
};
const answers: Partial<{ [M in RequestMethod]: RequestResults[M] }> = {
  getSnapshot: snapshot,
  openChannel: { messages: [], hasOlder: false },
  setFollowing: null,
};

/** The core's side: answers what the window asks (the core's own handling is tested in client/), and notes it. */
class RecordingCore implements SessionApi {
  readonly asked: { method: RequestMethod; params: unknown }[] = [];
  async request<M extends RequestMethod>(method: M, params: unknown): Promise<RequestResults[M]> {
    this.asked.push({ method, params });
    if (!(method in answers)) throw new Error(`unexpected ${method}`);
    return answers[method] as RequestResults[M];
  }
  on(): () => void {
    return () => {};
  }
  follows() {
    return this.asked.filter((a) => a.method === 'setFollowing').map((a) => a.params);
  }
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

function coreOnPort(session: DesktopSession): RecordingCore {
  const core = new RecordingCore();
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  serveSession(core, port1);
  session.attach(port2);
  return core;
}

describe('DesktopSession across a restart of the core', () => {
  it('tells the new core which conversations the reader is reading the history of, once each', async () => {
    const session = new DesktopSession();
    const first = coreOnPort(session);
    await session.request('openChannel', { channelId: 'c1' });
    await session.request('setFollowing', { channelId: 'c1', following: false });
    expect(first.follows()).toEqual([{ channelId: 'c1', following: false }]);

    session.coreStatus({ state: 'restarting', retryAt: 0, attempt: 0 });
    // The window left the first core: its port released what the window held there (serveSession).
    await until(() => first.follows().length === 2, 'the release', 5_000);
    expect(first.follows().at(-1)).toEqual({ channelId: 'c1', following: true });
    // Said while no core is there: answered at once, and carried to the next core by the resync.
    expect(await session.request('setFollowing', { channelId: 'c2', following: false })).toBeNull();
    await session.request('setFollowing', { channelId: 'c3', following: false });
    await session.request('setFollowing', { channelId: 'c3', following: true });

    const second = coreOnPort(session);
    await until(() => second.asked.some((a) => a.method === 'openChannel'), 'the resync', 5_000);
    expect(second.follows()).toEqual([
      { channelId: 'c1', following: false },
      { channelId: 'c2', following: false },
    ]);
    // Before the conversations are opened again, so the new core never trims them meanwhile.
    expect(second.asked.map((a) => a.method)).toEqual([
      'getSnapshot',
      'setFollowing',
      'setFollowing',
      'openChannel',
    ]);

    // Back at the newest messages: said once, to the core there is now.
    await session.request('setFollowing', { channelId: 'c1', following: true });
    expect(second.follows().at(-1)).toEqual({ channelId: 'c1', following: true });
    expect(first.follows()).toHaveLength(2);
  });
});
