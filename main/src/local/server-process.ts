// Entry of the local server's utility process (utilityProcess.fork in main/src/index.ts): waits for
// `run` on process.parentPort, then runs the bundled switchboard-server command line in this process
// with those arguments — taking a free port when its own is taken — and exits once a one-shot
// command (backup, restore, invite) is done. `stop` stops a running server the way SIGTERM does:
// in-flight messages are finished and the database is closed before the process exits.
import { pathToFileURL } from 'node:url';
import { ToServerProcess } from '../shared/server-control.ts';
import { withUsablePort } from './port.ts';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

const parent = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parent) throw new Error('the local server runs as an Electron utility process (process.parentPort)');

let ran = false;
let serving = false;

parent.on('message', ({ data }) => {
  const parsed = ToServerProcess.safeParse(data);
  if (!parsed.success) {
    process.stderr.write(`refused a control message: ${parsed.error.issues[0]?.message ?? 'invalid'}\n`);
    return;
  }
  const message = parsed.data;
  if (message.type === 'stop') {
    // The server's own SIGTERM handler (server/src/cli/serve.ts) finishes and exits.
    if (serving) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(0);
    return;
  }
  if (ran) return;
  ran = true;
  void run(message.cli, message.args);
});

async function run(cli: string, given: string[]): Promise<void> {
  serving = given.length === 0 || given[0] === 'serve' || given[0]!.startsWith('-');
  const args = serving ? await withUsablePort(given) : given;
  process.argv = [process.execPath, cli, ...args];
  try {
    await import(pathToFileURL(cli).href);
  } catch (err) {
    process.stderr.write(`the server could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  // A one-shot command has set its exit code; a server keeps running until stopped.
  if (!serving) process.exit(process.exitCode ?? 0);
}
