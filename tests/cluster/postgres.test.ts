// A node's connections to PostgreSQL when PostgreSQL ends one (a restart, a failover, an operator's
// pg_terminate_backend): whatever was using it fails with an error the server answers as
// `unavailable`, the process carries on, and the pool connects again.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresPool } from '../../server/src/store/database.ts';
import { isDatabaseUnavailable } from '../../server/src/store/dialect.ts';
import { createSharedDatabase } from '../support/postgres.ts';

describe('a connection PostgreSQL ends', () => {
  it('while a transaction holds it, between queries: no crash, the next query fails as unavailable, the pool goes on', async () => {
    const url = await createSharedDatabase();
    const pool = postgresPool(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const held = await pool.connect();
      await held.query('begin');
      const { rows } = await held.query<{ pid: number }>('select pg_backend_pid() as pid');
      const ended = new Promise((resolve) => held.once('end', resolve));
      // Nothing is running on it when it goes: its error has no query to fail.
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await ended;
      const failure = await held.query('select 1').then(
        () => null,
        (err: unknown) => err,
      );
      expect(isDatabaseUnavailable(failure)).toBe(true);
      held.release(failure as Error);
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
