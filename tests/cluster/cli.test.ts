// The command-line tools against PostgreSQL: the same commands as on SQLite, given --database-url
// (here through SWITCHBOARD_DATABASE_URL, as an operator keeps a password out of the process list).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVER_CLI, tempDir } from '../support/server.ts';
import { createSharedDatabase } from '../support/postgres.ts';

function cli(databaseUrl: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [SERVER_CLI, ...args], {
    env: { ...process.env, SWITCHBOARD_DATABASE_URL: databaseUrl, SWITCHBOARD_DATA_DIR: tempDir() },
    input: 'a-long-enough-password\n',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the CLI on PostgreSQL', () => {
  it('creates and lists users and tokens in the database the nodes share', async () => {
    const databaseUrl = await createSharedDatabase();
    expect(cli(databaseUrl, 'user', 'add', 'admin', '--admin', '--password-stdin')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^created admin admin \(id /),
    });
    const token = cli(databaseUrl, 'token', 'create', 'admin', '--label', 'ci');
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^sb_/);
    const listed = cli(databaseUrl, 'user', 'list');
    expect(listed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^admin\tadmin\t/) });
  });

  it('refuses backup and restore and points to pg_dump; config masks the password in the URL', async () => {
    const databaseUrl = (await createSharedDatabase()).replace('postgres@', 'postgres:s3cret@');
    for (const command of ['backup', 'restore']) {
      const refused = cli(databaseUrl, command, `${tempDir()}/copy.db`);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^error \[bad_request\]: the database is PostgreSQL: back it up with pg_dump/,
      );
    }
    const shown = cli(databaseUrl, 'config', '--redis-url', 'redis://:hunter2@127.0.0.1:6379');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      databaseUrl: expect.stringMatching(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\//),
      redisUrl: 'redis://:***@127.0.0.1:6379',
    });
    expect(shown.stdout).not.toMatch(/s3cret|hunter2/);
  });
});
