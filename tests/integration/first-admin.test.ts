// The first-admin hint a server prints on its first start is pasted into a shell as it stands, for
// each way of starting the server: it must create the admin in the database that server uses.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { login, REPO_ROOT, SERVER_CLI, tempDir } from '../support/server.ts';
import { ReaderShell } from '../support/shell.ts';

const LINKED_BIN = path.join(REPO_ROOT, 'node_modules/.bin/switchboard-server');
const HINT = /^\s*(echo 'choose-a-long-password' \| .* user add admin --admin --password-stdin .*)$/m;

let shell: ReaderShell | undefined;
afterEach(async () => {
  await shell?.close();
  shell = undefined;
});

/** Starts a server with `command` in a fresh shell; returns its URL and the hint it printed. */
async function start(command: string, options: { cwd?: string; path?: string[] } = {}) {
  shell = new ReaderShell({
    cwd: options.cwd ?? tempDir(),
    path: options.path,
    env: { npm_config_offline: 'true' },
  });
  const started = await shell.run(command, { serverReady: (output) => HINT.test(output) });
  expect(started.server, started.output).toBeDefined();
  return { url: started.server!.url, hint: HINT.exec(started.output)![1]! };
}

/** Pastes the hint, with a real password, in another directory of the same shell. */
async function paste(hint: string, cwd: string) {
  const ran = await shell!.run(`cd ${cwd} && ${hint.replace('choose-a-long-password', 'a-long-password')}`);
  expect(ran, ran.output).toMatchObject({ status: 0 });
  expect(ran.output).toMatch(/^created admin admin \(id \S+\)\n$/);
}

describe('the first-admin hint works as printed', () => {
  it('node server/dist/cli.js in a checkout (npm start): node and the absolute path of the CLI', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const { url, hint } = await start(`node ${SERVER_CLI} --port 0 --data-dir ${dataDir}`);
    expect(hint).toContain(`| node ${SERVER_CLI} user add admin`);
    expect(hint).toMatch(new RegExp(`--data-dir ${dataDir}$`));
    await paste(hint, tempDir());
    expect((await login(url, 'admin', 'a-long-password')).status).toBe(200);
  });

  it('with --database-url: the hint carries it, and the CLI creates no data directory of its own', async () => {
    const elsewhere = path.join(tempDir(), 'elsewhere', 'chat.db');
    const { url, hint } = await start(`node ${SERVER_CLI} --port 0 --database-url sqlite:${elsewhere}`);
    expect(hint).toMatch(new RegExp(`--database-url sqlite:${elsewhere}$`));
    const pastedIn = tempDir();
    await paste(hint, pastedIn);
    expect(fs.readdirSync(pastedIn)).toEqual([]);
    expect((await login(url, 'admin', 'a-long-password')).status).toBe(200);
  });

  it('npx switchboard-server in the checkout (the linked bin): npx again', async () => {
    expect(fs.existsSync(LINKED_BIN), `${LINKED_BIN} is not linked: run npm ci`).toBe(true);
    const dataDir = path.join(tempDir(), 'data');
    const { url, hint } = await start(`npx switchboard-server --port 0 --data-dir ${dataDir}`, {
      cwd: REPO_ROOT,
    });
    expect(hint).toContain('| npx switchboard-server user add admin');
    await paste(hint, REPO_ROOT);
    expect((await login(url, 'admin', 'a-long-password')).status).toBe(200);
  });

  it('a switchboard-server the shell finds on its PATH (a global install): that name', async () => {
    const bin = tempDir();
    fs.symlinkSync(LINKED_BIN, path.join(bin, 'switchboard-server'));
    const dataDir = path.join(tempDir(), 'data');
    const { url, hint } = await start(`switchboard-server --port 0 --data-dir ${dataDir}`, { path: [bin] });
    expect(hint).toContain('| switchboard-server user add admin');
    await paste(hint, tempDir());
    expect((await login(url, 'admin', 'a-long-password')).status).toBe(200);
  });
});
