import { describe, expect, it } from 'vitest';
import { FakeUtility, ManualTimers } from '../testing/fakes.ts';
import { restartDelay, Supervisor, type SupervisorEvent } from './supervisor.ts';

function supervise(options: { crashLoopAfter?: number; stableAfterMs?: number } = {}) {
  const timers = new ManualTimers();
  const children: FakeUtility[] = [];
  const events: SupervisorEvent<FakeUtility>[] = [];
  const supervisor = new Supervisor({
    launch: () => {
      const child = new FakeUtility();
      children.push(child);
      return child;
    },
    timers,
    ...options,
  });
  supervisor.onEvent((event) => events.push(event));
  supervisor.start();
  return { supervisor, timers, children, events };
}

describe('Supervisor', () => {
  it('restarts after 1 s, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelay)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    const { timers, children, events } = supervise({ crashLoopAfter: 100 });
    const delays: number[] = [];
    for (let crash = 0; crash < 7; crash++) {
      children.at(-1)!.exit(1);
      delays.push(timers.waiting[0]!);
      timers.advance(timers.waiting[0]!);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(children).toHaveLength(8);
    expect(
      events.filter((e) => e.type === 'restarting').map((e) => e.type === 'restarting' && e.attempt),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('does not restart before the backoff is over', () => {
    const { timers, children } = supervise();
    children[0]!.exit(1);
    timers.advance(999);
    expect(children).toHaveLength(1);
    timers.advance(1);
    expect(children).toHaveLength(2);
  });

  it('starts the backoff over after a run that lasted', () => {
    const { timers, children } = supervise({ stableAfterMs: 60_000 });
    children[0]!.exit(1);
    timers.advance(1_000);
    children[1]!.exit(1);
    expect(timers.waiting[0]).toBe(2_000);
    timers.advance(2_000);
    timers.advance(60_000); // the third one runs for a minute
    children[2]!.exit(1);
    expect(timers.waiting[0]).toBe(1_000);
  });

  it('reports a crash loop and waits for restartNow, which starts over', () => {
    const { supervisor, timers, children, events } = supervise({ crashLoopAfter: 3 });
    children[0]!.exit(1);
    timers.advance(1_000);
    children[1]!.exit(1);
    timers.advance(2_000);
    children[2]!.exit(1);
    expect(events.at(-1)).toEqual({ type: 'crash-loop', crashes: 3 });
    timers.advance(60_000);
    expect(children).toHaveLength(3);
    supervisor.restartNow();
    expect(children).toHaveLength(4);
    children[3]!.exit(1);
    expect(timers.waiting[0]).toBe(1_000);
  });

  it('does not restart a child that was stopped on purpose', () => {
    const { supervisor, timers, children, events } = supervise();
    const child = supervisor.stop();
    child!.exit(0);
    timers.advance(60_000);
    expect(children).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'exited', code: 0, expected: true });
  });
});
