// The terminal client as a person runs it: a child process, the password and lines on stdin.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../tests/support/lifecycle.ts';
import { createUser, REPO_ROOT, tempDir } from '../../tests/support/server.ts';

const CLI = path.join(REPO_ROOT, 'client/src/cli.ts');
const { server } = useTestServer();

function runClient(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the client did not finish:\n${stdout}${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('the terminal client', () => {
  it('on a server without the channel: a clear message and exit 1, no stack trace', async () => {
    const alice = await createUser(server, 'alice');
    const run = await runClient(
      ['--server', server.url, '--user', 'alice', '--data-dir', tempDir()],
      `${alice.password}\nhello\n`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: no channel named "general" that alice can use: create it .* --channel\n$/,
    );
  });

  it('with a wrong password: says it cannot sign in, exit 1', async () => {
    await createUser(server, 'bob');
    const run = await runClient(
      ['--server', server.url, '--user', 'bob', '--data-dir', tempDir()],
      'not-the-password\n',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot sign in as bob: .+\n$/);
  });

  it('sends each line to the channel and prints it once stored', async () => {
    const carol = await createUser(server, 'carol');
    await server.ctx.channels.create(carol.user, { name: 'general', visibility: 'public' });
    const run = await runClient(
      ['--server', server.url, '--user', 'carol', '--data-dir', tempDir()],
      `${carol.password}\nhello from a terminal\n`,
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^\[\d\d:\d\d\] carol: hello from a terminal\n$/);
  });
});
