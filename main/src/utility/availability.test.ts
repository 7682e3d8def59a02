import { describe, expect, it } from 'vitest';
import { Availability } from './availability.ts';

function availability() {
  const calls: string[] = [];
  const target = new Availability({
    setNetworkAvailable: (available) => void calls.push(available ? 'up' : 'down'),
    reconnectNow: () => void calls.push('reconnect'),
  });
  return { target, calls };
}

describe('Availability', () => {
  it('sleep closes the connection; wake and unlock reconnect at once', () => {
    const { target, calls } = availability();
    target.power('suspend');
    target.power('resume');
    target.power('unlock-screen');
    expect(calls).toEqual(['down', 'up', 'reconnect', 'up', 'reconnect']);
  });

  it('waking up without a network does not try; the network coming back does', () => {
    const { target, calls } = availability();
    target.network(false);
    target.power('suspend');
    target.power('resume');
    target.network(true);
    expect(calls).toEqual(['down', 'down', 'down', 'up', 'reconnect']);
  });

  it('the network coming back while asleep waits for the wake-up', () => {
    const { target, calls } = availability();
    target.power('suspend');
    target.network(false);
    target.network(true);
    expect(calls).toEqual(['down', 'down', 'down']);
  });
});
