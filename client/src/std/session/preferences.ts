// The signed-in user's preferences. They live on the server, so they follow the user to every
// device: a change here applies at once and is stored on the server now or on the next connect;
// keys changed here win over what the server says until it has stored them, and the server's word
// (a `preferences` event from another device, or the answer after a connect) changes the rest.
import type { Preferences } from '@switchboard/protocol';

type PreferenceKey = keyof Preferences;

/** Whether two preference values are the same: equal JSON, whatever the order of object keys. */
export function samePreference(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const at = (o: object, key: string): unknown => (o as Record<string, unknown>)[key];
  return [...keys].every((key) => samePreference(at(a, key), at(b, key)));
}

const same = (a: Preferences, b: Preferences): boolean =>
  (Object.keys({ ...a, ...b }) as PreferenceKey[]).every((key) => samePreference(a[key], b[key]));

export interface PreferencesHost {
  /** The server's stored preferences. */
  get(): Promise<Preferences>;
  /** Replaces the server's stored preferences; resolves with what it stored. */
  set(preferences: Preferences): Promise<Preferences>;
  /** The preferences or the keys waiting for the server changed: tell the UI and save. */
  changed(preferences: Preferences): void;
}

export class PreferenceSync {
  private current: Preferences = {};
  /**
   * Keys changed here that the server has not stored yet: what it says about them is older. They
   * are sent on every connect until stored; the other keys follow the server.
   */
  private pending = new Set<PreferenceKey>();
  /** One `preferences.set` at a time, so the server stores them in the order they were made. */
  private pushing: Promise<void> = Promise.resolve();
  /** Bumped when the account ends: answers for the one before are not this one's. */
  private generation = 0;

  constructor(private readonly host: PreferencesHost) {}

  get preferences(): Preferences {
    return this.current;
  }

  get pendingKeys(): PreferenceKey[] {
    return [...this.pending];
  }

  /** What a session that starts had saved (nothing is told). */
  load(preferences: Preferences, pending: readonly PreferenceKey[]): void {
    this.generation += 1;
    this.current = preferences;
    this.pending = new Set(pending);
  }

  /** Signed out: nothing of the last account's. */
  clear(): void {
    this.load({}, []);
  }

  /** Applies a change here at once, then stores it on the server if `online` (else on connect). */
  async change(changes: Preferences, online: boolean): Promise<Preferences> {
    for (const key of Object.keys(changes) as PreferenceKey[]) this.pending.add(key);
    this.apply({ ...this.current, ...changes });
    if (online) await this.push();
    return this.current;
  }

  /** The server's word (a `preferences` event): taken, except for keys changed here. */
  fromServer(preferences: Preferences): void {
    this.apply(this.withPending(preferences));
  }

  /** After a connect: what the server has (changed elsewhere meanwhile), with our own changes on top. */
  async connected(): Promise<void> {
    const generation = this.generation;
    try {
      const stored = await this.host.get();
      if (generation !== this.generation) return;
      this.fromServer(stored);
    } catch {
      return; // The next connect asks again.
    }
    await this.push();
  }

  private push(): Promise<void> {
    const generation = this.generation;
    this.pushing = this.pushing.then(async () => {
      if (generation !== this.generation || this.pending.size === 0) return;
      const sent = this.current;
      try {
        const stored = await this.host.set(sent);
        if (generation !== this.generation) return;
        // A key changed again while this was on its way stays pending: the next push sends it.
        for (const key of this.pending)
          if (samePreference(this.current[key], sent[key])) this.pending.delete(key);
        this.fromServer(stored);
      } catch {
        // Still pending: the next connect sends it again.
      }
    });
    return this.pushing;
  }

  private withPending(server: Preferences): Preferences {
    const ours = [...this.pending].map((key) => [key, this.current[key]]);
    return { ...server, ...(Object.fromEntries(ours) as Preferences) };
  }

  private apply(preferences: Preferences): void {
    if (same(preferences, this.current)) return;
    this.current = preferences;
    this.host.changed(preferences);
  }
}
