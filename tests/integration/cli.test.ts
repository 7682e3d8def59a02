// The built CLI in child processes, beside a server process on the same data dir (SQLite WAL):
// standard input, real exit codes and output as an operator sees them.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, me, SERVER_CLI, spawnServer, tempDir, type ServerProcess } from '../support/server.ts';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` with `input` on standard input. */
function runBuiltCli(args: string[], input = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchboard-server ${args.join(' ')} did not finish:\n${stdout}${stderr}`));
    }, 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('the built CLI while a server process runs on the same data dir', () => {
  let server: ServerProcess;
  let dataDir: string;
  /** The built CLI on the running server's data dir. */
  const onDataDir = (args: string[], input?: string) => runBuiltCli([...args, '--data-dir', dataDir], input);

  beforeAll(async () => {
    dataDir = tempDir();
    server = await spawnServer(['--port', '0', '--data-dir', dataDir]);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('--help exits 0 and names the subcommands; bad flags exit 1 with a message', async () => {
    const help = await runBuiltCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'config', 'user', 'token', 'invite'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const bad = await runBuiltCli(['--prot', '8080']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error [bad_request]: unknown option '--prot'");
  });

  it('user add --password-stdin creates a user the running server signs in at once', async () => {
    const added = await onDataDir(
      ['user', 'add', 'alice', '--admin', '--password-stdin'],
      'alice-first-password\n',
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/^created admin alice \(id \S+\)\n$/);
    const res = await login(server.url, 'alice', 'alice-first-password');
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'alice', isAdmin: true });

    const duplicate = await onDataDir(['user', 'add', 'alice', '--password-stdin'], 'another-password\n');
    expect(duplicate).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error [conflict]: the username "alice" is taken\n',
    });
  });

  it('refuses a missing or too-short password on standard input', async () => {
    const empty = await onDataDir(['user', 'add', 'bob', '--password-stdin'], '');
    expect(empty).toMatchObject({ code: 1, stderr: 'error [bad_request]: no password on standard input\n' });
    const short = await onDataDir(['user', 'add', 'bob', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^error \[validation_failed\]: .*at least 8 characters/);
    const { token } = (await login(server.url, 'alice', 'alice-first-password')).body;
    const users = (await api(server.url, 'GET', '/api/v1/users', { token })).body.users as {
      username: string;
    }[];
    expect(users.map((u) => u.username)).toEqual(['alice']);
  });

  it('token create --expires prints a token the running server accepts; token revoke ends it', async () => {
    const created = await onDataDir([
      'token',
      'create',
      'alice',
      '--label',
      'deploy bot',
      '--expires',
      '30d',
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const id = /^token id (\S+) for alice, expires (\S+)$/m.exec(created.stderr)?.[1];
    expect(id).toBeDefined();
    const who = await me(server.url, token);
    expect(who.status).toBe(200);
    expect(who.body.username).toBe('alice');

    expect(await onDataDir(['token', 'revoke', id!])).toMatchObject({
      code: 0,
      stdout: `revoked ${id}\n`,
    });
    const after = await me(server.url, token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('user passwd --password-stdin ends sessions and their tokens; --revoke-all-tokens ends every token', async () => {
    const session = (await login(server.url, 'alice', 'alice-first-password')).body.token as string;
    const minted = await api(server.url, 'POST', '/api/v1/tokens', {
      token: session,
      json: { label: 'web' },
    });
    const access = (await onDataDir(['token', 'create', 'alice'])).stdout.trim();
    expect((await me(server.url, session)).status).toBe(200);

    const changed = await onDataDir(
      ['user', 'passwd', 'alice', '--password-stdin'],
      'alice-second-password\r\n',
    );
    expect(changed.code).toBe(0);
    // Earlier tests signed alice in too: their sessions end with this one.
    expect(changed.stdout).toMatch(
      /^password changed for alice; revoked \d+ tokens: their sign-in sessions and the access tokens made with them\n$/,
    );
    expect((await me(server.url, session)).status).toBe(401);
    expect((await me(server.url, minted.body.token)).status).toBe(401);
    expect((await me(server.url, access)).status).toBe(200);
    expect((await login(server.url, 'alice', 'alice-first-password')).status).toBe(401);
    expect((await login(server.url, 'alice', 'alice-second-password')).status).toBe(200);

    const everything = await onDataDir(
      ['user', 'passwd', 'alice', '--password-stdin', '--revoke-all-tokens'],
      'alice-third-password\n',
    );
    expect(everything).toMatchObject({
      code: 0,
      stdout: 'password changed for alice; revoked 2 tokens: every token they had\n',
    });
    expect((await me(server.url, access)).status).toBe(401);

    // All of the above wrote to the database the server process had open; it never stopped serving.
    expect(server.child.exitCode).toBeNull();
    expect((await api(server.url, 'GET', '/healthz')).body.status).toBe('ok');
  });
});
