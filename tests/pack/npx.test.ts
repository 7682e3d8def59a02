// The install path a newcomer takes: `npm pack` the server workspace, then `npx` that tarball in an
// empty folder with a fresh npm cache. npm installs the dependencies from the registry (including
// better-sqlite3's native build), and the server must start, create its data dir and answer /healthz.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, REPO_ROOT, SERVER_CLI, tempDir } from '../support/server.ts';

/** npm install plus a from-source build of better-sqlite3 takes minutes on a slow machine. */
const INSTALL_TIMEOUT_MS = 420_000;

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let child: ChildProcess | undefined;
let gone: Promise<unknown> | undefined;

/**
 * Stops npx and the server it started. npx runs the bin through a shell, so the whole process group
 * it leads gets the signal; done once every process holding its output pipe has exited.
 */
async function stop(): Promise<void> {
  if (!child || !gone) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child!.pid!, s);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

afterAll(async () => {
  await stop();
});

/** The environment of a person at a terminal: no npm_* variables inherited from a surrounding npm run. */
function userEnv(cache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, npm_config_cache: cache, npm_config_update_notifier: 'false' };
}

describe('npm pack + npx of the server package', () => {
  it(
    'packs only bin/, dist/ and web/, then `npx --package <tarball> switchboard-server` installs, starts and answers /healthz',
    async () => {
      if (!fs.existsSync(SERVER_CLI)) throw new Error(`${SERVER_CLI} is missing: run "npm run build" first`);
      const packDir = tempDir('switchboard-pack-');
      const emptyDir = tempDir('switchboard-npx-');
      const cacheDir = tempDir('switchboard-npm-cache-');

      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--workspace', 'server', '--pack-destination', packDir, '--json'], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      ) as PackResult[];
      const files = packed[0]!.files.map((f) => f.path);
      expect(files).toContain('bin/switchboard-server.js');
      expect(files).toContain('dist/cli.js');
      expect(files).toContain('web/index.html');
      expect(files).toContain('package.json');
      // Only the launcher, the build output, the web client and package metadata: no sources, tests or
      // tooling.
      expect(
        files.filter(
          (f) =>
            !/^(dist|web)\//.test(f) &&
            !/^(bin\/switchboard-server\.js|package\.json|README\.md|LICENSE)$/.test(f),
        ),
      ).toEqual([]);
      expect(files.filter((f) => /(^|\/)src\/|\.test\.|(^|\/)tests?\//.test(f))).toEqual([]);
      const tarball = path.join(packDir, packed[0]!.filename);
      const manifest = JSON.parse(
        execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
      ) as { bin: Record<string, string>; dependencies: Record<string, string> };
      expect(manifest.bin['switchboard-server']).toBe('bin/switchboard-server.js');
      // Workspace packages are bundled into dist/cli.js; npm could not install them from the registry.
      expect(Object.keys(manifest.dependencies).filter((d) => d.startsWith('@switchboard/'))).toEqual([]);

      const started = Date.now();
      child = spawn(
        'npx',
        [
          '--yes',
          '--package',
          tarball,
          'switchboard-server',
          '--port',
          '0',
          '--host',
          '127.0.0.1',
          '--data-dir',
          './data',
        ],
        { cwd: emptyDir, env: userEnv(cacheDir), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      );
      gone = new Promise((resolve) => child!.stdout!.once('close', resolve));
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no listening line after ${INSTALL_TIMEOUT_MS} ms:\n${output}`)),
          INSTALL_TIMEOUT_MS,
        );
        child!.stdout!.on('data', () => {
          const match = /Switchboard server listening on (http:\/\/\S+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child!.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`npx exited (${code ?? signal}) before the server listened:\n${output}`));
        });
      });
      console.log(`npx install and start took ${((Date.now() - started) / 1000).toFixed(1)} s`);

      const health = await api(url, 'GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok' });
      // The web client is served from the installed package.
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      // A first start says how to create the first admin, and keeps its data where it was told.
      expect(output).toContain(
        `| npx --package ${tarball} switchboard-server user add admin --admin --password-stdin --data-dir ${path.join(emptyDir, 'data')}\n`,
      );
      expect(fs.existsSync(path.join(emptyDir, 'data', 'switchboard.db'))).toBe(true);
      expect(fs.readdirSync(emptyDir)).toEqual(['data']);
      await stop();
    },
    INSTALL_TIMEOUT_MS + 60_000,
  );
});
