// A person's terminal, for tests that run commands as someone types them: bash, one command text at a
// time, with variables and the working directory carried from one to the next, stdout and stderr
// interleaved as on a screen, no input (as if nothing were typed), and none of the npm_* variables of
// the test run. A command that starts a server — prints "Switchboard server listening on <url>" and
// keeps running — is left running in the background, as in a second terminal window, until close().
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './tempDirs.ts';

export interface ShellOptions {
  /** Where the first command starts. */
  cwd: string;
  /** HOME for the commands (default: a temporary directory), so nothing lands in the real one. */
  home?: string;
  /** Folders searched before the usual PATH. */
  path?: string[];
  /** Further environment variables. */
  env?: Record<string, string>;
  /** How long one command may run (default 20 s). */
  timeoutMs?: number;
}

export interface RunOptions {
  /** Stop at the first failing command, as `set -e` (default true). */
  strict?: boolean;
  /**
   * For a command that starts a server: once it listens, wait until its output satisfies this too
   * (at most SERVER_SETTLE_MS; default: listening is enough).
   */
  serverReady?: (output: string) => boolean;
}

export interface CommandResult {
  /** Exit status; null for a server left running, or a command stopped after the timeout. */
  status: number | null;
  output: string;
  timedOut: boolean;
  /** Set when the command started a server, which keeps running. */
  server?: BackgroundServer;
  /** Variables this command left empty or "null": usually a capture whose command failed. */
  emptyVariables: string[];
}

export interface BackgroundServer {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM to its process group; resolves once it has exited (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

const LISTENING = /Switchboard server listening on (http:\/\/\S+)/;
const STOP_GRACE_MS = 10_000;
/** How long a listening server may take to print what `serverReady` waits for. */
const SERVER_SETTLE_MS = 5_000;

// Runs the command file ($1) after loading the state file ($2); on exit, writes the variables it
// defined and the directory it is in to $2.next and the empty or "null" ones to $2.empty.
const WRAPPER = String.raw`
__sb_base=" $(compgen -v | tr '\n' ' ') "
__sb_state=$2
. "$__sb_state"
__sb_save() {
  : > "$__sb_state.empty"
  for __sb_v in $(compgen -v); do
    case "$__sb_base" in *" $__sb_v "*) continue ;; esac
    case "$__sb_v" in __sb_*) continue ;; esac
    declare -p "$__sb_v" 2>/dev/null
    if [ -z "${'$'}{!__sb_v}" ] || [ "${'$'}{!__sb_v}" = null ]; then echo "$__sb_v" >> "$__sb_state.empty"; fi
  done > "$__sb_state.next"
  printf 'cd %q\n' "$PWD" >> "$__sb_state.next"
}
trap __sb_save EXIT
exec 2>&1 </dev/null
if [ "$3" = 1 ]; then set -e; fi
. "$1"
`;

export class ReaderShell {
  private readonly stateDir: string;
  private readonly state: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly running: BackgroundServer[] = [];
  private commands = 0;
  private empty = new Set<string>();

  constructor(private readonly options: ShellOptions) {
    this.stateDir = tempDir('switchboard-shell-');
    this.state = path.join(this.stateDir, 'state.sh');
    fs.writeFileSync(this.state, `cd ${quote(options.cwd)}\n`);
    fs.writeFileSync(path.join(this.stateDir, 'wrapper.sh'), WRAPPER);
    const searchPath = [...(options.path ?? []), path.dirname(process.execPath), process.env.PATH ?? ''];
    this.env = {
      PATH: searchPath.join(path.delimiter),
      HOME: options.home ?? tempDir('switchboard-home-'),
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      TERM: 'dumb',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      ...options.env,
    };
    this.timeoutMs = options.timeoutMs ?? 20_000;
  }

  /** Servers started so far and still running, oldest first. */
  get servers(): readonly BackgroundServer[] {
    return this.running;
  }

  async run(text: string, options: RunOptions = {}): Promise<CommandResult> {
    const file = path.join(this.stateDir, `command-${++this.commands}.sh`);
    fs.writeFileSync(file, `${text}\n`);
    const child = spawn(
      'bash',
      [
        '--noprofile',
        '--norc',
        path.join(this.stateDir, 'wrapper.sh'),
        file,
        this.state,
        options.strict === false ? '0' : '1',
      ],
      { cwd: this.options.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    groups.add(child.pid!);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The wrapper sends stderr to stdout; this pipe carries only what bash says before that.
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closed = new Promise<number | null>((resolve) =>
      child.once('close', (code) => {
        groups.delete(child.pid!);
        resolve(code);
      }),
    );
    const serverReady = options.serverReady ?? (() => true);

    const outcome = await new Promise<'exited' | 'server' | 'timeout'>((resolve) => {
      let timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      let listening = false;
      const settle = () => {
        clearTimeout(timer);
        resolve('server');
      };
      const check = () => {
        if (!LISTENING.test(output)) return;
        if (serverReady(output)) return settle();
        if (listening) return;
        // Listening, but not all that was expected has come: compare what has, after a while.
        listening = true;
        clearTimeout(timer);
        timer = setTimeout(settle, SERVER_SETTLE_MS);
      };
      child.stdout!.on('data', check);
      void closed.then(() => {
        clearTimeout(timer);
        resolve('exited');
      });
    });

    if (outcome === 'server') {
      const server: BackgroundServer = {
        url: LISTENING.exec(output)![1]!,
        output: () => output,
        stop: () => stopGroup(child, closed),
      };
      this.running.push(server);
      return { status: null, output, timedOut: false, server, emptyVariables: [] };
    }
    if (outcome === 'timeout') {
      await stopGroup(child, closed);
      return { status: null, output, timedOut: true, emptyVariables: [] };
    }
    const status = await closed;
    return { status, output, timedOut: false, emptyVariables: this.takeState() };
  }

  /** Stops every server the commands started. */
  async close(): Promise<void> {
    await Promise.all(this.running.splice(0).map((server) => server.stop()));
  }

  /** Adopts the state the last command saved; returns variables that became empty with it. */
  private takeState(): string[] {
    const next = `${this.state}.next`;
    if (!fs.existsSync(next)) return [];
    fs.renameSync(next, this.state);
    const empty = new Set(fs.readFileSync(`${this.state}.empty`, 'utf8').split('\n').filter(Boolean));
    const fresh = [...empty].filter((name) => !this.empty.has(name));
    this.empty = empty;
    return fresh;
  }
}

/** Process groups of commands still running; killed if the test process exits without stopping them. */
const groups = new Set<number>();
process.once('exit', () => {
  for (const pid of groups) signalGroup(pid, 'SIGKILL');
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has exited already
  }
}

async function stopGroup(child: ChildProcess, closed: Promise<unknown>): Promise<void> {
  signalGroup(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
  await closed;
  clearTimeout(timer);
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
