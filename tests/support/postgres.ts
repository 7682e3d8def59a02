// A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temp directory, started
// with `pg_ctl` on a free loopback port (its unix socket in the same directory), a database per test
// server, stopped and deleted at the end. Debian's packages put the binaries in
// /usr/lib/postgresql/<major>/bin. PostgreSQL refuses to run as root: as root, the cluster runs as
// the unprivileged user `switchboard-test` (.ci/run creates it).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.ts';

const run = promisify(execFile);
export const TEST_OS_USER = 'switchboard-test';

export interface PostgresCluster {
  port: number;
  /** A URL for `database` (the maintenance database `postgres` when left out). */
  url(database?: string): string;
  /** Creates a new, empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server as an operator's restart would (fast shutdown), without starting it again. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port and data. */
  startServer(): Promise<void>;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0)
    throw new Error(
      'PostgreSQL is not installed: apt-get install postgresql (the tests start their own cluster)',
    );
  return path.join(root, majors[0]!, 'bin');
}

/** Runs a PostgreSQL program, as the unprivileged test user when this process is root. */
async function pgRun(program: string, args: string[]): Promise<string> {
  const bin = path.join(postgresBinDir(), program);
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', TEST_OS_USER, '--', bin, ...args]] : [bin, args];
  try {
    const { stdout } = await run(file, argv, { timeout: 60_000 });
    return stdout;
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`${program} failed: ${stderr || stdout || (err as Error).message}`);
  }
}

function prepareDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-pg-'));
  if (process.getuid?.() === 0) {
    let uid: number;
    let gid: number;
    try {
      const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
      const entry = passwd.find((line) => line.startsWith(`${TEST_OS_USER}:`))!.split(':');
      uid = Number(entry[2]);
      gid = Number(entry[3]);
    } catch {
      throw new Error(
        `PostgreSQL refuses to run as root: create the user it runs as with "useradd --system ${TEST_OS_USER}" (.ci/run does)`,
      );
    }
    fs.chownSync(dir, uid, gid);
  }
  return dir;
}

let databases = 0;

export async function startPostgres(options: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const dir = prepareDir();
  const data = path.join(dir, 'data');
  // C.UTF-8: code point order for names, and a character classification that knows Hangul, kana
  // and Han as letters (pg_trgm and the text search parser need it for CJK search).
  await pgRun('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  let port = 0;
  const options_ = () =>
    [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c max_connections=${options.maxConnections ?? 300}`,
      // Throwaway data: no flushes to disk. Commits still wait for the WAL write, as in production.
      '-c fsync=off',
      '-c full_page_writes=off',
    ].join(' ');
  const startServer = async () => {
    await pgRun('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      options_(),
      'start',
    ]);
  };
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await startServer();
      break;
    } catch (err) {
      // Someone took the port between freePort and the start: pick another.
      if (attempt >= 3) throw err;
    }
  }
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const stopServer = () => pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).then(() => undefined);
  return {
    port,
    url,
    createDatabase: (prefix) => createDatabaseAt(url(), prefix),
    stopServer,
    startServer,
    async stop() {
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The shared cluster a Vitest run started (tests/support/services.global.ts), if any. */
export const SHARED_POSTGRES_ENV = 'SB_TEST_POSTGRES_URL';

/** A new database in the run's shared cluster; its URL. */
export async function createSharedDatabase(prefix = 'switchboard'): Promise<string> {
  const admin = process.env[SHARED_POSTGRES_ENV];
  if (!admin)
    throw new Error(
      `no shared PostgreSQL cluster: run under the "postgres" Vitest project, which starts one (${SHARED_POSTGRES_ENV})`,
    );
  return createDatabaseAt(admin, prefix);
}

/** Creates an empty database through the maintenance database at `adminUrl`; its URL. */
async function createDatabaseAt(adminUrl: string, prefix = 'switchboard'): Promise<string> {
  databases += 1;
  const name = `${prefix}_${process.pid}_${databases}_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
