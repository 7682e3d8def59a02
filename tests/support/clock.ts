// A clock a test moves by hand, for rules that depend on time (expiry, retention) without sleeping.
import type { Clock } from '../../server/src/clock.ts';

export interface ManualClock {
  now: Clock;
  advance(ms: number): void;
}

/** Starts at the real time (so stored timestamps look ordinary) and moves only when told. */
export function manualClock(start = Date.now()): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}
