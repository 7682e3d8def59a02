// Everything the core keeps in storage (the session, the cache, the outbox, preferences) is a record
// of a named kind with a version: `{ v, data }`. Reading one migrates it from an older version step
// by step and parses it with the kind's schema. One that cannot be read is logged and dropped on its
// own — a broken cache record costs a reload of that channel, never the sign-in or other records.
// One written by a newer app is left as it is (that app may still want it) and read as missing.
import type { z } from 'zod';
import { issuesOf } from './errors.ts';
import type { Logger } from './log.ts';
import type { KeyValueStorage } from './storage.ts';

export interface RecordKind<T> {
  /** For logs: what the record holds. */
  name: string;
  version: number;
  schema: z.ZodType<T>;
  /**
   * `migrations[n]` turns data of version n into version n + 1. Version 0 is a record written
   * before records had versions (the bare data).
   */
  migrations: Record<number, (data: unknown) => unknown>;
}

/** Version 1 of a kind of record; version 0, from before records had versions, has the same shape. */
export function firstVersion<T>(name: string, schema: z.ZodType<T>): RecordKind<T> {
  return { name, version: 1, schema, migrations: { 0: (data) => data } };
}

interface Versioned {
  v: number;
  data: unknown;
}

const isVersioned = (raw: unknown): raw is Versioned =>
  typeof raw === 'object' &&
  raw !== null &&
  Number.isSafeInteger((raw as { v?: unknown }).v) &&
  'data' in raw &&
  Object.keys(raw).length === 2;

type Outcome<T> = { value: T; drop?: undefined } | { value?: undefined; drop: boolean };

export class Records<T> {
  /** Newer records already reported, so reading them again (a reload) does not report them again. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly kind: RecordKind<T>,
    private readonly log: Logger,
  ) {}

  /** The record at `key`, migrated; undefined when missing, unreadable (then deleted) or newer. */
  async read(key: string): Promise<T | undefined> {
    const outcome = this.decode(key, await this.storage.get(key));
    if (outcome.drop) await this.storage.delete(key);
    return outcome.value;
  }

  /** Every readable record under `prefix`, by key; unreadable ones are deleted as they are found. */
  async readAll(prefix: string): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const [key, raw] of await this.storage.entries(prefix)) {
      const outcome = this.decode(key, raw);
      if (outcome.value !== undefined) found.set(key, outcome.value);
      else if (outcome.drop) await this.storage.delete(key);
    }
    return found;
  }

  write(key: string, value: T): Promise<void> {
    return this.storage.set(key, { v: this.kind.version, data: value } satisfies Versioned);
  }

  private decode(key: string, raw: unknown): Outcome<T> {
    if (raw === undefined) return { drop: false };
    let version = isVersioned(raw) ? raw.v : 0;
    let data = isVersioned(raw) ? raw.data : raw;
    if (version > this.kind.version) {
      if (this.reported.has(key)) return { drop: false };
      this.reported.add(key);
      this.log.warn(`a stored ${this.kind.name} is from a newer version of the app; it was left alone`, {
        key,
        version,
      });
      return { drop: false };
    }
    try {
      for (; version < this.kind.version; version++) {
        const migrate = this.kind.migrations[version];
        if (!migrate) throw new Error(`no migration from version ${version}`);
        data = migrate(data);
      }
    } catch (err) {
      this.log.error(`a stored ${this.kind.name} could not be migrated; it was dropped`, {
        key,
        error: err instanceof Error ? err.message : String(err),
      });
      return { drop: true };
    }
    const parsed = this.kind.schema.safeParse(data);
    if (parsed.success) return { value: parsed.data };
    this.log.error(`a stored ${this.kind.name} could not be read; it was dropped`, {
      key,
      issues: issuesOf(parsed.error),
    });
    return { drop: true };
  }
}
