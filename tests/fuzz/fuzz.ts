// Shared pieces of the fuzz tests: a seeded PRNG (so a failing run can be replayed), generators of
// hostile values, and a snapshot of the whole database to prove that rejected input changed nothing.
import { ERROR_CODES, isErrorCode, type User } from '@switchboard/protocol';
import type { Store } from '../../server/src/store/database.ts';
import type { Database } from '../../server/src/store/schema.ts';
import { createUser, type TestServer } from '../support/server.ts';

/** Fixed by default so runs are comparable; `SWITCHBOARD_FUZZ_SEED=<n>` replays or varies a run. */
export function fuzzSeed(file: string): number {
  const fromEnv = process.env.SWITCHBOARD_FUZZ_SEED;
  const seed = fromEnv ? Number(fromEnv) >>> 0 : 0x5b0a_2d17;
  console.log(`${file}: fuzz seed ${seed} (replay with SWITCHBOARD_FUZZ_SEED=${seed})`);
  return seed;
}

const BUDGET_MS = 11_000;
const HARD_LIMIT_MS = 25_000;
const MAX_STEPS = 50_000;
/** Steps a run takes even on a loaded machine (within HARD_LIMIT_MS); the fuzz tests assert on a share. */
export const MIN_STEPS = 300;

/**
 * Whether to take another step, timed from this call: fuzz for BUDGET_MS; on a loaded machine keep
 * going (up to HARD_LIMIT_MS) until MIN_STEPS are done.
 */
export function fuzzBudget(): (step: number) => boolean {
  const started = Date.now();
  return (step) => {
    const elapsed = Date.now() - started;
    return step < MAX_STEPS && elapsed < HARD_LIMIT_MS && (elapsed < BUDGET_MS || step < MIN_STEPS);
  };
}

/** mulberry32: small, fast and good enough to spread inputs; not for anything secret. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let roll = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }
}

export const HOSTILE_NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  -2.5,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER - 1,
  2 ** 64,
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\t\n',
  'a',
  '0',
  '-1',
  '1.5',
  '1e999',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u200b',
  '💥🚀',
  'ǅǈ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  '%00%2e%2e',
  "'; drop table messages; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'general',
  'admin',
  'public',
  'private',
  'direct',
  'x'.repeat(63),
  'x'.repeat(64),
  'x'.repeat(65),
  'y'.repeat(501),
  'z'.repeat(8001),
  '👍',
  '❤',
  ':tada:',
  'tada',
  '👍🏽',
  '개발팀 공지',
];

/** Field names the schemas use, plus keys that try to reach Object.prototype. */
export const HOSTILE_KEYS = [
  'channelId',
  'clientId',
  'messageId',
  'userId',
  'text',
  'name',
  'visibility',
  'topic',
  'seq',
  'after',
  'before',
  'limit',
  'epoch',
  'cursors',
  'username',
  'password',
  'isAdmin',
  'label',
  'expiresInDays',
  'uses',
  'parentId',
  'alsoInChannel',
  'displayName',
  'purpose',
  'archived',
  'emoji',
  'cursor',
  '__proto__',
  'constructor',
  'prototype',
  '',
  '0',
];

/** Sets an own, enumerable property even for `__proto__`, so JSON.stringify sends it. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Any JSON-ish value: scalars from the hostile lists, ids the server knows, arrays and objects. */
export function junk(rng: Random, knownIds: readonly string[], depth = 0): unknown {
  const kind = rng.weighted({
    null: 1,
    bool: 1,
    number: 3,
    string: 4,
    id: 2,
    array: depth < 3 ? 2 : 0,
    object: depth < 3 ? 3 : 0,
  });
  switch (kind) {
    case 'null':
      return null;
    case 'bool':
      return rng.chance(0.5);
    case 'number':
      return rng.chance(0.8) ? rng.pick(HOSTILE_NUMBERS) : rng.int(1000) - 10;
    case 'string':
      return rng.pick(HOSTILE_STRINGS);
    case 'id':
      return rng.pick(knownIds);
    case 'array':
      return Array.from({ length: rng.int(4) }, () => junk(rng, knownIds, depth + 1));
    case 'object': {
      const value: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        setOwn(value, rng.pick(HOSTILE_KEYS), junk(rng, knownIds, depth + 1));
      return value;
    }
  }
}

/**
 * A near-valid payload: the valid `template` with one or two fields broken, dropped, or added. These
 * get past the first type check and reach the deeper rules; some may still be valid.
 */
export function mutate(
  rng: Random,
  template: Record<string, unknown>,
  knownIds: readonly string[],
): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) setOwn(value, k, v);
  for (let i = 1 + rng.int(2); i > 0; i--) {
    const keys = Object.keys(value);
    const op = rng.weighted({ replace: 5, drop: 2, add: 2 });
    if (op === 'replace' && keys.length > 0) setOwn(value, rng.pick(keys), junk(rng, knownIds));
    else if (op === 'drop' && keys.length > 0) delete value[rng.pick(keys)];
    else setOwn(value, rng.pick(HOSTILE_KEYS), junk(rng, knownIds));
  }
  return value;
}

/** A value nested `depth` levels deep, as JSON text (the client's own JSON.stringify would overflow). */
export function deeplyNestedJson(rng: Random, depth: number): string {
  return rng.chance(0.5)
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Checks an error body: a known code other than `internal`, and a message a person can read. */
export function errorProblem(error: unknown): string | null {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return `error is not an object: ${preview(error)}`;
  if (!isErrorCode(e.code)) return `unknown error code ${preview(e.code)}`;
  if (e.code === 'internal' || ERROR_CODES[e.code] >= 500)
    return `server-side error ${e.code}: ${preview(e.message)}`;
  if (typeof e.message !== 'string' || e.message.length === 0) return `error ${e.code} without a message`;
  return null;
}

export function preview(value: unknown, max = 160): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Every table, so the compiler points here when one is added. */
const TABLES: Record<keyof Database, true> = {
  users: true,
  tokens: true,
  channels: true,
  channel_members: true,
  messages: true,
  mentions: true,
  invites: true,
  user_preferences: true,
  server_meta: true,
  password_resets: true,
  files: true,
  thread_follows: true,
  reactions: true,
  topics: true,
  topic_messages: true,
  topic_access: true,
  topic_follows: true,
};

/** Every row of every table, in a stable order: equal snapshots mean nothing was written. */
export async function snapshot(db: Store): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of Object.keys(TABLES) as (keyof Database)[]) {
    const rows = await db.selectFrom(table).selectAll().execute();
    result[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return result;
}

/** Which tables differ between two snapshots, for a readable failure. */
export function snapshotDiff(
  before: Record<string, string[]>,
  after: Record<string, string[]>,
): string | null {
  const changed = Object.keys(before).filter((t) => before[t]!.join('\n') !== after[t]!.join('\n'));
  if (changed.length === 0) return null;
  return changed
    .map((t) => {
      const added = after[t]!.filter((r) => !before[t]!.includes(r));
      const removed = before[t]!.filter((r) => !after[t]!.includes(r));
      return `${t}: +${preview(added)} -${preview(removed)}`;
    })
    .join('; ');
}

/**
 * The world both fuzzers start from: alice (who fuzzes), bob, an admin and a victim; public, private
 * and direct channels, some visible to alice and some not; live and deleted messages. `ids` lists
 * every channel, message and user id, so fuzzed payloads hit real rows as well as missing ones.
 */
export async function seedWorld(server: TestServer) {
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  const root = await createUser(server, 'root', { isAdmin: true });
  const victim = await createUser(server, 'victim');
  const { channels, messages } = server.ctx;
  // Every account joins the server's first channel, #general.
  const general = (await channels.summariesFor(alice.user.id)).find((c) => c.name === 'general')!;
  const bobsPublic = await channels.create(bob.user, { name: 'bobs', visibility: 'public' });
  const secret = await channels.create(bob.user, { name: 'secret', visibility: 'private' });
  const team = await channels.create(alice.user, { name: 'team', visibility: 'private' });
  await channels.invite(alice.user, team.id, bob.user.id);
  const direct = await channels.openDirect(alice.user, bob.user.id);
  const send = (u: User, channelId: string, n: number) =>
    messages.send(u, { channelId, clientId: `seed-${u.username}-${n}`, text: `seed ${n} @bob` });
  const aliceMsg = await send(alice.user, general.id, 1);
  const deleted = await send(alice.user, general.id, 2);
  await messages.delete(alice.user, deleted.id);
  const bobMsg = await send(bob.user, general.id, 3);
  const secretMsg = await send(bob.user, secret.id, 4);
  await send(alice.user, direct.id, 5);
  // A thread with a reaction, in a channel named in another script, and an archived channel.
  const reply = await messages.send(bob.user, {
    channelId: general.id,
    clientId: 'seed-reply-6',
    text: 'seed reply @alice',
    parentId: aliceMsg.id,
  });
  await server.ctx.reactions.set(bob.user, aliceMsg.id, '🎉', true);
  const korean = await channels.create(alice.user, { displayName: '개발팀', visibility: 'public' });
  const archived = await channels.create(alice.user, { name: 'old', visibility: 'public' });
  await channels.update(alice.user, { channelId: archived.id, archived: true });

  const channelIds = [general, bobsPublic, secret, team, direct, korean, archived].map((c) => c.id);
  const messageIds = [aliceMsg, deleted, bobMsg, secretMsg, reply].map((m) => m.id);
  const userIds = [alice, bob, root, victim].map((u) => u.user.id);
  return {
    users: { alice, bob, root, victim },
    channels: { general, bobsPublic, secret, team, direct, korean, archived },
    messages: { aliceMsg, deleted, bobMsg, secretMsg, reply },
    channelIds,
    messageIds,
    ids: [...channelIds, ...messageIds, ...userIds],
  };
}
