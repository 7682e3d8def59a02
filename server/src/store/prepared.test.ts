// Queries compiled once: every run gets its own values in the right places, on the database the
// suite runs on (SQLite or PostgreSQL), inside transactions too, and values never leak between runs.
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { fixedStatement, prepared } from './prepared.ts';

const { server } = useTestServer();

const valueOf = prepared((db, v: { key: string }) =>
  db.selectFrom('server_meta').select(['key', 'value']).where('key', '=', v.key),
);
const insertPair = prepared((db, v: { key: string; value: string }) =>
  db.insertInto('server_meta').values({ key: v.key, value: v.value }),
);
// A constant beside the values (`like`), and the values in another order than they are declared.
const renameWhere = prepared((db, v: { value: string; prefix: string; key: string }) =>
  db
    .updateTable('server_meta')
    .set({ value: v.value })
    .where('key', 'like', 'prep-%')
    .where('key', '=', v.key)
    .where('value', 'like', v.prefix)
    .returning(['key', 'value']),
);

describe('prepared queries', () => {
  it('puts each run’s values in their places, beside the constants of the query', async () => {
    const db = server.ctx.db;
    await insertPair.execute(db, { key: 'prep-a', value: 'one' });
    await insertPair.execute(db, { key: 'prep-b', value: 'two' });
    expect(await valueOf.first(db, { key: 'prep-a' })).toEqual({ key: 'prep-a', value: 'one' });
    expect(await valueOf.first(db, { key: 'prep-b' })).toEqual({ key: 'prep-b', value: 'two' });
    expect(await valueOf.first(db, { key: 'prep-none' })).toBeUndefined();

    expect(await renameWhere.rows(db, { key: 'prep-b', prefix: 't%', value: 'deux' })).toEqual([
      { key: 'prep-b', value: 'deux' },
    ]);
    // The prefix no longer matches: nothing changes.
    expect(await renameWhere.rows(db, { key: 'prep-b', prefix: 't%', value: 'zwei' })).toEqual([]);
    expect(await valueOf.first(db, { key: 'prep-b' })).toEqual({ key: 'prep-b', value: 'deux' });
  });

  it('runs inside a transaction and its savepoints, and rolls back with them', async () => {
    const db = server.ctx.db;
    await db.transaction().execute(async (trx) => {
      await insertPair.execute(trx, { key: 'prep-kept', value: 'kept' });
      await trx.executeQuery(fixedStatement('savepoint prep'));
      await insertPair.execute(trx, { key: 'prep-undone', value: 'undone' });
      expect(await valueOf.first(trx, { key: 'prep-undone' })).toEqual({
        key: 'prep-undone',
        value: 'undone',
      });
      await trx.executeQuery(fixedStatement('rollback to savepoint prep'));
      await trx.executeQuery(fixedStatement('release savepoint prep'));
    });
    expect(await valueOf.first(db, { key: 'prep-kept' })).toEqual({ key: 'prep-kept', value: 'kept' });
    expect(await valueOf.first(db, { key: 'prep-undone' })).toBeUndefined();
  });

  it('fails a run like the same query built anew (a unique key taken), and the next run works', async () => {
    const db = server.ctx.db;
    await insertPair.execute(db, { key: 'prep-unique', value: 'first' });
    await expect(insertPair.execute(db, { key: 'prep-unique', value: 'second' })).rejects.toThrow();
    await expect(
      db.insertInto('server_meta').values({ key: 'prep-unique', value: 'second' }).execute(),
    ).rejects.toThrow();
    await insertPair.execute(db, { key: 'prep-unique-2', value: 'second' });
    expect(await valueOf.first(db, { key: 'prep-unique' })).toEqual({ key: 'prep-unique', value: 'first' });
    expect(await valueOf.first(db, { key: 'prep-unique-2' })).toEqual({
      key: 'prep-unique-2',
      value: 'second',
    });
  });
});
