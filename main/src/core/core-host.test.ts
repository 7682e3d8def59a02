import type { CoreStatus } from '@switchboard/protocol/desktop';
import { describe, expect, it } from 'vitest';
import { fakeChannel, fakeLauncher, FakePort, ManualTimers, RecordingLog } from '../testing/fakes.ts';
import { CoreHost, type CoreWindow, type SecretStore } from './core-host.ts';

class FakeWindow implements CoreWindow<FakePort> {
  readonly ports: FakePort[] = [];
  readonly statuses: CoreStatus[] = [];
  constructor(readonly id: number) {}
  sendPort(port: FakePort): void {
    this.ports.push(port);
  }
  sendStatus(status: CoreStatus): void {
    this.statuses.push(status);
  }
}

function host(options: { token?: string | null; crashLoopAfter?: number } = {}) {
  const timers = new ManualTimers();
  const { children, launch } = fakeLauncher();
  const saved: (string | null)[] = [];
  const secrets: SecretStore = { load: () => options.token ?? null, save: (token) => void saved.push(token) };
  const log = new RecordingLog();
  const core = new CoreHost<FakePort>({
    launch,
    createChannel: fakeChannel,
    secrets,
    dataDir: '/data/session',
    logsDir: '/logs',
    log,
    timers,
    crashLoopAfter: options.crashLoopAfter,
    shutdownTimeoutMs: 50,
  });
  core.start();
  return { core, timers, children, saved, log, current: () => children.at(-1)! };
}

describe('CoreHost', () => {
  it('starts the core with its data folder and the token from the secret store', () => {
    const { current } = host({ token: 'tok-1' });
    expect(current().received[0]!.message).toEqual({
      type: 'start',
      dataDir: '/data/session',
      logsDir: '/logs',
      token: 'tok-1',
    });
  });

  it('gives each window its own channel: one end to the core, the other to the window', () => {
    const { core, current } = host();
    const a = new FakeWindow(1);
    const b = new FakeWindow(2);
    core.attachWindow(a);
    core.attachWindow(b);
    const attaches = current().received.filter((r) => r.message.type === 'attach');
    expect(attaches.map((r) => r.message)).toEqual([
      { type: 'attach', windowId: 1 },
      { type: 'attach', windowId: 2 },
    ]);
    expect(attaches.every((r) => r.transfer.length === 1)).toBe(true);
    // The window holds the other end of the very channel whose first end went to the core.
    const ends = new Set(
      [...a.ports, ...b.ports, ...attaches.map((r) => r.transfer[0]!)].map((p) => p.serial),
    );
    expect(ends.size).toBe(4);
    expect(a.ports).toHaveLength(1);
    expect(a.statuses.at(-1)).toEqual({ state: 'running' });
  });

  it('after a crash: windows see "restarting", then get fresh ports from the restarted core', () => {
    const { core, timers, children, current } = host();
    const window = new FakeWindow(1);
    core.attachWindow(window);
    const firstPort = window.ports[0]!;
    children[0]!.exit(1);
    expect(window.statuses.at(-1)).toMatchObject({
      state: 'restarting',
      attempt: 1,
      retryAt: timers.now() + 1_000,
    });
    timers.advance(1_000);
    expect(children).toHaveLength(2);
    expect(current().types()).toEqual(['start', 'attach']);
    expect(window.ports).toHaveLength(2);
    expect(window.ports[1]).not.toBe(firstPort);
    expect(window.statuses.at(-1)).toEqual({ state: 'running' });
  });

  it('a window opened while the core is down gets its port when it is back', () => {
    const { core, timers, children } = host();
    children[0]!.exit(1);
    const window = new FakeWindow(3);
    core.attachWindow(window);
    expect(window.ports).toHaveLength(0);
    expect(window.statuses.at(-1)?.state).toBe('restarting');
    timers.advance(1_000);
    expect(window.ports).toHaveLength(1);
  });

  it('a crash loop shows the failure with the logs folder; Restart starts over', () => {
    const { core, timers, children } = host({ crashLoopAfter: 3 });
    const window = new FakeWindow(1);
    core.attachWindow(window);
    children[0]!.exit(1);
    timers.advance(1_000);
    children[1]!.exit(1);
    timers.advance(2_000);
    children[2]!.exit(1);
    expect(window.statuses.at(-1)).toMatchObject({ state: 'failed', logsDir: '/logs' });
    core.restart();
    expect(children).toHaveLength(4);
    expect(window.ports).toHaveLength(4);
  });

  it('forwards power and network events, and tells a restarted core the state it missed', () => {
    const { core, timers, children, current } = host();
    core.power('suspend');
    core.network(false);
    core.network(false); // no change, not repeated
    expect(
      current()
        .received.slice(1)
        .map((r) => r.message),
    ).toEqual([
      { type: 'power', event: 'suspend' },
      { type: 'network', online: false },
    ]);
    children[0]!.exit(1);
    timers.advance(1_000);
    expect(current().received.map((r) => r.message)).toEqual([
      expect.objectContaining({ type: 'start' }),
      { type: 'power', event: 'suspend' },
      { type: 'network', online: false },
    ]);
    core.power('resume');
    core.power('unlock-screen');
    core.network(true);
    expect(
      current()
        .received.slice(3)
        .map((r) => r.message),
    ).toEqual([
      { type: 'power', event: 'resume' },
      { type: 'power', event: 'unlock-screen' },
      { type: 'network', online: true },
    ]);
  });

  it('keeps the token the core hands over, and forgets it on sign-out', () => {
    const { current, saved } = host();
    current().say({ type: 'token', token: 'new-token' });
    current().say({ type: 'token', token: null });
    expect(saved).toEqual(['new-token', null]);
  });

  it('ignores and logs malformed messages from the core, changing nothing', () => {
    const { core, current, saved, log } = host();
    current().say({ type: 'token', token: 42 });
    current().say({ type: 'token', token: 'x'.repeat(5000) });
    current().say({ type: 'server', url: 'http://s', version: '1', extra: true });
    current().say('hello');
    expect(saved).toEqual([]);
    expect(core.state.server).toEqual({ url: null, version: null });
    expect(log.lines.filter((l) => l.message.includes('malformed')).map((l) => l.details.code)).toEqual([
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'validation_failed',
    ]);
  });

  it('shuts the core down gracefully, and kills it when it does not stop in time', async () => {
    const graceful = host();
    const stopping = graceful.core.shutdown();
    expect(graceful.current().types().at(-1)).toBe('shutdown');
    graceful.current().exit(0);
    await stopping;
    expect(graceful.current().killed).toBe(false);

    const stuck = host();
    await stuck.core.shutdown();
    expect(stuck.current().killed).toBe(true);
    expect(stuck.children).toHaveLength(1);
  });
});
