import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { api, login, me, tempDir } from '../../../tests/support/server.ts';
import { envName, flagName, SETTING_NAMES } from '../config.ts';
import { SERVER_VERSION } from '../version.ts';
import { runCli } from './program.ts';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, capturing what it prints (console and commander's direct writes). */
async function cli(...args: string[]): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(`${format(...a)}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(`${format(...a)}\n`)),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0),
  ];
  try {
    const code = await runCli([process.execPath, 'switchboard-server', ...args]);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('help and usage errors', () => {
  it('--help exits 0, names every command and lists every setting of the default command', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['serve', 'config', 'user', 'token', 'invite', 'access'])
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(stdout).toContain('--password-stdin');
    for (const name of SETTING_NAMES) {
      expect(stdout).toMatch(new RegExp(`^\\s+${flagName(name)}\\b`, 'm'));
      expect(stdout).toContain(envName(name));
    }
    expect(stdout).toMatch(/^\s+-c, --config <file>/m);
    expect(stdout).toContain('switchboard-server <command> --help');
  });

  it('each group lists its subcommands, and serve --help every setting with its env var', async () => {
    const user = await cli('user', '--help');
    expect(user.code).toBe(0);
    for (const sub of ['add', 'list', 'remove', 'passwd'])
      expect(user.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    const token = await cli('token', '--help');
    for (const sub of ['create', 'list', 'revoke'])
      expect(token.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    const serve = await cli('serve', '--help');
    expect(serve.code).toBe(0);
    for (const name of SETTING_NAMES) {
      expect(serve.stdout).toContain(flagName(name));
      expect(serve.stdout).toContain(envName(name));
    }
    const create = await cli('token', 'create', '--help');
    for (const flag of ['--label', '--expires', '--data-dir', '--config'])
      expect(create.stdout).toContain(flag);
  });

  it('--version prints the version', async () => {
    expect(await cli('--version')).toMatchObject({ code: 0, stdout: `${SERVER_VERSION}\n` });
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    // serve is the default command: an unknown command must not be read as serve's argument.
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['user', 'frob'], "unknown command 'frob'"],
    [['user', 'add'], "missing required argument 'username'"],
    [['token', 'create', 'alice', '--label'], "option '--label <text>' argument missing"],
    // Account commands take the storage settings only: a port means nothing to them.
    [['user', 'list', '--port', '8080'], "unknown option '--port'"],
  ])('%j exits 1 with a clear message', async (args, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error \[bad_request\]: /);
    expect(stderr).toContain(message);
    expect(stderr).toContain('--help');
  });

  it('reports invalid settings with their source and code, never a stack', async () => {
    const dataDir = tempDir();
    const flag = await cli('config', '--port', '70000');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/^error \[validation_failed\]: --port: invalid value "70000"/);
    vi.stubEnv('SWITCHBOARD_DURABILITY', 'maybe');
    const env = await cli('user', 'list', '--data-dir', dataDir);
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/^error \[validation_failed\]: SWITCHBOARD_DURABILITY: invalid value "maybe"/);
    expect(env.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('config', () => {
  it('prints the effective configuration: file < env < flags, secrets masked', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'switchboard.yaml');
    fs.writeFileSync(
      file,
      'port: 1001\nregistration: invite\nlogLevel: warn\ndatabaseUrl: "sqlite://ops:file-secret@localhost/chat.db"\ndataDir: ./from-file\n',
    );
    vi.stubEnv('SWITCHBOARD_PORT', '2002');
    vi.stubEnv('SWITCHBOARD_LOG_LEVEL', 'debug');
    const { code, stdout } = await cli('config', '-c', file, '--port', '3003', '--trust-proxy');
    expect(code).toBe(0);
    const shown = JSON.parse(stdout);
    expect(shown).toMatchObject({
      configFile: file,
      port: 3003,
      logLevel: 'debug',
      registration: 'invite',
      trustProxy: true,
      databaseUrl: 'sqlite://ops:***@localhost/chat.db',
      dataDir: path.resolve('from-file'),
      durability: 'standard',
    });
    expect(stdout).not.toContain('file-secret');
  });

  it('finds the file through SWITCHBOARD_CONFIG and masks secrets from flags too', async () => {
    const file = path.join(tempDir(), 'switchboard.json');
    fs.writeFileSync(file, JSON.stringify({ registration: 'open', retentionDays: 90 }));
    vi.stubEnv('SWITCHBOARD_CONFIG', file);
    const { code, stdout } = await cli('config', '--database-url', 'sqlite://u:flag-secret@h/x.db');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      configFile: file,
      registration: 'open',
      retentionDays: 90,
      port: 8080,
      databaseUrl: 'sqlite://u:***@h/x.db',
    });
    expect(stdout).not.toContain('flag-secret');
  });

  it('takes a redis:// URL with its password masked, and refuses any other scheme with a clear error', async () => {
    const taken = await cli('config', '--redis-url', 'redis://:secret@cache:6379');
    expect(taken.code).toBe(0);
    expect(JSON.parse(taken.stdout)).toMatchObject({ redisUrl: 'redis://:***@cache:6379' });
    expect(taken.stdout).not.toContain('secret');
    const refused = await cli('config', '--redis-url', 'http://cache:6379');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error \[validation_failed\]: --redis-url: invalid value "http:\/\/cache:6379" — expected redis:\/\//,
    );
  });
});

describe('user, token and invite commands against a running server on the same data dir', () => {
  const dataDir = tempDir();
  const { server } = useTestServer({ registration: 'invite', dataDir });
  /** The CLI on the running server's data dir. */
  const onDataDir = (...args: string[]) => cli(...args, '--data-dir', dataDir);

  it('commands that read refuse a data dir without a database, and create nothing there', async () => {
    const typo = path.join(tempDir(), 'switchbaord-data');
    for (const args of [
      ['user', 'list'],
      ['token', 'list'],
      ['access', 'list'],
      ['user', 'remove', 'alice'],
    ]) {
      const { code, stderr } = await cli(...args, '--data-dir', typo);
      expect(code, args.join(' ')).toBe(1);
      expect(stderr).toBe(
        `error [not_found]: there is no Switchboard database at ${path.join(typo, 'switchboard.db')}: check --data-dir (the server creates it when it first starts)\n`,
      );
    }
    expect(fs.existsSync(typo)).toBe(false);
  });

  it('user list on a new database says so', async () => {
    const empty = tempDir();
    // The first commands on a new server may create its database: rules for everyone, the first admin.
    expect((await cli('access', 'set', 'everyone', 'alerts', 'ro', '--data-dir', empty)).code).toBe(0);
    expect(await cli('user', 'list', '--data-dir', empty)).toMatchObject({
      code: 0,
      stdout: 'no users yet\n',
    });
    expect(await cli('user', 'list', '--json', '--data-dir', empty)).toMatchObject({
      code: 0,
      stdout: '[]\n',
    });
  });

  it('serve on a port already taken says so and what to do, and leaves nothing running', async () => {
    const port = new URL(server.url).port;
    const args = [
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      port,
      '--data-dir',
      tempDir(),
      '--log-level',
      'silent',
    ];
    const { code, stderr } = await cli(...args);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error [conflict]: 127.0.0.1:${port} is in use by another program: stop it, or choose another port with --port (0 takes any free one)\n`,
    );
    // The server that had the port still answers.
    expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('user add without --password-stdin prints a generated password that signs in', async () => {
    const { code, stdout } = await onDataDir('user', 'add', 'alice', '--admin');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^created admin alice \(id [0-9a-f-]{36}\)\n/);
    const password = /^password: (\S+)$/m.exec(stdout)?.[1];
    expect(password).toBeDefined();
    const res = await login(server.url, 'alice', password!);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'alice', isAdmin: true });
    const again = await onDataDir('user', 'add', 'bob');
    expect(again.stdout).toMatch(/^created user bob /);
    expect(/^password: (\S+)$/m.exec(again.stdout)?.[1]).not.toBe(password);
  });

  it('a taken username fails with its code and exit code 1', async () => {
    const { code, stdout, stderr } = await onDataDir('user', 'add', 'alice');
    expect(code).toBe(1);
    expect(stderr).toBe('error [conflict]: the username "alice" is taken\n');
    expect(stdout).toBe('');
  });

  it('an invalid username fails before touching the database', async () => {
    const { code, stderr } = await onDataDir('user', 'add', 'Not Valid!');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error \[validation_failed\]: .*usernames are/);
  });

  it('user list shows users as text and as JSON, without password hashes', async () => {
    const text = await onDataDir('user', 'list');
    expect(text.code).toBe(0);
    const rows = text.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['alice', 'admin'],
      ['bob', 'user'],
    ]);
    const json = await onDataDir('user', 'list', '--json');
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => [u.username, u.isAdmin])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
    expect(users[0]!.id).toBe(rows[0]![2]);
    expect(json.stdout).not.toMatch(/argon2|password/i);
  });

  it('user passwd insists on --password-stdin', async () => {
    const { code, stderr } = await onDataDir('user', 'passwd', 'alice');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error \[bad_request\]: .*--password-stdin/);
  });

  it('token create prints a working token once; token list never shows it; token revoke ends it', async () => {
    const created = await onDataDir('token', 'create', 'bob', '--label', 'backups', '--expires', '1h');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(created.stdout).toBe(`${token}\n`);
    const details = /^token id (\S+) for bob, expires (\S+)\n$/.exec(created.stderr);
    expect(details).not.toBeNull();
    const [, id, expires] = details!;
    expect(Math.abs(Date.parse(expires!) - (Date.now() + 3_600_000))).toBeLessThan(60_000);

    const who = await me(server.url, token);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ username: 'bob', isAdmin: false });

    const forever = await onDataDir('token', 'create', 'bob');
    expect(forever.stderr).toMatch(/never expires/);
    const foreverToken = forever.stdout.trim();

    const listed = await onDataDir('token', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${id}\tbob\taccess\tchat\tactive\tbackups\n`);
    // A session's label is the device it signed in from: here Node's fetch.
    expect(listed.stdout).toMatch(/\talice\tsession\tchat,publish\tactive\tNode\.js\n/);
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).not.toContain(foreverToken);
    const onlyBob = await onDataDir('token', 'list', 'bob');
    expect(onlyBob.stdout.trim().split('\n')).toHaveLength(2);
    expect(onlyBob.stdout).not.toContain('alice');

    expect(await onDataDir('token', 'revoke', id!)).toMatchObject({
      code: 0,
      stdout: `revoked ${id}\n`,
    });
    expect((await me(server.url, token)).status).toBe(401);
    expect((await me(server.url, foreverToken)).status).toBe(200);
    expect((await onDataDir('token', 'list', 'bob')).stdout).toContain(
      `${id}\tbob\taccess\tchat\trevoked\tbackups`,
    );
    const twice = await onDataDir('token', 'revoke', id!);
    expect(twice).toMatchObject({ code: 1, stderr: 'error [not_found]: no such active token\n' });
  });

  it('prints stored text with control characters and bidi overrides escaped, never raw', async () => {
    // Written before labels were checked, or by another tool: printing it must still be safe.
    const hostile = '\u001b]0;owned\u0007\nforged\tline\u202e\u009b2J';
    const bob = await server.ctx.accounts.findByUsername('bob');
    const issued = await server.ctx.accounts.createToken(bob.id, { kind: 'access', label: 'plain' });
    await server.ctx.db.updateTable('tokens').set({ label: hostile }).where('id', '=', issued.id).execute();

    const listed = await onDataDir('token', 'list', 'bob');
    expect(listed.code).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(issued.id));
    expect(line?.split('\t').at(-1)).toBe('\\u001b]0;owned\\u0007\\u000aforged\\u0009line\\u202e\\u009b2J');
    expect(listed.stdout.replace(/[\t\n]/g, '')).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);

    const refused = await onDataDir('token', 'create', 'bob', '--label', 'a\u001b[2Jb');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[validation_failed\]: .*control characters/);
    expect(refused.stderr).not.toContain('\u001b');
  });

  it('token create --scope chooses what the token may do; token list shows it', async () => {
    const made = await onDataDir('token', 'create', 'bob', '--scope', 'publish', '--label', 'alerts');
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    const id = /^token id (\S+) /.exec(made.stderr)![1]!;
    expect((await onDataDir('token', 'list', 'bob')).stdout).toContain(
      `${id}\tbob\taccess\tpublish\tactive\talerts\n`,
    );
    expect((await me(server.url, token)).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/v1/channels', { token })).status).toBe(403);

    const both = await onDataDir('token', 'create', 'bob', '--scope', 'chat,publish');
    expect((await api(server.url, 'GET', '/api/v1/channels', { token: both.stdout.trim() })).status).toBe(
      200,
    );
    for (const scope of ['admin', '', 'chat,chat']) {
      const bad = await onDataDir('token', 'create', 'bob', '--scope', scope);
      expect(bad.code, scope).toBe(1);
      expect(bad.stderr).toMatch(/^error \[validation_failed\]: (--scope|scopes): /);
    }
  });

  it('access set, list and reset change who may publish, on the running server at once', async () => {
    await cli('user', 'add', 'topicuser', '--data-dir', dataDir);
    const made = await cli('token', 'create', 'topicuser', '--scope', 'publish', '--data-dir', dataDir);
    const token = made.stdout.trim();
    const publish = (topic: string, auth?: string) =>
      fetch(`${server.url}/${topic}`, {
        method: 'POST',
        body: 'hello',
        headers: auth ? { authorization: `Bearer ${auth}` } : {},
      }).then((res) => res.status);
    expect(await publish('alerts-db', token)).toBe(200);

    expect(await cli('access', 'set', 'topicuser', 'alerts-*', 'ro', '--data-dir', dataDir)).toMatchObject({
      code: 0,
      stdout: 'topicuser may now only read alerts-*\n',
    });
    expect(await publish('alerts-db', token)).toBe(403);
    expect(await publish('status', undefined)).toBe(401);
    await cli('access', 'set', 'everyone', 'status', 'write-only', '--data-dir', dataDir);
    expect(await publish('status', undefined)).toBe(200);

    const listed = await cli('access', 'list', '--data-dir', dataDir);
    expect(listed.stdout).toBe(
      'topicuser\talerts-*\tread-only\neveryone\tstatus\twrite-only\n' +
        'other topics: signed-in users read-write, anonymous deny; admins may do anything\n',
    );
    expect(JSON.parse((await cli('access', 'list', '--json', '--data-dir', dataDir)).stdout)).toEqual({
      rules: [
        { user: 'topicuser', pattern: 'alerts-*', permission: 'read-only' },
        { user: '*', pattern: 'status', permission: 'write-only' },
      ],
      defaults: { users: 'read-write', anonymous: 'deny' },
    });

    for (const bad of [
      ['topicuser', 'alerts-*', 'admin'],
      ['topicuser', 'bad topic', 'rw'],
    ]) {
      const refused = await cli('access', 'set', ...bad, '--data-dir', dataDir);
      expect(refused.code, bad.join(' ')).toBe(1);
      expect(refused.stderr).toMatch(/^error \[validation_failed\]/);
    }
    expect((await cli('access', 'set', 'nobody', 'x', 'rw', '--data-dir', dataDir)).stderr).toMatch(
      /^error \[not_found\]/,
    );

    expect(await cli('access', 'reset', 'topicuser', '--data-dir', dataDir)).toMatchObject({
      code: 0,
      stdout: 'removed 1 rule\n',
    });
    expect(await publish('alerts-db', token)).toBe(200);
    await cli('access', 'reset', 'everyone', 'status', '--data-dir', dataDir);
    expect(await publish('status', undefined)).toBe(401);
  });

  it('token create refuses bad durations and unknown users', async () => {
    const bad = await onDataDir('token', 'create', 'bob', '--expires', 'soon');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error \[validation_failed\]: "soon" is not a duration/);
    // A zero or negative lifetime is a mistake, not "never": nothing is created.
    const before = (await onDataDir('token', 'list', 'bob')).stdout;
    for (const expires of ['0m', '0d', '-1h']) {
      const refused = await onDataDir('token', 'create', 'bob', '--expires', expires);
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toMatch(
        /^error \[validation_failed\]: "-?[01][mdh]" is (no time at all|not a duration)/,
      );
    }
    expect((await onDataDir('token', 'list', 'bob')).stdout).toBe(before);
    const nobody = await onDataDir('token', 'create', 'nobody');
    expect(nobody).toMatchObject({ code: 1, stderr: 'error [not_found]: no user named "nobody"\n' });
  });

  it('invite create prints a code that registers an account, for admins only', async () => {
    const created = await onDataDir('invite', 'create', 'alice', '--uses', '1', '--expires', '1d');
    expect(created.code).toBe(0);
    const code = created.stdout.trim();
    // Without the server's public address it prints the code, and says how to get a link.
    expect(code).toMatch(/^inv_\S+$/);
    expect(created.stderr).toMatch(
      /^invite for 1 account, expires \S+\n.*--public-url.*\/\?invite=<code>\n$/,
    );
    const linked = await onDataDir('invite', 'create', 'alice', '--public-url', 'https://chat.example.com/');
    expect(linked.stdout).toMatch(/^https:\/\/chat\.example\.com\/\?invite=inv_\S+\n$/);
    const register = (username: string) =>
      api(server.url, 'POST', '/api/v1/auth/register', {
        json: { username, password: 'carol-long-password', invite: code },
      });
    const res = await register('carol');
    expect(res.status).toBe(201);
    expect(res.body.user.username).toBe('carol');
    expect((await register('dave')).status).toBeGreaterThanOrEqual(400); // one use only

    expect(await onDataDir('invite', 'create', 'bob')).toMatchObject({
      code: 1,
      stderr: 'error [forbidden]: bob is not an admin\n',
    });
    expect((await onDataDir('invite', 'create', 'alice', '--uses', '0')).stderr).toMatch(
      /^error \[validation_failed\]: --uses/,
    );
    expect((await onDataDir('invite', 'create', 'alice', '--expires', 'never')).stderr).toMatch(
      /invites must expire/,
    );
    for (const expires of ['0d', '-1h'])
      expect(await onDataDir('invite', 'create', 'alice', '--expires', expires)).toMatchObject({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(
          /^error \[validation_failed\]: "-?[01][dh]" is (no time at all|not a duration)/,
        ),
      });
  });

  it("backup copies the running server's database to a new private file, never over an old one", async () => {
    const file = path.join(tempDir(), 'switchboard-backup.db');
    const done = await onDataDir('backup', file);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(
      `backed up ${path.join(dataDir, 'switchboard.db')} to ${file} (${/\((\d+) pages\)/.exec(done.stdout)?.[1]} pages)\n` +
        `backed up 0 uploaded files (0 bytes) to ${file}.files\n`,
    );
    expect(fs.statSync(`${file}.files`).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = await onDataDir('backup', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \[conflict\]: .* exists: choose a new file/);
  });

  it('user remove deactivates the user and ends their tokens, keeping the account listed', async () => {
    const token = (await onDataDir('token', 'create', 'carol')).stdout.trim();
    expect((await me(server.url, token)).status).toBe(200);
    expect(await onDataDir('user', 'remove', 'carol')).toMatchObject({
      code: 0,
      stdout: 'deactivated carol: signed out everywhere; their messages stay\n',
    });
    expect((await me(server.url, token)).status).toBe(401);
    expect((await login(server.url, 'carol', 'carol-long-password')).status).toBe(401);
    expect((await onDataDir('user', 'list')).stdout).toMatch(/^carol\tuser \(deactivated\)\t/m);
    expect(await onDataDir('user', 'remove', 'carol')).toMatchObject({
      code: 1,
      stderr: 'error [conflict]: carol is already deactivated\n',
    });
    expect(await onDataDir('user', 'remove', 'nobody')).toMatchObject({
      code: 1,
      stderr: 'error [not_found]: no user named "nobody"\n',
    });
  });
});
