// Keeps the session's bearer token out of the core's files. The core stores its sign-in record
// ({ serverUrl, token, user }) under `session`; this wrapper writes that record with the token
// left out, tells main the token instead (main encrypts it with safeStorage), and puts back the
// token main handed over when the core reads the record. A record written by an older version with
// the token in it is adopted once and rewritten without it.
import type { KeyValueStorage } from '@switchboard/client/node';

/** The key under which the session core keeps its sign-in record. */
export const SESSION_RECORD_KEY = 'session';

type SessionRecord = Record<string, unknown> & { token?: unknown };

const isRecord = (value: unknown): value is SessionRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class TokenKeepingStorage implements KeyValueStorage {
  constructor(
    private readonly inner: KeyValueStorage,
    private token: string | null,
    /** Main persists the token: called whenever it changes (null: signed out). */
    private readonly tokenChanged: (token: string | null) => void,
  ) {}

  async get(key: string): Promise<unknown> {
    const value = await this.inner.get(key);
    return key === SESSION_RECORD_KEY ? this.withToken(value) : value;
  }

  async set(key: string, value: unknown): Promise<void> {
    if (key !== SESSION_RECORD_KEY || !isRecord(value)) return this.inner.set(key, value);
    await this.inner.set(key, { ...value, token: null });
    this.adopt(typeof value.token === 'string' ? value.token : null);
  }

  delete(key: string): Promise<void> {
    if (key === SESSION_RECORD_KEY) this.adopt(null);
    return this.inner.delete(key);
  }

  keys(prefix: string): Promise<string[]> {
    return this.inner.keys(prefix);
  }

  async entries(prefix: string): Promise<[string, unknown][]> {
    const entries = await this.inner.entries(prefix);
    return Promise.all(
      entries.map(async ([key, value]): Promise<[string, unknown]> =>
        key === SESSION_RECORD_KEY ? [key, await this.withToken(value)] : [key, value],
      ),
    );
  }

  lock(name: string, signal: AbortSignal): Promise<() => Promise<void>> {
    return this.inner.lock(name, signal);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async withToken(value: unknown): Promise<unknown> {
    if (!isRecord(value)) return value;
    if (typeof value.token === 'string' && value.token.length > 0) {
      // Written before tokens moved to safeStorage: keep it there from now on.
      if (this.token === null) this.adopt(value.token);
      await this.inner.set(SESSION_RECORD_KEY, { ...value, token: null });
    }
    return { ...value, token: this.token };
  }

  private adopt(token: string | null): void {
    if (token === this.token) return;
    this.token = token;
    this.tokenChanged(token);
  }
}
