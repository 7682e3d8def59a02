// Runs one page's examples in order, in one terminal, the way a reader follows the page on this
// machine: the same substitutions a reader makes (below), a throwaway working directory under the OS
// temp dir, servers on free ports, and the checkout's build as `switchboard-server`.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SERVER_CLI, tempDir } from '../support/server.ts';
import { ReaderShell, type CommandResult } from '../support/shell.ts';
import type { Command, Example, FileStep } from './extract.ts';
import { compareJson, compareText, parseJsonValues, type Mismatch } from './match.ts';

/** The bin `npm ci` links in the checkout; a reader with a global install has the same file on PATH. */
export const LINKED_BIN = path.join(REPO_ROOT, 'node_modules/.bin/switchboard-server');

/** Where pages assume a server; the page's real server replaces it. */
const PAGE_ADDRESS = '127.0.0.1:8080';
const TIMEOUT_MS = 30_000;

export class PageReader {
  readonly dir: string;
  private readonly shell: ReaderShell;

  constructor() {
    // Real path: the server prints paths from its working directory, where symlinks are resolved.
    this.dir = fs.realpathSync(tempDir('switchboard-docs-'));
    const bin = path.join(this.dir, '.bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(LINKED_BIN, path.join(bin, 'switchboard-server'));
    for (const folder of ['backups', 'etc']) fs.mkdirSync(path.join(this.dir, folder));
    this.shell = new ReaderShell({
      cwd: this.dir,
      path: [bin],
      env: {
        // A server started without --port takes a free one; `config` output shows what the page sets.
        SWITCHBOARD_PORT: '0',
        // An install step that lost its skip marker must not reach the registry or the system.
        npm_config_offline: 'true',
        npm_config_prefix: path.join(this.dir, '.npm-global'),
      },
      timeoutMs: TIMEOUT_MS,
    });
  }

  /**
   * What a reader changes in a page before pasting it here. Both commands and the output they are
   * compared with go through it, so a page may show `npx switchboard-server` or `/home/me` in either.
   */
  substitute(text: string): string {
    const server = this.shell.servers.at(-1);
    const replacements: [string | RegExp, string][] = [
      // The checkout's linked bin stands for both a global install and npx.
      ['npx switchboard-server', 'switchboard-server'],
      // A checkout is built and installed already (`npm test` builds before it tests).
      [/\bnpm ci && npm start\b/g, `node ${SERVER_CLI}`],
      [/\bnpm start\b/g, `node ${SERVER_CLI}`],
      [/(?<![\w/])server\/dist\/cli\.js\b/g, SERVER_CLI],
      // System paths of a real installation, inside this reader's folder.
      ['/var/lib/switchboard', path.join(this.dir, 'switchboard-data')],
      ['/var/backups', path.join(this.dir, 'backups')],
      ['/etc/switchboard', path.join(this.dir, 'etc')],
      // The sample home directory is the folder the reader works in.
      ['/home/me', this.dir],
      ...(server ? [[PAGE_ADDRESS, new URL(server.url).host] as [string, string]] : []),
    ];
    return replacements.reduce(
      (result, [from, to]) =>
        typeof from === 'string' ? result.replaceAll(from, to) : result.replace(from, to),
      text,
    );
  }

  /** Writes a file the page tells the reader to create (a `file` fence), at its substituted path. */
  writeFile(step: FileStep): void {
    const target = this.substitute(step.path);
    if (!target.startsWith(`${this.dir}${path.sep}`))
      throw new Error(`${step.path} is outside the reader's folder: add it to PageReader.substitute`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, this.substitute(step.content));
  }

  /** Runs every command of an example; throws a report of what differs from the page. */
  async run(example: Example, where: string): Promise<void> {
    for (const command of example.commands) {
      const text = this.substitute(command.text);
      if (text.includes(PAGE_ADDRESS))
        throw new Error(
          `${where}: this example talks to a server, and the page has not started one before it`,
        );
      const expectedLines = command.expected ? lineCount(command.expected.text) : 0;
      const result = await this.shell.run(text, {
        strict: !example.transcript,
        serverReady: (output) => lineCount(output) >= expectedLines,
      });
      const problems = this.check(example, command, result);
      if (problems.length > 0) throw new Error(report(where, text, result.output, problems));
    }
  }

  async close(): Promise<void> {
    await this.shell.close();
  }

  private check(example: Example, command: Command, result: CommandResult): string[] {
    if (result.timedOut) return [`did not finish within ${TIMEOUT_MS / 1000} s`];
    const problems: string[] = [];
    if (!result.server && result.status !== example.exit)
      problems.push(`exit status ${result.status}, the page expects ${example.exit}`);
    for (const name of result.emptyVariables)
      problems.push(`$${name} is empty or "null": the command whose output it keeps failed`);
    if (command.expected) {
      const expected = this.substitute(command.expected.text);
      const mismatches =
        command.expected.lang === 'json'
          ? compareJsonOutput(expected, result.output)
          : compareText(expected, result.output);
      if (mismatches.length > 0)
        problems.push(
          `the output differs from the page (line ${command.expected.line}):\n${mismatches
            .slice(0, 12)
            .map((m) => `    ${m.where}: page ${m.expected}, got ${m.actual}`)
            .join('\n')}`,
        );
    } else if (showsError(result.output)) {
      problems.push('it printed an error, and the page shows no output for it');
    }
    return problems;
  }
}

function compareJsonOutput(expected: string, actual: string): Mismatch[] {
  const want = parseJsonValues(expected);
  let got: unknown[];
  try {
    got = parseJsonValues(actual);
  } catch {
    return [{ where: 'output', expected: 'JSON', actual: 'not JSON' }];
  }
  if (got.length !== want.length)
    return [{ where: 'values', expected: String(want.length), actual: String(got.length) }];
  return want.flatMap((value, i) => compareJson(value, got[i], want.length > 1 ? `$${i + 1}` : '$'));
}

/** An error body, a 4xx/5xx status printed by curl -w, or a CLI error line. */
function showsError(output: string): boolean {
  return output.split('\n').some((line) => {
    const text = line.trim();
    return /^[45]\d\d$/.test(text) || /^error\b/.test(text) || /^\{\s*"error"\s*:/.test(text);
  });
}

function lineCount(text: string): number {
  return text.replace(/\n+$/, '').split('\n').length;
}

function report(where: string, command: string, output: string, problems: string[]): string {
  const indent = (text: string) => text.replace(/\n$/, '').replace(/^/gm, '    ');
  return [
    `${where}: ${problems.join('; ')}`,
    '  ran:',
    indent(command),
    '  printed:',
    output ? indent(output) : '    (nothing)',
  ].join('\n');
}
