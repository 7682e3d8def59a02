// Keeps the session's bearer token out of the core's files. The core stores its sign-in record
// ({ serverUrl, token, user }, in its versioned envelope { v, data }) under `session`; this wrapper
// writes that record with the token left out, tells main the token instead (main encrypts it with
// safeStorage), and puts back the token main handed over when the core reads the record. A record
// written with the token in it (by an older version) is adopted once and rewritten without it.
import type { KeyValueStorage } from '@switchboard/client/node';

/** The key under which the session core keeps its sign-in record. */
export const SESSION_RECORD_KEY = 'session';

type Fields = Record<string, unknown> & { token?: unknown };

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The record's fields: inside the core's `{ v, data }` envelope, or bare (before envelopes). */
function fieldsOf(value: unknown): Fields | null {
  if (!isObject(value)) return null;
  if (typeof value.v === 'number' && 'data' in value) return isObject(value.data) ? value.data : null;
  return value;
}

/** The same record with its token replaced. */
function withTokenField(value: Fields, token: string | null): Fields {
  if (typeof value.v === 'number' && isObject(value.data))
    return { ...value, data: { ...value.data, token } };
  return { ...value, token };
}

const tokenIn = (value: unknown): string | null => {
  const token = fieldsOf(value)?.token;
  return typeof token === 'string' && token.length > 0 ? token : null;
};

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
    if (key !== SESSION_RECORD_KEY || !isObject(value) || !fieldsOf(value)) return this.inner.set(key, value);
    await this.inner.set(key, withTokenField(value, null));
    this.adopt(tokenIn(value));
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
    if (!isObject(value) || !fieldsOf(value)) return value;
    const stored = tokenIn(value);
    if (stored !== null) {
      // Written before tokens moved to safeStorage: keep it there from now on.
      if (this.token === null) this.adopt(stored);
      await this.inner.set(SESSION_RECORD_KEY, withTokenField(value, null));
    }
    return withTokenField(value, this.token);
  }

  private adopt(token: string | null): void {
    if (token === this.token) return;
    this.token = token;
    this.tokenChanged(token);
  }
}
