// Preferences: a change applies here at once and waits for the server until stored; the server's
// word changes only the keys not changed here.
import { describe, expect, it } from 'vitest';
import type { Preferences } from '@switchboard/protocol';
import { PreferenceSync } from './preferences.ts';

function setup(server: Preferences = {}) {
  const told: Preferences[] = [];
  const sets: Preferences[] = [];
  let stored = server;
  let failing = false;
  const prefs = new PreferenceSync({
    get: async () => stored,
    set: async (preferences) => {
      if (failing) throw new Error('offline');
      sets.push(preferences);
      stored = preferences;
      return stored;
    },
    changed: (preferences) => told.push(preferences),
  });
  return { prefs, told, sets, fail: (value: boolean) => (failing = value) };
}

describe('PreferenceSync', () => {
  it('applies a change offline, keeps it over the server’s word, and sends it on connect', async () => {
    const { prefs, told, sets } = setup({ theme: 'light', language: 'ko' });
    await prefs.change({ theme: 'dark' }, false);
    expect(prefs.preferences).toEqual({ theme: 'dark' });
    expect(prefs.pendingKeys).toEqual(['theme']);
    prefs.fromServer({ theme: 'light', notify: 'none' });
    expect(prefs.preferences).toEqual({ theme: 'dark', notify: 'none' });

    await prefs.connected();
    expect(sets).toEqual([{ theme: 'dark', language: 'ko' }]);
    expect(prefs.pendingKeys).toEqual([]);
    expect(prefs.preferences).toEqual({ theme: 'dark', language: 'ko' });
    expect(told.at(-1)).toEqual({ theme: 'dark', language: 'ko' });
  });

  it('keeps a change pending when storing it fails, and forgets everything on clear', async () => {
    const { prefs, fail } = setup();
    fail(true);
    await prefs.change({ notify: 'mentions' }, true);
    expect(prefs.pendingKeys).toEqual(['notify']);
    prefs.clear();
    expect(prefs.preferences).toEqual({});
    expect(prefs.pendingKeys).toEqual([]);
  });
});
