// The terminal client as a person runs it from a checkout: the password and the lines to send piped in.
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { createUser, REPO_ROOT, tempDir } from '../../../tests/support/server.ts';
import { ReaderShell } from '../../../tests/support/shell.ts';

const { server } = useTestServer();
const shell = new ReaderShell({ cwd: REPO_ROOT });
afterAll(() => shell.close());

/**
 * Pipes `lines` into the client signed in as `user` (in `channel`, or the default #general); what the
 * terminal shows, and the exit status.
 */
const runClient = (user: string, lines: string[], channel?: string) =>
  shell.run(
    `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} | ` +
      `node --import tsx client/src/node/cli.ts --server ${server.url} --user ${user} --data-dir ${tempDir()}` +
      (channel ? ` --channel ${channel}` : ''),
    { strict: false },
  );

describe('the terminal client', () => {
  it('on a server without the channel: a clear message and exit 1, no stack trace', async () => {
    const alice = await createUser(server, 'alice');
    expect(await runClient('alice', [alice.password, 'hello'], 'nowhere')).toMatchObject({
      status: 1,
      output: expect.stringMatching(
        /^error: no channel named "nowhere" that alice can use: create it .* --channel\n$/,
      ),
    });
  });

  it('with a wrong password: says it cannot sign in, exit 1', async () => {
    await createUser(server, 'bob');
    expect(await runClient('bob', ['not-the-password'])).toMatchObject({
      status: 1,
      output: expect.stringMatching(/^error: cannot sign in as bob: .+\n$/),
    });
  });

  it('sends each line to the channel and prints it once stored', async () => {
    // Every account is in the server's first channel, #general, the client's default.
    const carol = await createUser(server, 'carol');
    expect(await runClient('carol', [carol.password, 'hello from a terminal'])).toMatchObject({
      status: 0,
      output: expect.stringMatching(/^\[\d\d:\d\d\] carol: hello from a terminal\n$/),
    });
  });
});
