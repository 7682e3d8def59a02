// Time that moves only when a test says so, for rules that depend on time (backoff, batching,
// expiry, retention) without sleeping: `clock` in the session core's Clock shape, whose timers run
// when their time comes, in the order they are due; `now` as the server's Clock.
import type { Clock } from '@switchboard/client';

export function manualClock(start = 1_000_000) {
  let now = start;
  const timers = new Set<{ at: number; run: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.add(timer);
      return timer;
    },
    clearTimeout: (handle) => void timers.delete(handle as { at: number; run: () => void }),
  };
  const advanceTo = (at: number) => {
    for (;;) {
      const due = [...timers].filter((t) => t.at <= at).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.delete(due);
      now = Math.max(now, due.at);
      due.run();
    }
    now = at;
  };
  return {
    clock,
    now: clock.now,
    advanceTo,
    advance: (ms: number) => advanceTo(now + ms),
    /** How many timers are waiting. */
    pending: () => timers.size,
  };
}
