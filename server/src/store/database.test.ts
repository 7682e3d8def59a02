// The store reuses prepared statements: results must stay right when the same SQL runs again, after a
// stream of it was abandoned midway, and when the cache is full and evicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { tempDir } from '../../../tests/support/server.ts';
import { openStore, type Store } from './database.ts';

let dataDir: string;
let db: Store;

beforeAll(async () => {
  dataDir = tempDir();
  db = await openStore({ dataDir, durability: 'standard' });
  await db
    .insertInto('server_meta')
    .values(
      Array.from({ length: 20 }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, value: String(i) })),
    )
    .execute();
});

afterAll(async () => {
  await db.destroy();
});

const keysFrom = (rows: { key: string }[]) => rows.map((r) => r.key).filter((k) => /^k\d+$/.test(k));

describe('prepared statement reuse', () => {
  it('gives each run of the same query its own parameters and fresh results', async () => {
    const valueOf = (key: string) =>
      db.selectFrom('server_meta').select('value').where('key', '=', key).executeTakeFirst();
    expect(await valueOf('k03')).toEqual({ value: '3' });
    expect(await valueOf('k07')).toEqual({ value: '7' });
    await db.updateTable('server_meta').set({ value: 'changed' }).where('key', '=', 'k03').execute();
    expect(await valueOf('k03')).toEqual({ value: 'changed' });
  });

  it('runs a query again after a stream of the same query was abandoned midway', async () => {
    const query = () => db.selectFrom('server_meta').select('key').where('key', 'like', 'k%').orderBy('key');
    const streamed: string[] = [];
    for await (const row of query().stream()) {
      streamed.push(row.key);
      if (streamed.length === 5) break;
    }
    expect(streamed).toEqual(['k00', 'k01', 'k02', 'k03', 'k04']);
    expect(keysFrom(await query().execute())).toHaveLength(20);
  });

  it('keeps answering correctly after more distinct statements than the cache holds', async () => {
    for (let n = 1; n <= 600; n++) {
      const { rows } = await sql<{ n: number }>`select ${sql.lit(n)} as n`.execute(db);
      expect(rows[0]!.n).toBe(n);
    }
    const rows = await db
      .selectFrom('server_meta')
      .select('key')
      .where('key', 'in', ['k01', 'k02'])
      .execute();
    expect(keysFrom(rows)).toEqual(['k01', 'k02']);
  });
});
